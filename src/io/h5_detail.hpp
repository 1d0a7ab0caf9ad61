// What the parts of the HDF5 layer (h5.cpp, h5_write.cpp, h5_dims.cpp, h5_read.cpp) of the HDF5 layer share: errors
// that carry HDF5's innermost message, shapes of dataspaces, and the string type. Private to src/.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "ttcgames/io/h5.hpp"

namespace ttcg::h5::detail {

//! Throws InputError "where: what (HDF5: innermost message)" and clears HDF5's error stack.
[[noreturn]] void fail(const std::string& where, const std::string& what);
//! `id` as a handle; fail() when it is negative.
Handle checked(hid_t id, const std::string& where, const std::string& what);
//! fail() when `rc` is negative.
void check(herr_t rc, const std::string& where, const std::string& what);

//! Variable-length string type with the given character set (UTF-8 for everything this layer writes).
Handle vlen_string_type(H5T_cset_t cset = H5T_CSET_UTF8);

//! Number of elements of `dims`; SIZE_MAX when the product does not fit (a damaged or hostile dataspace).
std::size_t element_count(const Dims& dims);

//! The shape of a dataspace.
struct Shape {
  Dims dims;              //!< empty for 0-d (and for a null dataspace)
  std::size_t count = 0;  //!< number of elements (saturated at SIZE_MAX)
  bool null = false;      //!< an H5S_NULL dataspace (no elements, no shape)
};
//! The shape of `space` (InputError naming `where` when HDF5 cannot tell it).
Shape shape_of(hid_t space, const std::string& where);

//! The name of an object (H5Iget_name) or of its file (H5Fget_name).
std::string object_name(hid_t id, ssize_t (*get)(hid_t, char*, std::size_t));

//! A new group or dataset path: std::logic_error when a component is empty, "." or ".." (a bug: names are validated
//! where users give them).
void check_new_link(const std::string& path, const std::string& where);
//! Link creation property list that creates missing intermediate groups.
Handle intermediate_groups_lcpl(const std::string& where);

//! The memory and file (little-endian) types of a number type.
template <class T>
struct Numeric;
template <>
struct Numeric<double> {
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
};
template <>
struct Numeric<float> {
  static hid_t memory() { return H5T_NATIVE_FLOAT; }
  static hid_t file() { return H5T_IEEE_F32LE; }
};
template <>
struct Numeric<std::int32_t> {
  static hid_t memory() { return H5T_NATIVE_INT32; }
  static hid_t file() { return H5T_STD_I32LE; }
};
template <>
struct Numeric<std::int64_t> {
  static hid_t memory() { return H5T_NATIVE_INT64; }
  static hid_t file() { return H5T_STD_I64LE; }
};
template <>
struct Numeric<std::uint8_t> {
  static hid_t memory() { return H5T_NATIVE_UINT8; }
  static hid_t file() { return H5T_STD_U8LE; }
};

//! Chunk of at most CHUNK_ELEMENTS elements: whole trailing dimensions, a slab of the leading ones.
Dims chunk_dims(const Dims& dims);

//! When the name of a new dataset is taken: std::logic_error if a dimension without coordinate values holds it (its
//! coordinate variable had to be written first).
void check_not_a_dimension(const Group& group, const std::string& name);
//! Before dataset `name` of shape `dims` is created through `group`: std::logic_error unless `dim_names` holds one
//! plain name per axis (none for 0-d) and each dimension that exists in `group` is a 1-D dataset of that length.
void check_dimensions(const Group& group, const std::string& name, const Dims& dims, const DimNames& dim_names);
//! Attaches `dim_names` to the axes of the new `dataset`: the existing dataset group/<d> (made a dimension scale),
//! the dataset itself when it is 1-D and named d (a coordinate variable), or a new dimension without coordinate
//! values group/<d>.
void attach_dimensions(Group& group, const std::string& name, Dataset& dataset, const Dims& dims,
                       const DimNames& dim_names);

}  // namespace ttcg::h5::detail
