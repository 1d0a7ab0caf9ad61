// What a run will need, estimated before any work, against what the machine has: memory on rank 0 (which gathers
// every unit's result and holds the result file's image) and free space where the result file goes. A run that
// cannot fit stops at once with the estimate, what is available and what to change, instead of failing with
// bad_alloc or a full disk after hours of work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ttcg {

//! Estimated peak needs of a run (bytes); parts add theirs.
struct ResourceNeeds {
  double memory_bytes = 0.0;  //!< peak resident memory of rank 0
  double output_bytes = 0.0;  //!< the result file, before compression
  std::string largest;        //!< the part that needs the most memory, for messages
  double largest_memory = 0.0;
  //! Adds a part's needs; `what` names it ("ensemble 'x' with 5000000 stored markets").
  void add(const std::string& what, double memory, double output);
};

//! Bytes of memory this process can still use: MemAvailable of /proc/meminfo, lowered to the cgroup's limit minus
//! its usage when one is set (cgroup v2 memory.max, v1 memory.limit_in_bytes); nullopt when unknown.
std::optional<double> available_memory_bytes();
//! Bytes free for an unprivileged writer on the file system holding `directory`; nullopt when unknown.
std::optional<double> free_disk_bytes(const std::string& directory);

//! Fraction of the available memory a run may plan to use (the rest: the OS, other ranks' buffers, estimate error).
constexpr double MEMORY_HEADROOM = 0.9;

//! InputError when the needs exceed the available memory (times MEMORY_HEADROOM) or the output's file system's free
//! space; `output` is "" when nothing is written.
void check_resources(const ResourceNeeds& needs, const std::string& output);

//! "1.5 GB", "320 MB", "12 kB".
std::string format_bytes(double bytes);

}  // namespace ttcg
