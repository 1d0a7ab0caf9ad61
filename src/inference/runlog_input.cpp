#include "runlog_input.hpp"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace ttcg::runlog_detail {

std::string display_name(const std::string& path) {
  return path == STDIN_PATH ? std::string("<stdin>") : path;
}

namespace {

//! The raw bytes of a file or of standard input, with the first few bytes peeked for the format sniff.
class RawInput {
 public:
  explicit RawInput(const std::string& path) : name_(display_name(path)) {
    if (path == STDIN_PATH) {
      const int fd = ::dup(STDIN_FILENO);
      f_ = fd < 0 ? nullptr : ::fdopen(fd, "rb");
      if (!f_) {
        if (fd >= 0) ::close(fd);
        throw InputError(name_ + ": cannot read standard input (" + std::string(std::strerror(errno)) + ")");
      }
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not a run-log file");
      f_ = std::fopen(path.c_str(), "rb");
      if (!f_) throw InputError(path + ": cannot open (" + std::string(std::strerror(errno)) + ")");
    }
    while (peeked_.size() < MAGIC_BYTES) {  // a pipe may deliver fewer bytes per read
      unsigned char c[MAGIC_BYTES];
      const std::size_t got = fread_checked(c, MAGIC_BYTES - peeked_.size());
      if (got == 0) break;
      peeked_.insert(peeked_.end(), c, c + got);
    }
  }
  ~RawInput() { std::fclose(f_); }
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

  //! The first bytes (fewer at the end of a short input), still to be read.
  const std::vector<unsigned char>& peeked() const { return peeked_; }
  //! Reads up to n bytes (the peeked ones first); 0 only at the end.
  std::size_t read(void* dst, std::size_t n) {
    auto* out = static_cast<unsigned char*>(dst);
    std::size_t done = 0;
    while (done < n && next_peeked_ < peeked_.size()) out[done++] = peeked_[next_peeked_++];
    if (done == n) return done;
    return done + fread_checked(out + done, n - done);
  }
  const std::string& name() const { return name_; }

  static constexpr std::size_t MAGIC_BYTES = 4;

 private:
  std::size_t fread_checked(void* dst, std::size_t n) {
    const std::size_t got = std::fread(dst, 1, n, f_);
    if (got == 0 && std::ferror(f_)) throw InputError(name_ + ": read error (" + std::strerror(errno) + ")");
    return got;
  }

  std::string name_;
  std::FILE* f_ = nullptr;
  std::vector<unsigned char> peeked_;
  std::size_t next_peeked_ = 0;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<RawInput> in) : in_(std::move(in)) {}
  std::size_t read(char* dst, std::size_t n) override { return in_->read(dst, n); }

 private:
  std::unique_ptr<RawInput> in_;
};

//! gzip data (one or more members, as gzip writes them when files are concatenated), inflated as a stream.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<RawInput> in) : in_(std::move(in)), buffer_(IO_BYTES) {
    if (inflateInit2(&z_, GZIP_WINDOW_BITS) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSource() override { inflateEnd(&z_); }
  std::size_t read(char* dst, std::size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(dst);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, std::size_t{1} << 30));
    const uInt want = z_.avail_out;
    while (z_.avail_out == want) {
      if (z_.avail_in == 0) {
        const std::size_t got = in_->read(buffer_.data(), buffer_.size());
        if (got == 0) {
          if (in_member_) throw InputError(in_->name() + ": truncated gzip data (the stream ends inside a member)");
          break;
        }
        z_.next_in = buffer_.data();
        z_.avail_in = static_cast<uInt>(got);
      }
      if (!in_member_) {  // the next member (after the first: data after a member must be another member)
        if (inflateReset(&z_) != Z_OK) throw std::logic_error("inflateReset failed");
        in_member_ = true;
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw InputError(in_->name() + ": corrupt gzip data (" + std::string(z_.msg ? z_.msg : zError(rc)) + ")");
      }
    }
    return want - z_.avail_out;
  }

 private:
  static constexpr int GZIP_WINDOW_BITS = 15 + 16;  // the largest window, gzip header and trailer
  std::unique_ptr<RawInput> in_;
  std::vector<unsigned char> buffer_;
  z_stream z_{};
  bool in_member_ = true;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<RawInput> in)
      : in_(std::move(in)), stream_(ZSTD_createDStream()), in_buf_(ZSTD_DStreamInSize()) {
    if (!stream_) throw std::bad_alloc();
    ZSTD_initDStream(stream_);
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }
  std::size_t read(char* dst, std::size_t n) override {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos == 0) {
      if (pending_.pos == pending_.size) {
        const std::size_t got = in_->read(in_buf_.data(), in_buf_.size());
        if (got == 0) {
          if (last_ != 0) throw InputError(in_->name() + ": truncated zstd data (the last frame is incomplete)");
          return 0;
        }
        pending_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
      }
      last_ = ZSTD_decompressStream(stream_, &out, &pending_);
      if (ZSTD_isError(last_))
        throw InputError(in_->name() + ": corrupt zstd data (" + std::string(ZSTD_getErrorName(last_)) + ")");
    }
    return out.pos;
  }

 private:
  std::unique_ptr<RawInput> in_;
  ZSTD_DStream* stream_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer pending_{nullptr, 0, 0};
  std::size_t last_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_source(const std::string& path) {
  auto in = std::make_unique<RawInput>(path);
  const std::vector<unsigned char>& m = in->peeked();
  if (m.size() >= 2 && m[0] == 0x1f && m[1] == 0x8b) return std::make_unique<GzipSource>(std::move(in));
  if (m.size() == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return std::make_unique<ZstdSource>(std::move(in));
  return std::make_unique<PlainSource>(std::move(in));
}

}  // namespace ttcg::runlog_detail
