// Dimensions of the HDF5 layer (h5.hpp): netCDF-4 dimensions as HDF5 dimension scales (H5DS, the hl library), so
// that netCDF and xarray (engine h5netcdf) read every array with named dimensions; and how a dataset is stored.
#include <hdf5_hl.h>  // H5DS, the dimension scales of the high-level library

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "h5_detail.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg::h5 {

namespace {

using detail::check;
using detail::checked;

//! A dimension name: one non-empty path component.
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

//! netCDF-4's NAME of a dimension without coordinate values: the marker and the length in 10 columns.
std::string marker_name(hsize_t length) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%10llu", static_cast<unsigned long long>(length));
  return std::string(DIMENSION_WITHOUT_COORDINATE) + digits;
}

std::string scale_name(hid_t dataset) {
  const ssize_t size = H5DSget_scale_name(dataset, nullptr, 0);
  if (size <= 0) return {};
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  H5DSget_scale_name(dataset, name.data(), name.size());
  name.resize(static_cast<std::size_t>(size));
  return name;
}

herr_t keep_scale_path(hid_t /*dataset*/, unsigned /*axis*/, hid_t scale, void* data) {
  *static_cast<std::string*>(data) = detail::object_name(scale, H5Iget_name);
  return 1;  // the first scale of the axis
}

//! Makes `dataset` a dimension scale named `name` (netCDF: a coordinate variable) unless it is one already.
void make_scale(const Dataset& dataset, const std::string& name) {
  if (dataset.is_dimension()) return;
  check(H5DSset_scale(dataset.id(), name.c_str()), dataset.where(), "cannot make the dataset a dimension scale");
}

bool is_dataset(const Group& group, const std::string& name) {
  Handle object(H5Oopen(group.id(), name.c_str(), H5P_DEFAULT));
  H5Eclear2(H5E_DEFAULT);
  return object.valid() && H5Iget_type(object.get()) == H5I_DATASET;
}

}  // namespace

namespace detail {

void check_not_a_dimension(const Group& group, const std::string& name) {
  if (is_dataset(group, name) && group.open_dataset(name).is_dimension_without_coordinate())
    throw std::logic_error(group.where(name) +
                           ": a dimension without coordinate values has this name; write the "
                           "coordinate variable before the datasets along it");
}

void check_dimensions(const Group& group, const std::string& name, const Dims& dims, const DimNames& dim_names) {
  const std::string where = group.where(name);
  if (dim_names.size() != dims.size())
    throw std::logic_error(where + ": " + std::to_string(dims.size()) + " axes, " + std::to_string(dim_names.size()) +
                           " dimension names");
  for (std::size_t axis = 0; axis < dims.size(); ++axis) {
    const std::string& d = dim_names[axis];
    if (!plain_name(d)) throw std::logic_error(where + ": dimension name '" + d + "' is not a plain name");
    for (std::size_t other = 0; other < axis; ++other)
      if (dim_names[other] == d && dims[other] != dims[axis])
        throw std::logic_error(where + ": dimension '" + d + "' on two axes of different lengths");
    if (d == name) {
      if (dims.size() != 1)
        throw std::logic_error(where + ": only a 1-D dataset can be the coordinate variable of its dimension");
      continue;
    }
    if (!group.exists(d)) continue;
    const Dataset scale = group.open_dataset(d);
    const Dims extent = scale.dims();
    if (extent.size() != 1 || extent[0] != dims[axis])
      throw std::logic_error(where + ": dimension '" + d + "' has length " + std::to_string(dims[axis]) + " here but " +
                             group.where(d) + " has shape of rank " + std::to_string(extent.size()) +
                             (extent.size() == 1 ? " and length " + std::to_string(extent[0]) : std::string()));
  }
}

void attach_dimensions(Group& group, const std::string& name, Dataset& dataset, const Dims& dims,
                       const DimNames& dim_names) {
  for (std::size_t axis = 0; axis < dims.size(); ++axis) {
    const std::string& d = dim_names[axis];
    if (d == name) {
      make_scale(dataset, d);
      continue;
    }
    Dataset scale = group.exists(d) ? group.open_dataset(d) : group.create_dimension(d, dims[axis]);
    make_scale(scale, d);
    check(H5DSattach_scale(dataset.id(), scale.id(), static_cast<unsigned>(axis)), dataset.where(),
          "cannot attach dimension '" + d + "'");
  }
}

}  // namespace detail

Dataset Group::create_dimension(const std::string& name, hsize_t length) {
  const std::string at = where(name);
  Handle space = checked(H5Screate_simple(1, &length, nullptr), at, "cannot create a dataspace");
  // No data is written: with the default (late) allocation the dimension takes no space in the file.
  Dataset dimension(
      checked(H5Dcreate2(id(), name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), at,
              "cannot create the dimension"));
  check(H5DSset_scale(dimension.id(), marker_name(length).c_str()), at, "cannot make the dimension a scale");
  dimension.write_attribute_string("units", "1");
  dimension.write_attribute_string("description", "dimension '" + name + "' (" + std::to_string(length) +
                                                      " entries) without coordinate values; holds no data");
  return dimension;
}

std::vector<std::string> Dataset::dimension_names() const {
  const Dims shape = dims();
  std::vector<std::string> names(shape.size());
  for (std::size_t axis = 0; axis < shape.size(); ++axis) {
    const unsigned a = static_cast<unsigned>(axis);
    if (H5DSget_num_scales(id(), a) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      if (is_dimension()) names[axis] = path().substr(path().rfind('/') + 1);  // a scale is its own dimension
      continue;
    }
    std::string scale;
    check(H5DSiterate_scales(id(), a, nullptr, keep_scale_path, &scale), where(), "cannot read the dimensions");
    names[axis] = scale.substr(scale.rfind('/') + 1);
  }
  return names;
}

bool Dataset::is_dimension() const {
  const htri_t scale = H5DSis_scale(id());
  H5Eclear2(H5E_DEFAULT);
  return scale > 0;
}

bool Dataset::is_dimension_without_coordinate() const {
  return is_dimension() && scale_name(id()).starts_with(DIMENSION_WITHOUT_COORDINATE);
}

Dataset::Storage Dataset::storage() const {
  Storage storage;
  Handle dcpl = checked(H5Dget_create_plist(id()), where(), "cannot read the creation properties");
  if (H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
    storage.chunk.resize(dims().size());
    if (H5Pget_chunk(dcpl.get(), static_cast<int>(storage.chunk.size()), storage.chunk.data()) < 0)
      detail::fail(where(), "cannot read the chunk shape");
  }
  const int filters = H5Pget_nfilters(dcpl.get());
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0;
    std::size_t count = 1;
    unsigned values[1] = {0};
    const H5Z_filter_t filter =
        H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &count, values, 0, nullptr, nullptr);
    if (filter == H5Z_FILTER_SHUFFLE) storage.shuffle = true;
    if (filter == H5Z_FILTER_DEFLATE) storage.deflate_level = count > 0 ? static_cast<int>(values[0]) : 0;
  }
  return storage;
}

}  // namespace ttcg::h5
