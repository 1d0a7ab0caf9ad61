// Structure-aware damage to HDF5 files, for testing that readers check what they read (docs/hdf5-format.md): every
// group, dataset and attribute of a valid file can be removed, or rewritten through the HDF5 C API with another rank,
// other extents, another element type, extreme values, a null dataspace or a huge extent, or replaced by an object
// of the other kind. The file stays a valid HDF5 file, so the project's own checks are exercised, not HDF5's.
// Used by the exhaustive unit test (tests/unit/run/results_damage_test.cpp) and the fuzz target
// tests/fuzz/fuzz_results_structure.cpp.
#pragma once

#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ttcg::test {

//! A group, dataset, or attribute (of a group or dataset) of a file.
struct H5Target {
  std::string object;     //!< absolute path of the group or dataset
  std::string attribute;  //!< empty: the object itself
  bool dataset = false;   //!< the object is a dataset (else a group)
};

enum class Damage {
  remove,         //!< unlink the object, delete the attribute
  scalar,         //!< 0-d (a 0-d one becomes [2])
  add_dimension,  //!< one more dimension of extent 2
  grow,           //!< one extent (or all) one larger
  shrink,         //!< one extent (or all) one smaller
  empty,          //!< every extent 0
  retype,         //!< another element kind (integer, floating-point, string); a group becomes a dataset
  extreme,        //!< same kind and shape, every value extreme (-1, int32/int64 limits, ±1e308, NaN, inf, "", long)
  to_group,       //!< a dataset becomes an empty group
  null_space,     //!< an H5S_NULL dataspace
  huge,           //!< a dataset claiming 2^40 elements (chunked, nothing written)
};
constexpr int DAMAGE_KINDS = 11;

inline const char* to_string(Damage d) {
  constexpr const char* names[DAMAGE_KINDS] = {"remove", "scalar",  "add_dimension", "grow",       "shrink", "empty",
                                               "retype", "extreme", "to_group",      "null_space", "huge"};
  return names[static_cast<int>(d)];
}

namespace h5_damage_detail {

//! Owns one identifier (closed with H5Oclose/H5Aclose/... by type).
class Id {
 public:
  explicit Id(hid_t id = H5I_INVALID_HID) : id_(id) {}
  ~Id() { reset(); }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id(Id&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
      case H5I_FILE:
        H5Fclose(id_);
        break;
      case H5I_GROUP:
      case H5I_DATASET:
        H5Oclose(id_);
        break;
      case H5I_ATTR:
        H5Aclose(id_);
        break;
      case H5I_DATATYPE:
        H5Tclose(id_);
        break;
      case H5I_DATASPACE:
        H5Sclose(id_);
        break;
      case H5I_GENPROP_LST:
        H5Pclose(id_);
        break;
      default:
        break;
    }
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_;
};

enum class Kind { integer, floating, string, other };

struct Spec {
  Kind kind = Kind::floating;
  bool null = false;
  std::vector<hsize_t> dims;  // empty: 0-d
};

inline Kind kind_of(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return Kind::integer;
    case H5T_FLOAT:
      return Kind::floating;
    case H5T_STRING:
      return Kind::string;
    default:
      return Kind::other;
  }
}

inline Spec spec_of(hid_t type, hid_t space) {
  Spec s;
  s.kind = kind_of(type);
  const H5S_class_t c = H5Sget_simple_extent_type(space);
  s.null = c == H5S_NULL;
  if (c == H5S_SIMPLE) {
    s.dims.resize(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, s.dims.data(), nullptr);
  }
  return s;
}

inline Id file_type(Kind kind, unsigned variant) {
  switch (kind) {
    case Kind::integer:
      return Id(H5Tcopy(variant % 2 ? H5T_STD_I32LE : H5T_STD_I64LE));
    case Kind::floating:
    case Kind::other:
      return Id(H5Tcopy(variant % 2 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE));
    case Kind::string: {
      Id t(H5Tcopy(H5T_C_S1));
      H5Tset_size(t.get(), H5T_VARIABLE);
      H5Tset_cset(t.get(), H5T_CSET_UTF8);
      return t;
    }
  }
  return Id();
}

