#include "ttcgames/io/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ttcgames/error.hpp"

namespace ttcg::io {

std::string read_text_file(const std::string& path, const std::string& role, std::size_t max_bytes) {
  const bool standard_input = path == "-";
  const int fd = standard_input ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(system_error_message(path + ": cannot open the " + role, errno));
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    throw InputError(system_error_message(path + ": cannot read the " + role, EISDIR));
  }
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      if (!standard_input) ::close(fd);
      throw InputError(system_error_message(path + ": cannot read the " + role, error));
    }
    if (got == 0) break;
    if (text.size() + static_cast<std::size_t>(got) > max_bytes) {
      if (!standard_input) ::close(fd);
      throw InputError(path + ": the " + role + " is larger than " + std::to_string(max_bytes >> 20) +
                       " MB, the most read as one text input");
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  if (!standard_input) ::close(fd);
  return text;
}

}  // namespace ttcg::io
