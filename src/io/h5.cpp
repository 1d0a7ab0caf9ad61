#include "ttcgames/io/h5.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "h5_detail.hpp"
#include "ttcgames/core/error.hpp"

namespace ttcg::h5 {

namespace detail {

namespace {

herr_t keep_innermost(unsigned /*n*/, const H5E_error2_t* error, void* data) {
  if (error->desc != nullptr && error->desc[0] != '\0') *static_cast<std::string*>(data) = error->desc;
  return 0;
}

//! The innermost message on HDF5's error stack (where the failure was detected), then clears the stack.
std::string hdf5_detail() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_innermost, &detail);
  H5Eclear2(H5E_DEFAULT);
  return detail;
}

}  // namespace

void fail(const std::string& where, const std::string& what) {
  std::string detail = hdf5_detail();
  throw InputError(where + ": " + what + (detail.empty() ? std::string() : " (HDF5: " + detail + ")"));
}

Handle checked(hid_t id, const std::string& where, const std::string& what) {
  if (id < 0) fail(where, what);
  return Handle(id);
}

void check(herr_t rc, const std::string& where, const std::string& what) {
  if (rc < 0) fail(where, what);
}

Handle vlen_string_type(H5T_cset_t cset) {
  Handle type(H5Tcopy(H5T_C_S1));
  if (!type.valid() || H5Tset_size(type.get(), H5T_VARIABLE) < 0 || H5Tset_cset(type.get(), cset) < 0)
    fail("HDF5", "cannot build the variable-length string type");
  return type;
}

std::size_t element_count(const Dims& dims) {
  std::size_t count = 1;
  for (const hsize_t d : dims) {
    if (d == 0) return 0;
    if (count > std::numeric_limits<std::size_t>::max() / d)
      count = std::numeric_limits<std::size_t>::max();
    else
      count *= static_cast<std::size_t>(d);
  }
  return count;
}

Shape shape_of(hid_t space, const std::string& where) {
  Shape shape;
  switch (H5Sget_simple_extent_type(space)) {
    case H5S_SCALAR:
      shape.count = 1;
      return shape;
    case H5S_NULL:
      shape.null = true;
      return shape;
    case H5S_SIMPLE: {
      int rank = H5Sget_simple_extent_ndims(space);
      if (rank < 0) fail(where, "cannot read the shape");
      shape.dims.resize(static_cast<std::size_t>(rank));
      if (H5Sget_simple_extent_dims(space, shape.dims.data(), nullptr) < 0) fail(where, "cannot read the shape");
      shape.count = element_count(shape.dims);
      return shape;
    }
    default:
      fail(where, "cannot read the shape");
  }
}

std::string object_name(hid_t id, ssize_t (*get)(hid_t, char*, std::size_t)) {
  ssize_t size = get(id, nullptr, 0);
  if (size <= 0) return {};
  std::string name(static_cast<std::size_t>(size) + 1, '\0');
  get(id, name.data(), name.size());
  name.resize(static_cast<std::size_t>(size));
  return name;
}

//! A new group or dataset path: components that are empty, "." or ".." would make HDF5 paths other than the one
//! meant (names are validated where users give them, core/names.hpp; reaching here with one is a bug).
void check_new_link(const std::string& path, const std::string& where) {
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    const std::string component = path.substr(begin, end - begin);
    if (component.empty() || component == "." || component == "..")
      throw std::logic_error(where + ": '" + path + "' has an empty, '.' or '..' component");
    begin = end + 1;
  }
}

//! Link creation property list that creates missing intermediate groups.
Handle intermediate_groups_lcpl(const std::string& where) {
  Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), where, "cannot create a property list");
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), where, "cannot set a property list");
  return lcpl;
}

}  // namespace detail

namespace {

using detail::check;
using detail::check_new_link;
using detail::checked;
using detail::element_count;
using detail::fail;
using detail::intermediate_groups_lcpl;
using detail::Numeric;
using detail::object_name;
using detail::vlen_string_type;

std::string join_path(const std::string& base, const std::string& child) {
  if (child.empty()) return base;
  if (child.front() == '/') return child;
  if (base.empty() || base.back() == '/') return base + child;
  return base + "/" + child;
}

herr_t collect_link_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

herr_t collect_attribute_name(hid_t /*object*/, const char* name, const H5A_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

// ---- free functions and Handle
// --------------------------------------------------------------------------------

void silence_error_printing() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.release();
  }
  return *this;
}

hid_t Handle::release() noexcept {
  return std::exchange(id_, H5I_INVALID_HID);
}