inline std::size_t count_of(const Spec& s) {
  if (s.null) return 0;
  std::size_t n = 1;
  for (const hsize_t d : s.dims) n *= static_cast<std::size_t>(d);
  return n;
}

//! Creates `name` in `parent` (a dataset when `attribute` is empty, else an attribute of the object `parent`) with
//! `spec`, filled with values chosen by `extreme`/`variant`.
inline bool create(hid_t parent, const std::string& name, bool attribute, const Spec& spec, bool extreme,
                   unsigned variant) {
  Id space(spec.null           ? H5Screate(H5S_NULL)
           : spec.dims.empty() ? H5Screate(H5S_SCALAR)
                               : H5Screate_simple(static_cast<int>(spec.dims.size()), spec.dims.data(), nullptr));
  Id type = file_type(spec.kind, variant);
  if (!space.valid() || !type.valid()) return false;
  Id object(attribute
                ? H5Acreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT)
                : H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!object.valid()) return false;
  const std::size_t n = count_of(spec);
  if (n == 0) return true;
  const auto write = [&](hid_t memory, const void* data) {
    return (attribute ? H5Awrite(object.get(), memory, data)
                      : H5Dwrite(object.get(), memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, data)) >= 0;
  };
  if (spec.kind == Kind::string) {
    const std::string long_text(5000, 'w');
    const char* choices[] = {"x", "", long_text.c_str(), "enumeration"};
    std::vector<const char*> values(n, extreme ? choices[1 + variant % 3] : choices[0]);
    Id memory = file_type(Kind::string, 0);
    return write(memory.get(), values.data());
  }
  if (spec.kind == Kind::integer) {
    const std::int64_t extremes[] = {-1, std::numeric_limits<std::int32_t>::max(),
                                     std::numeric_limits<std::int64_t>::min(), std::int64_t{1} << 40,
                                     std::numeric_limits<std::int64_t>::max()};
    std::vector<std::int64_t> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = extreme ? extremes[variant % 5] : static_cast<std::int64_t>(i % 3);
    return write(H5T_NATIVE_INT64, values.data());
  }
  const double extremes[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -1e308,
                             -1.0, 1e308};
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = extreme ? extremes[variant % 5] : static_cast<double>(i % 3);
  return write(H5T_NATIVE_DOUBLE, values.data());
}

inline herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(std::string("/") + name);
  return 0;
}

inline herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

inline std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

inline std::string leaf_of(const std::string& path) {
  return path.substr(path.find_last_of('/') + 1);
}

}  // namespace h5_damage_detail

//! Every group (the root included), dataset and attribute of the file, in a fixed order.
inline std::vector<H5Target> h5_targets(const std::string& path) {
  using namespace h5_damage_detail;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::vector<H5Target> out;
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid()) return out;
  std::vector<std::string> links{"/"};
  H5Lvisit(file.get(), H5_INDEX_NAME, H5_ITER_INC, collect_link, &links);
  for (const std::string& link : links) {
    Id object(H5Oopen(file.get(), link.c_str(), H5P_DEFAULT));
    if (!object.valid()) continue;
    const bool dataset = H5Iget_type(object.get()) == H5I_DATASET;
    out.push_back(H5Target{link, "", dataset});
    std::vector<std::string> attributes;
    hsize_t index = 0;
    H5Aiterate2(object.get(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &attributes);
    for (const std::string& a : attributes) out.push_back(H5Target{link, a, dataset});
  }
  return out;
}

