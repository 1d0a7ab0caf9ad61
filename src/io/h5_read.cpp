// The reading half of the HDF5 layer (h5.hpp): every read states the element kind and the shape the format
// promises, and the dataset or attribute is checked against them before anything is allocated or read.
#include <hdf5.h>

#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "h5_detail.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg::h5 {

namespace {

using detail::checked;
using detail::fail;
using detail::Shape;

//! The element kinds a reader can ask for.
enum class Kind { floating, integer, string };

template <class T>
constexpr const char* type_name() {
  if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
  if constexpr (std::is_same_v<T, std::int64_t>) return "int64";
  if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
  if constexpr (std::is_same_v<T, std::string>) return "string";
  return "float64";
}

//! "[103,9]" ("*" for ANY), " scalar" for 0-d.
std::string shape_text(const Dims& dims) {
  if (dims.empty()) return " scalar";
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i)
    s += (i ? "," : "") + (dims[i] == ANY ? std::string("*") : std::to_string(dims[i]));
  return s + "]";
}

//! The element type of a file object as a reader would name it: "int32", "uint8", "float32", "string", ...
std::string type_text(hid_t type) {
  const std::string bits = std::to_string(8 * H5Tget_size(type));
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + bits;
    case H5T_FLOAT:
      return "float" + bits;
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_ENUM:
      return "enum";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_REFERENCE:
      return "reference";
    case H5T_TIME:
      return "time";
    default:
      return "unknown type";
  }
}

//! A dataset or an attribute to read whole.
struct Source {
  hid_t id;
  bool attribute;
  std::string where;

  Handle type() const {
    return checked(attribute ? H5Aget_type(id) : H5Dget_type(id), where, "cannot read the datatype");
  }
  Shape shape() const {
    Handle space = checked(attribute ? H5Aget_space(id) : H5Dget_space(id), where, "cannot read the shape");
    return detail::shape_of(space.get(), where);
  }
  void read(hid_t memory_type, void* buffer, const std::string& as) const {
    herr_t rc =
        attribute ? H5Aread(id, memory_type, buffer) : H5Dread(id, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
    if (rc < 0) fail(where, "cannot read as " + as);
  }
};

//! What a checked source turned out to be.
struct Checked {
  Handle type;
  Shape shape;
};

bool shape_matches(const Shape& shape, const Dims& expected) {
  if (shape.null || shape.dims.size() != expected.size()) return false;
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (expected[i] != ANY && expected[i] != shape.dims[i]) return false;
  return true;
}

//! Checks the kind and shape of `source` against what the format promises, and that reading it fits in
//! MAX_READ_BYTES (`element_bytes` per element in memory; 0: the file type's size); InputError otherwise.
Checked check_source(const Source& source, Kind kind, const char* expected_type, const Dims& expected,
                     std::size_t element_bytes) {
  Checked c{source.type(), source.shape()};
  const H5T_class_t cls = H5Tget_class(c.type.get());
  if (cls == H5T_NO_CLASS) fail(source.where, "cannot read the datatype");
  const bool kind_ok = (kind == Kind::floating && cls == H5T_FLOAT) || (kind == Kind::integer && cls == H5T_INTEGER) ||
                       (kind == Kind::string && cls == H5T_STRING);
  if (!kind_ok || !shape_matches(c.shape, expected))
    throw InputError(source.where + ": expected " + expected_type + shape_text(expected) + ", found " +
                     type_text(c.type.get()) + (c.shape.null ? " with a null dataspace" : shape_text(c.shape.dims)));
  if (element_bytes == 0) element_bytes = H5Tget_size(c.type.get());
  if (element_bytes == 0 || c.shape.count > MAX_READ_BYTES / element_bytes)
    throw InputError(source.where + ": " + type_text(c.type.get()) + shape_text(c.shape.dims) + " is " +
                     (element_bytes == 0 ? std::string("of an unusable element size")
                                         : "larger than the " + std::to_string(MAX_READ_BYTES) +
                                               " bytes a reader loads (the file is damaged)"));
  return c;
}

std::vector<double> read_doubles(const Source& source, const Dims& expected, Dims* found) {
  const Checked c = check_source(source, Kind::floating, "float64", expected, sizeof(double));
  std::vector<double> out(c.shape.count);
  if (!out.empty()) source.read(H5T_NATIVE_DOUBLE, out.data(), "float64");
  if (found) *found = c.shape.dims;
  return out;
}

//! Reads integer data as int64 (via uint64 for unsigned 64-bit data, so that no value is clamped silently), then
//! narrows to T with every value range-checked.
template <class T>
std::vector<T> read_integers(const Source& source, const Dims& expected, Dims* found) {
  const char* as = type_name<T>();
  const Checked c = check_source(source, Kind::integer, as, expected, sizeof(std::int64_t));
  std::vector<std::int64_t> wide(c.shape.count);
  if (!wide.empty()) {
    if (H5Tget_sign(c.type.get()) == H5T_SGN_NONE && H5Tget_size(c.type.get()) >= sizeof(std::uint64_t)) {
      std::vector<std::uint64_t> raw(c.shape.count);
      source.read(H5T_NATIVE_UINT64, raw.data(), as);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          throw InputError(source.where + ": value " + std::to_string(raw[i]) + " at index " + std::to_string(i) +
                           " does not fit in " + as);
        wide[i] = static_cast<std::int64_t>(raw[i]);
      }
    } else {
      source.read(H5T_NATIVE_INT64, wide.data(), as);
    }
  }
  if (found) *found = c.shape.dims;
  if constexpr (std::is_same_v<T, std::int64_t>) {
    return wide;
  } else {
    std::vector<T> out(wide.size());
    for (std::size_t i = 0; i < wide.size(); ++i) {
      if (wide[i] < std::numeric_limits<T>::min() || wide[i] > std::numeric_limits<T>::max())
        throw InputError(source.where + ": value " + std::to_string(wide[i]) + " at index " + std::to_string(i) +
                         " does not fit in " + as);
      out[i] = static_cast<T>(wide[i]);
    }
    return out;
  }
}

