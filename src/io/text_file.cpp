#include "ttcgames/io/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ttcgames/core/error.hpp"

namespace ttcg::io {

namespace {

//! Closes a file descriptor when it goes out of scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

constexpr std::size_t CHUNK_BYTES = std::size_t{1} << 16;

}  // namespace

std::string read_text_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
  const Descriptor fd(path == STDIN_NAME ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw InputError(path + ": cannot open the " + what + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0 && S_ISDIR(info.st_mode))
    throw InputError(path + ": is a directory, not a " + what);
  std::string text;
  std::vector<char> chunk(CHUNK_BYTES);
  for (;;) {
    const ssize_t got = ::read(fd.get(), chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw InputError(path + ": cannot read the " + what + ": " + std::strerror(errno));
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > max_bytes)
      throw InputError(path + ": the " + what + " is longer than " + std::to_string(max_bytes) +
                       " bytes, the most a read accepts (MAX_TEXT_FILE_BYTES)");
    text.append(chunk.data(), static_cast<std::size_t>(got));
  }
  return text;
}

}  // namespace ttcg::io