//! Applies `damage` to `target` of the file at `path`; `variant` picks among its forms. False when it does not
//! apply to that target (the file is then unchanged).
inline bool damage_h5(const std::string& path, const H5Target& target, Damage damage, unsigned variant) {
  using namespace h5_damage_detail;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  if (!file.valid()) return false;
  const bool attribute = !target.attribute.empty();
  const bool group = !attribute && !target.dataset;
  if (group && target.object == "/") return false;

  if (damage == Damage::remove)
    return attribute ? H5Adelete_by_name(file.get(), target.object.c_str(), target.attribute.c_str(), H5P_DEFAULT) >= 0
                     : H5Ldelete(file.get(), target.object.c_str(), H5P_DEFAULT) >= 0;

  Id owner(H5Oopen(file.get(), attribute ? target.object.c_str() : parent_of(target.object).c_str(), H5P_DEFAULT));
  if (!owner.valid()) return false;
  const std::string name = attribute ? target.attribute : leaf_of(target.object);

  if (group) {  // a group becomes a dataset (retype) or nothing else applies
    if (damage != Damage::retype) return false;
    if (H5Ldelete(owner.get(), name.c_str(), H5P_DEFAULT) < 0) return false;
    return create(owner.get(), name, false, Spec{Kind::integer, false, {}}, false, variant);
  }

  Spec spec;
  {
    Id object(attribute ? H5Aopen(owner.get(), name.c_str(), H5P_DEFAULT)
                        : H5Dopen2(owner.get(), name.c_str(), H5P_DEFAULT));
    if (!object.valid()) return false;
    Id type(attribute ? H5Aget_type(object.get()) : H5Dget_type(object.get()));
    Id space(attribute ? H5Aget_space(object.get()) : H5Dget_space(object.get()));
    spec = spec_of(type.get(), space.get());
  }
  bool extreme = false;
  switch (damage) {
    case Damage::scalar:
      spec.dims = spec.dims.empty() ? std::vector<hsize_t>{2} : std::vector<hsize_t>{};
      spec.null = false;
      break;
    case Damage::add_dimension:
      spec.dims.push_back(2);
      break;
    case Damage::grow:
    case Damage::shrink: {
      if (spec.dims.empty()) return false;
      const bool all = variant % 2 == 1;
      const std::size_t one = (variant / 2) % spec.dims.size();
      for (std::size_t i = 0; i < spec.dims.size(); ++i)
        if (all || i == one)
          spec.dims[i] = damage == Damage::grow ? spec.dims[i] + 1 : spec.dims[i] > 0 ? spec.dims[i] - 1 : 0;
      break;
    }
    case Damage::empty:
      if (spec.dims.empty()) spec.dims = {0};
      for (hsize_t& d : spec.dims) d = 0;
      break;
    case Damage::retype:
      spec.kind = spec.kind == Kind::integer    ? (variant % 2 ? Kind::string : Kind::floating)
                  : spec.kind == Kind::floating ? (variant % 2 ? Kind::string : Kind::integer)
                                                : (variant % 2 ? Kind::integer : Kind::floating);
      break;
    case Damage::extreme:
      if (spec.kind == Kind::other) return false;
      extreme = true;
      break;
    case Damage::to_group:
      if (attribute) return false;
      if (H5Ldelete(owner.get(), name.c_str(), H5P_DEFAULT) < 0) return false;
      return Id(H5Gcreate2(owner.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)).valid();
    case Damage::null_space:
      spec.null = true;
      break;
    case Damage::huge: {
      if (attribute) return false;
      if (H5Ldelete(owner.get(), name.c_str(), H5P_DEFAULT) < 0) return false;
      const hsize_t extent = hsize_t{1} << 40, chunk = 1024;
      Id space(H5Screate_simple(1, &extent, nullptr));
      Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
      H5Pset_chunk(dcpl.get(), 1, &chunk);
      Id type = file_type(spec.kind, variant);
      return Id(H5Dcreate2(owner.get(), name.c_str(), type.get(), space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT))
          .valid();
    }
    case Damage::remove:
      return false;
  }
  if (count_of(spec) > (std::size_t{1} << 20)) return false;  // keep damaged files small
  if ((attribute ? H5Adelete(owner.get(), name.c_str()) : H5Ldelete(owner.get(), name.c_str(), H5P_DEFAULT)) < 0)
    return false;
  return create(owner.get(), name, attribute, spec, extreme, variant);
}

}  // namespace ttcg::test
