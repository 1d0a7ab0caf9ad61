// A thin RAII layer over the HDF5 C API, used to write and read the project's result files.
//
// Handles own one hid_t each and close it with the matching H5*close; File, Group, Dataset and Handle are
// non-copyable and movable. HDF5 keeps a file open while any of its objects is open: a file is complete on
// disk once its File and every Group/Dataset taken from it are gone (or File::close() was called with none
// left).
//
// Every dataset is written with its spec: the name of each of its dimensions and the string attributes `units`
// ("USD", "token", "1", "s") and `description`. Dimensions follow netCDF-4 (HDF5 dimension scales, H5DS): a
// dimension `d` of a dataset written through group G is the dataset G/d, attached to that axis. When G/d exists it is
// the coordinate variable (its values label the axis: `beta`, `provider`, ...; write it first, with {"d"} as its own
// dimension); otherwise the layer creates G/d as a dimension without coordinate values (netCDF-4's marker NAME,
// no data stored). So xarray (engine h5netcdf) reads every array with named dimensions. One dimension has one
// length within a group. Numbers are stored little-endian (f64, f32, i32, i64, u8); strings are variable-length
// UTF-8 (h5py decodes them as str). Datasets of more than LARGE_DATASET_ELEMENTS elements (per-market and per-user
// arrays) are chunked (chunks of at most CHUNK_ELEMENTS elements, whole rows) and compressed (shuffle + deflate level
// DEFLATE_LEVEL); smaller ones are contiguous. Dims or dimension names that do not match the data when writing are a
// std::logic_error (a bug, not bad input).
//
// Files read back are not trusted: every read states what the format promises (the element kind and the shape,
// with ANY for an extent the reader learns from the file) and the layer checks the dataset or attribute against it
// before anything is allocated or read: "file:/path/to/dataset: expected float64[103,9], found int32[5]" (an
// InputError; "file:/object/path@name" for an attribute). Floating-point reads take floating-point data of any
// width, integer reads integer data whose every value fits the requested type, string reads variable- or
// fixed-length strings; a read of more than MAX_READ_BYTES is refused. There is no unchecked read.
//
// HDF5's automatic error-stack printing is turned off when a file is created or opened: failures surface only
// as exceptions, carrying the innermost HDF5 message. The serial HDF5 library is not thread-safe: use one
// thread.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ttcg::h5 {

//! Shape of a dataset or attribute; empty means 0-d (scalar).
using Dims = std::vector<hsize_t>;

//! A count (a size_t or a non-negative int64) as a dataset extent.
template <class Count>
constexpr hsize_t extent(Count n) {
  return static_cast<hsize_t>(n);
}

//! Names of a dataset's dimensions, one per axis (e.g. {"beta", "provider"}); netCDF-4 dimensions of the group the
//! dataset is written through.
using DimNames = std::vector<std::string>;

//! Datasets with more elements than this are chunked and compressed.
constexpr std::size_t LARGE_DATASET_ELEMENTS = std::size_t{64} * 1024;
//! Most elements in one chunk of a compressed dataset (whole trailing rows, a slab of the leading dimension).
constexpr std::size_t CHUNK_ELEMENTS = std::size_t{64} * 1024;
//! NAME of a dimension scale without coordinate values: netCDF-4's marker (followed by the length in 10 columns),
//! which netCDF and h5netcdf read as a dimension that is not a variable.
constexpr const char* DIMENSION_WITHOUT_COORDINATE = "This is a netCDF dimension but not a netCDF variable.";
//! Deflate (gzip) level of compressed datasets.
constexpr unsigned DEFLATE_LEVEL = 4;
//! In an expected shape: an extent that the reader takes from the file (shown as "*" in messages).
constexpr hsize_t ANY = std::numeric_limits<hsize_t>::max();
//! The most bytes one read may load into memory (a dataset or an attribute, as converted); a larger one is an
//! InputError before anything is allocated: no result file holds a dataset that large, only a damaged one claims it.
constexpr std::size_t MAX_READ_BYTES = std::size_t{1} << 30;

//! Turns off HDF5's automatic printing of its error stack (idempotent; done by File::create/open_read).
void silence_error_printing();