//! Frees the strings HDF5 allocated for a variable-length read, whatever happens after the read.
class VlenBuffer {
 public:
  VlenBuffer(std::size_t count, hid_t memory_type, const Shape& shape) : pointers_(count, nullptr), type_(memory_type) {
    if (shape.dims.empty()) {
      space_ = Handle(H5Screate(H5S_SCALAR));
    } else {
      space_ = Handle(H5Screate_simple(static_cast<int>(shape.dims.size()), shape.dims.data(), nullptr));
    }
  }
  ~VlenBuffer() {
    if (space_.valid()) {
#if H5_VERSION_GE(1, 12, 0)
      H5Treclaim(type_, space_.get(), H5P_DEFAULT, pointers_.data());
#else
      H5Dvlen_reclaim(type_, space_.get(), H5P_DEFAULT, pointers_.data());
#endif
    }
  }
  VlenBuffer(const VlenBuffer&) = delete;
  VlenBuffer& operator=(const VlenBuffer&) = delete;
  char** data() {
    return pointers_.data();
  }

 private:
  std::vector<char*> pointers_;
  hid_t type_;
  Handle space_;
};

std::vector<std::string> read_string_values(const Source& source, const Dims& expected, Dims* found) {
  // The type's size: a pointer per element for variable-length strings (their text is HDF5's to bound), the
  // declared size for fixed-length ones.
  const Checked c = check_source(source, Kind::string, "string", expected, 0);
  const htri_t variable = H5Tis_variable_str(c.type.get());
  if (variable < 0) fail(source.where, "cannot read the string type");
  std::vector<std::string> out(c.shape.count);
  if (found) *found = c.shape.dims;
  if (out.empty()) return out;
  const H5T_cset_t cset = H5Tget_cset(c.type.get());
  if (variable > 0) {
    Handle memory = detail::vlen_string_type(cset);
    VlenBuffer buffer(c.shape.count, memory.get(), c.shape);
    source.read(memory.get(), buffer.data(), "strings");
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (buffer.data()[i] != nullptr) out[i] = buffer.data()[i];
    }
  } else {
    const std::size_t size = H5Tget_size(c.type.get());
    Handle memory(H5Tcopy(H5T_C_S1));
    if (!memory.valid() || H5Tset_size(memory.get(), size) < 0 || H5Tset_cset(memory.get(), cset) < 0 ||
        H5Tset_strpad(memory.get(), H5T_STR_NULLPAD) < 0)
      fail(source.where, "cannot build the fixed-length string type");
    std::vector<char> buffer(size * c.shape.count);
    source.read(memory.get(), buffer.data(), "strings");
    for (std::size_t i = 0; i < out.size(); ++i) {
      const char* s = buffer.data() + i * size;
      out[i].assign(s, strnlen(s, size));
    }
  }
  return out;
}