void Handle::reset() noexcept {
  const hid_t id = release();
  if (id < 0 || H5Iis_valid(id) <= 0) return;
  switch (H5Iget_type(id)) {
    case H5I_FILE:
      H5Fclose(id);
      break;
    case H5I_GROUP:
      H5Gclose(id);
      break;
    case H5I_DATASET:
      H5Dclose(id);
      break;
    case H5I_DATASPACE:
      H5Sclose(id);
      break;
    case H5I_DATATYPE:
      H5Tclose(id);
      break;
    case H5I_ATTR:
      H5Aclose(id);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id);
      break;
    default:
      H5Idec_ref(id);
      break;
  }
  H5Eclear2(H5E_DEFAULT);
}

// ---- Object
// ---------------------------------------------------------------------------------------------------

std::string Object::path() const {
  return object_name(id(), H5Iget_name);
}

std::string Object::file_name() const {
  return object_name(id(), H5Fget_name);
}

std::string Object::where(const std::string& child) const {
  std::string p = path();
  return file_name() + ":" + join_path(p.empty() ? "/" : p, child);
}

bool Object::has_attribute(const std::string& name) const {
  htri_t exists = H5Aexists(id(), name.c_str());
  if (exists < 0) fail(where(), "cannot look up attribute '" + name + "'");
  return exists > 0;
}

std::vector<std::string> Object::attribute_names() const {
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute_name, &names), where(),
        "cannot list the attributes");
  std::sort(names.begin(), names.end());
  return names;
}

Handle Object::open_attribute(const std::string& name) const {
  if (!has_attribute(name)) throw InputError(where() + ": attribute '" + name + "' not found");
  return checked(H5Aopen(id(), name.c_str(), H5P_DEFAULT), where() + "@" + name, "cannot open the attribute");
}

void Object::write_attribute_raw(const std::string& name, hid_t file_type, hid_t memory_type, const hsize_t* size,
                                 const void* data) {
  const std::string at = where() + "@" + name;
  // HDF5 keeps attributes in the object header (64 kB in all): arrays of data belong in datasets.
  constexpr hsize_t MAX_ATTRIBUTE_ELEMENTS = 64;
  if (size != nullptr && *size > MAX_ATTRIBUTE_ELEMENTS)
    throw std::logic_error(at + ": " + std::to_string(*size) + " values; attributes hold at most " +
                           std::to_string(MAX_ATTRIBUTE_ELEMENTS) + ", store the array as a dataset");
  Handle space = checked(size == nullptr ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, size, nullptr), at,
                         "cannot create a dataspace");
  if (has_attribute(name)) check(H5Adelete(id(), name.c_str()), at, "cannot replace the attribute");
  Handle attribute = checked(H5Acreate2(id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), at,
                             "cannot create the attribute");
  if (size == nullptr || *size > 0)
    check(H5Awrite(attribute.get(), memory_type, data), at, "cannot write the attribute");
}

void Object::write_attribute_string(const std::string& name, const std::string& value) {
  Handle type = vlen_string_type();
  const char* pointer = value.c_str();
  write_attribute_raw(name, type.get(), type.get(), nullptr, &pointer);
}

void Object::write_attribute_f64(const std::string& name, double value) {
  write_attribute_raw(name, Numeric<double>::file(), Numeric<double>::memory(), nullptr, &value);
}

void Object::write_attribute_i64(const std::string& name, std::int64_t value) {
  write_attribute_raw(name, Numeric<std::int64_t>::file(), Numeric<std::int64_t>::memory(), nullptr, &value);
}

void Object::write_attribute_vector_f64(const std::string& name, std::span<const double> values) {
  const hsize_t size = values.size();
  write_attribute_raw(name, Numeric<double>::file(), Numeric<double>::memory(), &size, values.data());
}

void Object::write_attribute_vector_i64(const std::string& name, std::span<const std::int64_t> values) {
  const hsize_t size = values.size();
  write_attribute_raw(name, Numeric<std::int64_t>::file(), Numeric<std::int64_t>::memory(), &size, values.data());
}

void Object::write_attribute_vector_i32(const std::string& name, std::span<const std::int32_t> values) {
  const hsize_t size = values.size();
  write_attribute_raw(name, Numeric<std::int32_t>::file(), Numeric<std::int32_t>::memory(), &size, values.data());
}

// ---- Dataset
// --------------------------------------------------------------------------------------------------

Dims Dataset::dims() const {
  Handle space = checked(H5Dget_space(id()), where(), "cannot read the shape");
  return detail::shape_of(space.get(), where()).dims;
}

// ---- Group
// ----------------------------------------------------------------------------------------------------

Group Group::create_group(const std::string& path) {
  const std::string at = where(path);
  check_new_link(path, at);
  if (exists(path)) throw InputError(at + ": cannot create the group, the name is already taken");
  Handle lcpl = intermediate_groups_lcpl(at);
  return Group(
      checked(H5Gcreate2(id(), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), at, "cannot create the group"));
}

