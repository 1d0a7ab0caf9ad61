#include "ttcgames/io/file_plan.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "ttcgames/core/error.hpp"

namespace ttcg::io {
namespace {

namespace fs = std::filesystem;

struct Identity {
  dev_t device;
  ino_t inode;
  bool operator==(const Identity&) const = default;
};

//! The file `path` names after following links, when it exists.
std::optional<Identity> identity(const std::string& path, struct stat* info = nullptr) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (info) *info = st;
  return Identity{st.st_dev, st.st_ino};
}

//! The absolute path with links and "." / ".." resolved as far as the path exists.
std::string resolved(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : p.string();
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

bool same_file(const std::string& a, const std::string& b) {
  const auto ia = identity(a), ib = identity(b);
  if (ia && ib) return *ia == *ib;
  return resolved(a) == resolved(b);
}

}  // namespace

void FilePlan::add_input(const std::string& path, const std::string& role) {
  if (!path.empty() && path != "-") inputs_.push_back({path, role});
}

void FilePlan::add_output(const std::string& path, const std::string& role) {
  if (!path.empty()) outputs_.push_back({path, role});
}

void FilePlan::check() const {
  for (std::size_t o = 0; o < outputs_.size(); ++o) {
    const Entry& out = outputs_[o];
    struct stat info {};
    if (identity(out.path, &info) && !S_ISREG(info.st_mode))
      throw InputError(out.path + ": the " + out.role + " is " + kind_of(info.st_mode) +
                       "; name a regular file (new or to be replaced)");
    for (const Entry& in : inputs_)
      if (same_file(out.path, in.path))
        throw InputError(out.path + ": the " + out.role + " is the " + in.role + " '" + in.path +
                         "' read by this command; choose another output path (it would be overwritten)");
    for (std::size_t p = 0; p < o; ++p)
      if (same_file(out.path, outputs_[p].path))
        throw InputError(out.path + ": the " + out.role + " is also the " + outputs_[p].role + " '" + outputs_[p].path +
                         "'; give each output its own path");
  }
}

}  // namespace ttcg::io
