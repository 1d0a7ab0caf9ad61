// Run-log bytes (private to the run-log reader): a file, a pipe or standard input, plain, gzip or zstd. The
// format is sniffed from the first bytes, which are kept and handed on (never re-read by seeking: a pipe cannot
// seek), so no byte is lost.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace ttcg::runlog_detail {

//! Bytes read from a source per call while reading a run log.
constexpr std::size_t IO_BYTES = std::size_t{1} << 20;

//! A stream of run-log bytes.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  //! Reads up to n bytes; 0 only at the end. Throws InputError on corrupt input.
  virtual std::size_t read(char* dst, std::size_t n) = 0;
};

//! What messages call the file: its path, or "<stdin>" for STDIN_PATH.
std::string display_name(const std::string& path);

//! Opens a run-log file (or standard input for STDIN_PATH) as plain, gzip or zstd data by its magic bytes.
std::unique_ptr<ByteSource> open_source(const std::string& path);

}  // namespace ttcg::runlog_detail
