#include "ttcgames/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/interrupt.hpp"

namespace ttcg::io {
namespace {

namespace fs = std::filesystem;

std::atomic<unsigned> next_temporary{0};

//! fsync(2) of a file or directory; IoError with strerror on failure (EINVAL: the file system cannot sync, ignored).
void sync_path(const std::string& path, int flags, const std::string& what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError(system_error_message(path + ": cannot open " + what + " to flush it", errno));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0 && error != EINVAL && error != EROFS)
    throw IoError(system_error_message(path + ": cannot flush " + what + " to disk", error));
}

}  // namespace

AtomicFile::AtomicFile(std::string final_path) : final_path_(std::move(final_path)) {
  temp_path_ = final_path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(next_temporary++);
  const fs::path parent = fs::path(final_path_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) throw IoError(final_path_ + ": cannot create the directory '" + parent.string() + "': " + ec.message());
  }
  slot_ = interrupt::register_temporary(temp_path_);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      slot_(other.slot_),
      committed_(other.committed_) {
  other.temp_path_.clear();
  other.slot_ = -1;
  other.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_path_.empty()) std::remove(temp_path_.c_str());
  interrupt::forget(slot_);
}

void AtomicFile::write(std::span<const std::byte> bytes) {
  const int fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(system_error_message(final_path_ + ": cannot create '" + temp_path_ + "'", errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int error = w < 0 ? errno : EIO;
      ::close(fd);
      throw IoError(
          system_error_message(final_path_ + ": cannot write " + std::to_string(bytes.size()) + " bytes", error));
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) throw IoError(system_error_message(final_path_ + ": cannot write '" + temp_path_ + "'", errno));
}

void AtomicFile::commit() {
  if (committed_) throw std::logic_error(final_path_ + ": already committed");
  std::error_code ec;
  if (!fs::exists(temp_path_, ec))
    throw std::logic_error(temp_path_ + ": cannot commit, the temporary file was not written");
  sync_path(temp_path_, O_RDONLY, "the new file");
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    throw IoError(system_error_message(final_path_ + ": cannot rename '" + temp_path_ + "' to it", errno));
  committed_ = true;
  interrupt::forget(slot_);
  slot_ = -1;
  const fs::path parent = fs::path(final_path_).parent_path();
  sync_path(parent.empty() ? "." : parent.string(), O_RDONLY | O_DIRECTORY, "the directory of the new file");
}

}  // namespace ttcg::io