//! Owns one HDF5 identifier (file, group, dataset, dataspace, datatype, attribute, property list).
class Handle {
 public:
  Handle() = default;
  //! Takes ownership of `id` (a negative id makes an empty handle).
  explicit Handle(hid_t id) noexcept : id_(id) {}
  ~Handle() { reset(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept;

  //! The identifier, for direct HDF5 calls (still owned by the handle).
  hid_t get() const { return id_; }
  //! Whether the handle owns an identifier.
  bool valid() const { return id_ >= 0; }
  //! Gives up ownership without closing.
  hid_t release() noexcept;
  //! Closes the identifier (errors ignored) and leaves the handle empty.
  void reset() noexcept;

 private:
  hid_t id_ = H5I_INVALID_HID;
};

//! What groups and datasets share: a name in a file, and attributes.
//! Attribute writers replace an existing attribute of the same name.
class Object {
 public:
  //! The identifier, for direct HDF5 calls (still owned by the object).
  hid_t id() const { return handle_.get(); }
  //! Path inside the file, e.g. "/market/gsm8k-majority".
  std::string path() const;
  //! Name of the file, as it was created or opened.
  std::string file_name() const;
  //! "file:/path[/child]", the location used in error messages.
  std::string where(const std::string& child = {}) const;

  //! Whether the attribute exists.
  bool has_attribute(const std::string& name) const;
  //! Names of all attributes, sorted.
  std::vector<std::string> attribute_names() const;

  //! Attribute writers: strings as variable-length UTF-8, numbers as f64 / i64 / i32; vectors are 1-D.
  void write_attribute_string(const std::string& name, const std::string& value);
  void write_attribute_f64(const std::string& name, double value);
  void write_attribute_i64(const std::string& name, std::int64_t value);
  void write_attribute_vector_f64(const std::string& name, std::span<const double> values);
  void write_attribute_vector_i64(const std::string& name, std::span<const std::int64_t> values);
  void write_attribute_vector_i32(const std::string& name, std::span<const std::int32_t> values);

  //! Attribute readers: a 0-d attribute of the kind asked for (InputError if missing or anything else).
  std::string read_attribute_string(const std::string& name) const;
  double read_attribute_f64(const std::string& name) const;
  std::int64_t read_attribute_i64(const std::string& name) const;
  //! 1-D attributes of `length` elements (ANY: any length).
  std::vector<double> read_attribute_vector_f64(const std::string& name, hsize_t length) const;
  std::vector<std::int64_t> read_attribute_vector_i64(const std::string& name, hsize_t length) const;
  std::vector<std::int32_t> read_attribute_vector_i32(const std::string& name, hsize_t length) const;

 protected:
  Object() = default;
  explicit Object(Handle handle) : handle_(std::move(handle)) {}

 private:
  Handle open_attribute(const std::string& name) const;
  //! Writes a scalar attribute (size == nullptr) or a 1-D one of *size elements, replacing any existing one.
  void write_attribute_raw(const std::string& name, hid_t file_type, hid_t memory_type, const hsize_t* size,
                           const void* data);
  Handle handle_;
};

//! An open dataset: its shape, and its attributes (units, description and any other).
class Dataset : public Object {
 public:
  //! Takes ownership of a dataset identifier.
  explicit Dataset(Handle handle) : Object(std::move(handle)) {}
  //! Shape; empty for a 0-d dataset.
  Dims dims() const;
  //! The dimension name of each axis (the name of the attached dimension scale; "" for an axis without one).
  std::vector<std::string> dimension_names() const;
  //! Whether the dataset is a dimension scale: a coordinate variable or a dimension without coordinate values.
  bool is_dimension() const;
  //! Whether the dataset is a dimension without coordinate values (no data: it only names and sizes an axis).
  bool is_dimension_without_coordinate() const;

  //! How a dataset is stored.
  struct Storage {
    Dims chunk;              //!< chunk shape; empty when contiguous (or compact)
    bool shuffle = false;    //!< the shuffle filter is on
    int deflate_level = -1;  //!< deflate (gzip) level; -1 when not deflated
  };
  //! The storage of the dataset, from its creation property list.
  Storage storage() const;
};

//! An open group (the root group included). Paths may have several components ("market/gsm8k-majority").
class Group : public Object {
 public:
  //! Takes ownership of a group identifier.
  explicit Group(Handle handle) : Object(std::move(handle)) {}

  //! Creates the group and any missing intermediate groups; InputError if it already exists.
  Group create_group(const std::string& path);
  //! InputError if the group does not exist.
  Group open_group(const std::string& path) const;
  //! Whether a group or dataset exists at `path` (intermediate components may be missing). A soft or external link
  //! on the way is an InputError: it is never followed (this layer writes hard links only).
  bool exists(const std::string& path) const;
  //! Names of the direct children (groups and datasets), sorted.
  std::vector<std::string> list() const;
  //! InputError if the dataset does not exist or `name` is not a dataset.
  Dataset open_dataset(const std::string& name) const;

  //! Writes a dataset of shape `dims` (empty: 1-D of data.size()) in row-major order, with its dimensions
  //! `dim_names` (one per axis; see the file comment) and its `units` and `description` attributes.
  //! std::logic_error if the product of dims differs from data.size(), if the names are not one plain name per axis,
  //! or if a dimension has another length in this group (or names a dataset that is not 1-D); InputError if the name
  //! is taken. Missing intermediate groups in `name` are created; its dimensions are this group's.
  Dataset write(const std::string& name, std::span<const double> data, const Dims& dims, const DimNames& dim_names,
                const std::string& units, const std::string& description);
  Dataset write(const std::string& name, std::span<const float> data, const Dims& dims, const DimNames& dim_names,
                const std::string& units, const std::string& description);
  Dataset write(const std::string& name, std::span<const std::int32_t> data, const Dims& dims,
                const DimNames& dim_names, const std::string& units, const std::string& description);
  Dataset write(const std::string& name, std::span<const std::int64_t> data, const Dims& dims,
                const DimNames& dim_names, const std::string& units, const std::string& description);
  Dataset write(const std::string& name, std::span<const std::uint8_t> data, const Dims& dims,
                const DimNames& dim_names, const std::string& units, const std::string& description);
  //! Strings are written as variable-length UTF-8 (an embedded NUL ends a string).
  Dataset write(const std::string& name, std::span<const std::string> data, const Dims& dims, const DimNames& dim_names,
                const std::string& units, const std::string& description);

  //! Creates the dimension `name` of `length` entries without coordinate values (netCDF-4's marker dataset, no data
  //! stored); write() makes them as needed. InputError if the name is taken.
  Dataset create_dimension(const std::string& name, hsize_t length);

  //! Writes a 0-d dataset with its `units` and `description` attributes.
  Dataset write_scalar(const std::string& name, double value, const std::string& units, const std::string& description);
  Dataset write_scalar(const std::string& name, float value, const std::string& units, const std::string& description);
  Dataset write_scalar(const std::string& name, std::int32_t value, const std::string& units,
                       const std::string& description);
  Dataset write_scalar(const std::string& name, std::int64_t value, const std::string& units,
                       const std::string& description);
  Dataset write_scalar(const std::string& name, std::uint8_t value, const std::string& units,
                       const std::string& description);
  Dataset write_scalar(const std::string& name, const std::string& value, const std::string& units,
                       const std::string& description);

  //! Reads a whole dataset in row-major order after checking it against `expected`: its rank and, where not ANY,
  //! its extents ({} is 0-d), and the kind of its elements (read_f64: floating-point; the integer readers: integers
  //! whose values fit; read_strings: variable- or fixed-length strings). `found` (when given) receives the shape.
  std::vector<double> read_f64(const std::string& name, const Dims& expected, Dims* found = nullptr) const;
  std::vector<std::int32_t> read_i32(const std::string& name, const Dims& expected, Dims* found = nullptr) const;
  std::vector<std::int64_t> read_i64(const std::string& name, const Dims& expected, Dims* found = nullptr) const;
  std::vector<std::uint8_t> read_u8(const std::string& name, const Dims& expected, Dims* found = nullptr) const;
  std::vector<std::string> read_strings(const std::string& name, const Dims& expected, Dims* found = nullptr) const;

  //! Read a 0-d dataset; InputError for any other shape or kind.
  double read_scalar_f64(const std::string& name) const;
  std::int64_t read_scalar_i64(const std::string& name) const;
  std::string read_scalar_string(const std::string& name) const;
};

//! An open HDF5 file.
class File {
 public:
  //! Creates (truncating) a file for writing; InputError naming the path on failure.
  static File create(const std::string& path);
  //! Creates a file in memory (HDF5's core driver, no backing store): nothing touches the disk until the image from
  //! close_to_image() is written, so disk errors are the writer's own (with strerror), never HDF5's. `name` labels
  //! error messages.
  static File create_in_memory(const std::string& name);
  //! Opens an existing file read-only; InputError naming the path if it is missing or not HDF5.
  static File open_read(const std::string& path);

  //! The root group "/".
  Group root() const;
  //! The path the file was created or opened with.
  const std::string& path() const { return path_; }
  //! The file identifier, for direct HDF5 calls.
  hid_t id() const { return handle_.get(); }
  //! Closes the file now, reporting failures (the destructor ignores them). std::logic_error if a group or
  //! dataset of this file is still open (the file would stay open on disk).
  void close();
  //! Closes a file made by create_in_memory and returns its bytes, a complete HDF5 file (std::logic_error as
  //! close() when objects are still open).
  std::vector<std::byte> close_to_image();

 private:
  File(Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  Handle handle_;
  std::string path_;
};

}  // namespace ttcg::h5