Group Group::open_group(const std::string& path) const {
  const std::string at = where(path);
  if (!exists(path)) throw InputError(at + ": group not found");
  Handle object = checked(H5Oopen(id(), path.c_str(), H5P_DEFAULT), at, "cannot open the group");
  if (H5Iget_type(object.get()) != H5I_GROUP) throw InputError(at + ": is not a group");
  return Group(std::move(object));
}

bool Group::exists(const std::string& path) const {
  // H5Lexists needs every intermediate component to exist: check the prefixes one by one.
  std::string prefix = path.starts_with('/') ? "/" : "";
  std::size_t begin = 0;
  bool any = false;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string::npos) end = path.size();
    if (end > begin) {
      if (!prefix.empty() && prefix.back() != '/') prefix += '/';
      prefix.append(path, begin, end - begin);
      if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      // Files of this layer hold hard links only: a soft or external link (which HDF5 would follow, to another
      // object or another file) is refused before it is followed.
      H5L_info_t info{};
      if (H5Lget_info(id(), prefix.c_str(), &info, H5P_DEFAULT) < 0) fail(where(prefix), "cannot read the link");
      if (info.type != H5L_TYPE_HARD)
        throw InputError(where(prefix) + ": is " + (info.type == H5L_TYPE_SOFT ? "a soft" : "an external") +
                         " link; the format holds groups and datasets only");
      any = true;
    }
    begin = end + 1;
  }
  if (!any) return false;
  htri_t object = H5Oexists_by_name(id(), prefix.c_str(), H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return object > 0;
}

std::vector<std::string> Group::list() const {
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_link_name, &names), where(),
        "cannot list the group");
  std::sort(names.begin(), names.end());
  return names;
}

Dataset Group::open_dataset(const std::string& name) const {
  const std::string at = where(name);
  if (!exists(name)) throw InputError(at + ": dataset not found");
  Handle object = checked(H5Oopen(id(), name.c_str(), H5P_DEFAULT), at, "cannot open the dataset");
  if (H5Iget_type(object.get()) != H5I_DATASET) throw InputError(at + ": is not a dataset");
  return Dataset(std::move(object));
}

// ---- File
// -----------------------------------------------------------------------------------------------------

File File::create(const std::string& path) {
  silence_error_printing();
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) fail(path, "cannot create the HDF5 file");
  return File(Handle(id), path);
}

File File::create_in_memory(const std::string& name) {
  silence_error_printing();
  constexpr std::size_t GROWTH = std::size_t{4} << 20;  // bytes the in-memory image grows by
  const Handle access(H5Pcreate(H5P_FILE_ACCESS));
  if (!access.valid() || H5Pset_fapl_core(access.get(), GROWTH, false) < 0)
    fail(name, "cannot set up an in-memory HDF5 file");
  hid_t id = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get());
  if (id < 0) fail(name, "cannot create the HDF5 file in memory");
  return File(Handle(id), name);
}

File File::open_read(const std::string& path) {
  silence_error_printing();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": cannot open the HDF5 file: no such file");
  hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) fail(path, "cannot open the file as HDF5");
  return File(Handle(id), path);
}

Group File::root() const {
  return Group(checked(H5Gopen2(id(), "/", H5P_DEFAULT), path_, "cannot open '/'"));
}

std::vector<std::byte> File::close_to_image() {
  if (!handle_.valid()) throw std::logic_error(path_ + ": the file is already closed");
  const ssize_t objects =
      H5Fget_obj_count(id(), H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL);
  if (objects > 0)
    throw std::logic_error(path_ + ": cannot close the file, " + std::to_string(objects) +
                           " of its groups/datasets/attributes are still open");
  check(H5Fflush(id(), H5F_SCOPE_GLOBAL), path_, "cannot flush the in-memory HDF5 file");
  const ssize_t size = H5Fget_file_image(id(), nullptr, 0);
  if (size < 0) fail(path_, "cannot size the in-memory HDF5 file");
  std::vector<std::byte> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(id(), image.data(), image.size()) != size) fail(path_, "cannot copy the in-memory HDF5 file");
  close();
  return image;
}

void File::close() {
  if (!handle_.valid()) return;
  const ssize_t objects =
      H5Fget_obj_count(id(), H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL);
  if (objects > 0)
    throw std::logic_error(path_ + ": cannot close the file, " + std::to_string(objects) +
                           " of its groups/datasets/attributes are still open");
  const hid_t id = handle_.release();
  check(H5Fclose(id), path_, "cannot close the HDF5 file");
}

}  // namespace ttcg::h5
