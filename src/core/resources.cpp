#include "ttcgames/core/resources.hpp"

#include <sys/statvfs.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ttcgames/core/error.hpp"

namespace ttcg {
namespace {

//! The first number in a file (e.g. "max" gives nullopt), for cgroup files.
std::optional<double> number_in(const std::string& path) {
  std::ifstream in(path);
  double v = 0.0;
  if (in >> v) return v;
  return std::nullopt;
}

//! Memory the cgroup of this process may still take: limit − usage (v2, then v1); nullopt without a limit.
std::optional<double> cgroup_room() {
  const auto limit = number_in("/sys/fs/cgroup/memory.max");
  const auto usage = number_in("/sys/fs/cgroup/memory.current");
  if (limit && usage) return *limit - *usage;
  const auto limit1 = number_in("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  const auto usage1 = number_in("/sys/fs/cgroup/memory/memory.usage_in_bytes");
  if (limit1 && usage1 && *limit1 < 1e18) return *limit1 - *usage1;  // v1 reports ~2^63 when unlimited
  return std::nullopt;
}

}  // namespace

void ResourceNeeds::add(const std::string& what, double memory, double output) {
  memory_bytes += memory;
  output_bytes += output;
  if (memory > largest_memory) {
    largest_memory = memory;
    largest = what;
  }
}

std::optional<double> available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0.0;
  std::string unit;
  std::optional<double> available;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") available = kb * 1024.0;
  if (const auto room = cgroup_room(); room && (!available || *room < *available)) available = *room;
  return available;
}

std::optional<double> free_disk_bytes(const std::string& directory) {
  struct statvfs info {};
  if (::statvfs(directory.c_str(), &info) != 0) return std::nullopt;
  return static_cast<double>(info.f_bavail) * static_cast<double>(info.f_frsize);
}

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1000.0 && u < 5) bytes /= 1000.0, ++u;
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return text;
}

void check_resources(const ResourceNeeds& needs, const std::string& output) {
  if (const auto memory = available_memory_bytes(); memory && needs.memory_bytes > MEMORY_HEADROOM * *memory)
    throw InputError("the run needs about " + format_bytes(needs.memory_bytes) + " of memory on rank 0 (" +
                     needs.largest + ": " + format_bytes(needs.largest_memory) + "), but " + format_bytes(*memory) +
                     " is available; make the run smaller (fewer markets or users, store_markets = false) or run it "
                     "on a node with more memory");
  if (output.empty()) return;
  namespace fs = std::filesystem;
  fs::path directory = fs::absolute(output).parent_path();
  std::error_code ec;
  while (!directory.empty() && !fs::exists(directory, ec) && directory != directory.root_path())
    directory = directory.parent_path();  // the directory is created when the file is written
  if (const auto free = free_disk_bytes(directory.string()); free && needs.output_bytes > *free)
    throw InputError(output + ": the result file needs about " + format_bytes(needs.output_bytes) +
                     " (uncompressed), but only " + format_bytes(*free) + " is free on its file system (" +
                     directory.string() + "); free space or write the result elsewhere");
}

}  // namespace ttcg
