#include "ttcgames/io/result_file.hpp"

#include <chrono>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/version.hpp"

namespace ttcg {

namespace {

using h5::Dims;

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

}  // namespace

void write_root_attributes(h5::Group& root, const RunInfo& info, std::uint64_t seed, const std::string& scenario_toml) {
  root.write_attribute_string("format", RESULTS_FORMAT);
  root.write_attribute_vector_i32("format_version",
                                  std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
  root.write_attribute_string("ttcgames_version", VERSION);
  root.write_attribute_string("git_commit", GIT_COMMIT);
  root.write_attribute_string("created_utc", utc_now());
  root.write_attribute_string("backend", info.backend);
  root.write_attribute_i64("threads", info.threads);
  root.write_attribute_i64("ranks", info.ranks);
  root.write_attribute_i64("seed", static_cast<std::int64_t>(seed));
  root.write_attribute_string("command_line", info.command_line);
  root.write_attribute_string("scenario", scenario_toml);
}

h5::File open_results_file(const std::string& path, int* major) {
  h5::File file = h5::File::open_read(path);
  const h5::Group root = file.root();
  if (!root.has_attribute("format") || root.read_attribute_string("format") != RESULTS_FORMAT)
    throw InputError(path + ": not a ttcgames result file (root attribute format != \"" + RESULTS_FORMAT + "\")");
  const std::vector<std::int32_t> version = root.read_attribute_vector_i32("format_version", 2);
  if (version[0] < RESULTS_FORMAT_OLDEST_MAJOR || version[0] > RESULTS_FORMAT_MAJOR)
    throw InputError(path + ": result format version " + std::to_string(version[0]) + "." + std::to_string(version[1]) +
                     ", this ttcgames reads " + std::to_string(RESULTS_FORMAT_OLDEST_MAJOR) + ".x to " +
                     std::to_string(RESULTS_FORMAT_MAJOR) + ".x");
  if (major) *major = version[0];
  return file;
}

}  // namespace ttcg
