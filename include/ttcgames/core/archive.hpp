// Byte archives for work-unit results: what one MPI rank sends to rank 0 and what a checkpoint journal stores.
//
// The encoding is the in-memory little-endian representation of fixed-width integers and IEEE-754 doubles, with
// 64-bit length prefixes for vectors and strings. Doubles travel bit for bit (NaN payloads and signed zeros
// included), so a result decoded from an archive is identical to the one computed: merged outputs do not depend
// on which rank computed a unit or whether it was read back from a checkpoint. Archives are exchanged between
// processes of one job and one ttcgames build; they are not a long-term file format (HDF5 is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "ttcgames/core/error.hpp"

namespace ttcg {

using Bytes = std::vector<std::byte>;

static_assert(sizeof(double) == 8 && std::numeric_limits<double>::is_iec559, "archives need IEEE-754 doubles");

class ArchiveWriter {
 public:
  template <class T>
  requires std::is_arithmetic_v<T>
  void put(T value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <class T>
  requires std::is_arithmetic_v<T>
  void put(const std::vector<T>& values) {
    put<std::uint64_t>(values.size());
    const auto* p = reinterpret_cast<const std::byte*>(values.data());
    bytes_.insert(bytes_.end(), p, p + values.size() * sizeof(T));
  }
  void put(const std::string& s) {
    put<std::uint64_t>(s.size());
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    bytes_.insert(bytes_.end(), p, p + s.size());
  }
  void put(const Bytes& b) {
    put<std::uint64_t>(b.size());
    bytes_.insert(bytes_.end(), b.begin(), b.end());
  }
  void put(const std::vector<std::string>& values) {
    put<std::uint64_t>(values.size());
    for (const std::string& s : values) put(s);
  }

  const Bytes& bytes() const { return bytes_; }
  Bytes take() { return std::move(bytes_); }

 private:
  Bytes bytes_;
};

//! Reads what an ArchiveWriter wrote, in the same order; a short or overlong archive is an InputError naming
//! `what` (a corrupt checkpoint record or message).
class ArchiveReader {
 public:
  //! Reads `bytes`, which must outlive the reader.
  ArchiveReader(const Bytes& bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  ArchiveReader(Bytes&&, std::string) = delete;

  template <class T>
  requires std::is_arithmetic_v<T> T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  template <class T>
  requires std::is_arithmetic_v<T> std::vector<T> get_vector() {
    const std::uint64_t n = get<std::uint64_t>();
    if (n > (bytes_.size() - pos_) / sizeof(T)) fail();
    std::vector<T> values(n);
    if (n > 0) std::memcpy(values.data(), take(n * sizeof(T)), n * sizeof(T));
    return values;
  }
  std::string get_string() {
    const std::uint64_t n = get<std::uint64_t>();
    if (n > bytes_.size() - pos_) fail();
    const std::byte* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), n);
  }
  Bytes get_bytes() {
    const std::uint64_t n = get<std::uint64_t>();
    if (n > bytes_.size() - pos_) fail();
    const std::byte* p = take(n);
    return Bytes(p, p + n);
  }
  std::vector<std::string> get_strings() {
    const std::uint64_t n = get<std::uint64_t>();
    if (n > bytes_.size() - pos_) fail();
    std::vector<std::string> values;
    for (std::uint64_t i = 0; i < n; ++i) values.push_back(get_string());
    return values;
  }
  //! InputError unless every byte was read.
  void finish() const {
    if (pos_ != bytes_.size()) fail();
  }

 private:
  const std::byte* take(std::size_t n) {
    if (n > bytes_.size() - pos_) fail();
    const std::byte* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  [[noreturn]] void fail() const {
    throw InputError(what_ + ": truncated or malformed archive (" + std::to_string(bytes_.size()) + " bytes, at byte " +
                     std::to_string(pos_) + ")");
  }

  const Bytes& bytes_;
  std::string what_;
  std::size_t pos_ = 0;
};

}  // namespace ttcg
