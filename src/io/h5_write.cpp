// The writing half of the HDF5 layer (h5.hpp): datasets with their spec (dimension names, units, description),
// chunked and compressed when large.
#include <hdf5.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "h5_detail.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg::h5 {

namespace {

using detail::check;
using detail::check_new_link;
using detail::checked;
using detail::element_count;
using detail::intermediate_groups_lcpl;
using detail::Numeric;
using detail::vlen_string_type;

std::string dims_string(const Dims& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

Dims resolve_dims(const Group& group, const std::string& name, std::size_t size, const Dims& dims) {
  if (dims.empty()) return Dims{size};
  if (element_count(dims) != size)
    throw std::logic_error(group.where(name) + ": shape " + dims_string(dims) + " holds " +
                           std::to_string(element_count(dims)) + " elements, data has " + std::to_string(size));
  return dims;
}

//! Dataset creation properties: contiguous, or (more than LARGE_DATASET_ELEMENTS elements) chunked with shuffle
//! and deflate.
Handle creation_properties(const Dims& dims, const std::string& where) {
  Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), where, "cannot create a property list");
  if (dims.empty() || element_count(dims) <= LARGE_DATASET_ELEMENTS) return dcpl;
  const Dims chunk = detail::chunk_dims(dims);
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where, "cannot set chunking");
  if (H5Zfilter_avail(H5Z_FILTER_SHUFFLE) > 0) check(H5Pset_shuffle(dcpl.get()), where, "cannot set shuffle");
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0)
    check(H5Pset_deflate(dcpl.get(), DEFLATE_LEVEL), where, "cannot set compression");
  return dcpl;
}

//! Creates the dataset (chunked and compressed when large), writes `buffer`, the units/description attributes, and
//! attaches its dimensions (0-d datasets have none).
Dataset create_dataset(Group& group, const std::string& name, const Dims& dims, const DimNames& dim_names,
                       hid_t file_type, hid_t memory_type, const void* buffer, const std::string& units,
                       const std::string& description) {
  const std::string where = group.where(name);
  check_new_link(name, where);
  if (group.exists(name)) {
    detail::check_not_a_dimension(group, name);
    throw InputError(where + ": cannot write, the name is already taken");
  }
  detail::check_dimensions(group, name, dims, dim_names);
  Handle space = dims.empty() ? checked(H5Screate(H5S_SCALAR), where, "cannot create a dataspace")
                              : checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), where,
                                        "cannot create a dataspace");
  Handle dcpl = creation_properties(dims, where);
  Handle lcpl = intermediate_groups_lcpl(where);
  Dataset dataset(
      checked(H5Dcreate2(group.id(), name.c_str(), file_type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT), where,
              "cannot create the dataset"));
  if (element_count(dims) > 0)
    check(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer), where,
          "cannot write the dataset");
  dataset.write_attribute_string("units", units);
  dataset.write_attribute_string("description", description);
  detail::attach_dimensions(group, name, dataset, dims, dim_names);
  return dataset;
}

template <class T>
Dataset write_numbers(Group& group, const std::string& name, std::span<const T> data, const Dims& dims,
                      const DimNames& dim_names, const std::string& units, const std::string& description) {
  return create_dataset(group, name, resolve_dims(group, name, data.size(), dims), dim_names, Numeric<T>::file(),
                        Numeric<T>::memory(), data.data(), units, description);
}

template <class T>
Dataset write_number(Group& group, const std::string& name, T value, const std::string& units,
                     const std::string& description) {
  return create_dataset(group, name, {}, {}, Numeric<T>::file(), Numeric<T>::memory(), &value, units, description);
}

std::vector<const char*> c_strings(std::span<const std::string> data) {
  std::vector<const char*> pointers(data.size());
  std::transform(data.begin(), data.end(), pointers.begin(), [](const std::string& s) { return s.c_str(); });
  return pointers;
}

}  // namespace

namespace detail {

Dims chunk_dims(const Dims& dims) {
  Dims chunk(dims.size(), 1);
  hsize_t inner = 1;
  for (std::size_t i = dims.size(); i-- > 0;) {
    const hsize_t extent = std::max<hsize_t>(dims[i], 1);
    if (inner * extent <= CHUNK_ELEMENTS) {
      chunk[i] = extent;
      inner *= extent;
    } else {
      chunk[i] = std::max<hsize_t>(1, CHUNK_ELEMENTS / inner);
      break;
    }
  }
  return chunk;
}

}  // namespace detail

Dataset Group::write(const std::string& name, std::span<const double> data, const Dims& dims, const DimNames& dim_names,
                     const std::string& units, const std::string& description) {
  return write_numbers(*this, name, data, dims, dim_names, units, description);
}

Dataset Group::write(const std::string& name, std::span<const float> data, const Dims& dims, const DimNames& dim_names,
                     const std::string& units, const std::string& description) {
  return write_numbers(*this, name, data, dims, dim_names, units, description);
}

Dataset Group::write(const std::string& name, std::span<const std::int32_t> data, const Dims& dims,
                     const DimNames& dim_names, const std::string& units, const std::string& description) {
  return write_numbers(*this, name, data, dims, dim_names, units, description);
}

Dataset Group::write(const std::string& name, std::span<const std::int64_t> data, const Dims& dims,
                     const DimNames& dim_names, const std::string& units, const std::string& description) {
  return write_numbers(*this, name, data, dims, dim_names, units, description);
}

Dataset Group::write(const std::string& name, std::span<const std::uint8_t> data, const Dims& dims,
                     const DimNames& dim_names, const std::string& units, const std::string& description) {
  return write_numbers(*this, name, data, dims, dim_names, units, description);
}

Dataset Group::write(const std::string& name, std::span<const std::string> data, const Dims& dims,
                     const DimNames& dim_names, const std::string& units, const std::string& description) {
  const Dims shape = resolve_dims(*this, name, data.size(), dims);
  const std::vector<const char*> pointers = c_strings(data);
  Handle type = vlen_string_type();
  return create_dataset(*this, name, shape, dim_names, type.get(), type.get(), pointers.data(), units, description);
}

Dataset Group::write_scalar(const std::string& name, double value, const std::string& units,
                            const std::string& description) {
  return write_number(*this, name, value, units, description);
}

Dataset Group::write_scalar(const std::string& name, float value, const std::string& units,
                            const std::string& description) {
  return write_number(*this, name, value, units, description);
}

Dataset Group::write_scalar(const std::string& name, std::int32_t value, const std::string& units,
                            const std::string& description) {
  return write_number(*this, name, value, units, description);
}

Dataset Group::write_scalar(const std::string& name, std::int64_t value, const std::string& units,
                            const std::string& description) {
  return write_number(*this, name, value, units, description);
}

Dataset Group::write_scalar(const std::string& name, std::uint8_t value, const std::string& units,
                            const std::string& description) {
  return write_number(*this, name, value, units, description);
}

Dataset Group::write_scalar(const std::string& name, const std::string& value, const std::string& units,
                            const std::string& description) {
  const char* pointer = value.c_str();
  Handle type = vlen_string_type();
  return create_dataset(*this, name, {}, {}, type.get(), type.get(), &pointer, units, description);
}

}  // namespace ttcg::h5