template <class T>
T only(std::vector<T> values) {
  return std::move(values.front());  // the shape check made it exactly one element
}

template <class T, class Reader>
std::vector<T> read_dataset(const Group& group, const std::string& name, const Dims& expected, Dims* found,
                            Reader reader) {
  Dataset dataset = group.open_dataset(name);
  return reader(Source{dataset.id(), false, group.where(name)}, expected, found);
}

}  // namespace

// ---- Object
// ---------------------------------------------------------------------------------------------------

std::string Object::read_attribute_string(const std::string& name) const {
  Handle attribute = open_attribute(name);
  return only(read_string_values(Source{attribute.get(), true, where() + "@" + name}, {}, nullptr));
}

double Object::read_attribute_f64(const std::string& name) const {
  Handle attribute = open_attribute(name);
  return only(read_doubles(Source{attribute.get(), true, where() + "@" + name}, {}, nullptr));
}

std::int64_t Object::read_attribute_i64(const std::string& name) const {
  Handle attribute = open_attribute(name);
  return only(read_integers<std::int64_t>(Source{attribute.get(), true, where() + "@" + name}, {}, nullptr));
}

std::vector<double> Object::read_attribute_vector_f64(const std::string& name, hsize_t length) const {
  Handle attribute = open_attribute(name);
  return read_doubles(Source{attribute.get(), true, where() + "@" + name}, {length}, nullptr);
}

std::vector<std::int64_t> Object::read_attribute_vector_i64(const std::string& name, hsize_t length) const {
  Handle attribute = open_attribute(name);
  return read_integers<std::int64_t>(Source{attribute.get(), true, where() + "@" + name}, {length}, nullptr);
}

std::vector<std::int32_t> Object::read_attribute_vector_i32(const std::string& name, hsize_t length) const {
  Handle attribute = open_attribute(name);
  return read_integers<std::int32_t>(Source{attribute.get(), true, where() + "@" + name}, {length}, nullptr);
}

// ---- Group
// ----------------------------------------------------------------------------------------------------

std::vector<double> Group::read_f64(const std::string& name, const Dims& expected, Dims* found) const {
  return read_dataset<double>(*this, name, expected, found, read_doubles);
}

std::vector<std::int32_t> Group::read_i32(const std::string& name, const Dims& expected, Dims* found) const {
  return read_dataset<std::int32_t>(*this, name, expected, found, read_integers<std::int32_t>);
}

std::vector<std::int64_t> Group::read_i64(const std::string& name, const Dims& expected, Dims* found) const {
  return read_dataset<std::int64_t>(*this, name, expected, found, read_integers<std::int64_t>);
}

std::vector<std::uint8_t> Group::read_u8(const std::string& name, const Dims& expected, Dims* found) const {
  return read_dataset<std::uint8_t>(*this, name, expected, found, read_integers<std::uint8_t>);
}

std::vector<std::string> Group::read_strings(const std::string& name, const Dims& expected, Dims* found) const {
  return read_dataset<std::string>(*this, name, expected, found, read_string_values);
}

double Group::read_scalar_f64(const std::string& name) const {
  return only(read_f64(name, {}));
}

std::int64_t Group::read_scalar_i64(const std::string& name) const {
  return only(read_i64(name, {}));
}

std::string Group::read_scalar_string(const std::string& name) const {
  return only(read_strings(name, {}));
}

}  // namespace ttcg::h5
