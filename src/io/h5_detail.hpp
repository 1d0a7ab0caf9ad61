// What the writing (h5.cpp) and the reading (h5_read.cpp) halves of the HDF5 layer share: errors that carry
// HDF5's innermost message, shapes of dataspaces, and the string type. Private to src/.
#pragma once

#include <hdf5.h>

#include <cstddef>
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

}  // namespace ttcg::h5::detail
