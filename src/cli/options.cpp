#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "cli.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/text.hpp"
#include "ttcgames/run/comm.hpp"
#include "ttcgames/run/orchestrator.hpp"

namespace ttcg::cli {

std::string Invocation::command_line() const {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i ? " " : "") + std::string(argv[i]);
  return s;
}

namespace {}  // namespace

CLI::Validator finite_range(double low, double high) {
  const std::string range = "a finite number in [" + number_text(low, 6) + ", " + number_text(high, 6) + "]";
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        if (text.empty() || end != begin + text.size() || !std::isfinite(v) || v < low || v > high)
          return "'" + text + "' is not " + range;
        return {};
      },
      range);
}

CLI::Validator integer_range(std::int64_t low, std::int64_t high) {
  const std::string range = "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        std::int64_t v = 0;
        const char* begin = text.data();
        const char* end = begin + text.size();
        if (!text.empty() && *begin == '+') ++begin;
        const auto [ptr, ec] = std::from_chars(begin, end, v);
        if (text.empty() || ec != std::errc() || ptr != end || v < low || v > high)
          return "'" + text + "' is not " + range;
        return {};
      },
      range);
}

void add_common(CLI::App& app, Common& c) {
  app.add_option("--backend", c.backend,
                 "Compute backend for the enumerations and population passes: auto (GPU when present), cpu, cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--threads", c.threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(integer_range(1, MAX_THREADS));
  app.add_flag("-q,--quiet", c.quiet, "No progress bar, no summary: errors only");
}

Backend setup(const Common& c) {
  return choose_backend(c.backend, c.threads, !c.quiet);
}

void add_enumeration_option(CLI::App& app, std::string& enumeration) {
  app.add_option("--enumeration", enumeration,
                 "All-equilibria algorithm: structural (from the aggregate, the default) or exhaustive (the oracle "
                 "over all K^n profiles); overrides [equilibria] algorithm")
      ->check(CLI::IsMember({"structural", "exhaustive"}));
}

std::optional<std::string> enumeration_override(const std::string& enumeration) {
  if (enumeration.empty()) return std::nullopt;
  return enumeration;
}

void add_checkpointing(CLI::App& app, Checkpointing& c) {
  app.add_flag("--resume", c.resume,
               "Continue an interrupted run from its checkpoint journal <output>.ckpt (same scenarios and options)");
  app.add_flag("--no-checkpoint", c.disabled, "Do not keep a checkpoint journal while the run is under way");
  app.add_option("--time-limit", c.time_limit,
                 "Stop after the wave of work units that passes this many seconds, keeping the checkpoint "
                 "(exit status 75; continue with --resume)")
      ->check(finite_range(1e-3, MAX_TIME_LIMIT));
  app.add_option("--max-units", c.max_units,
                 "Stop after the wave that completes this many new work units, keeping the checkpoint (exit 75)")
      ->check(integer_range(1, std::numeric_limits<std::int64_t>::max()));
}

JobSettings job_settings(const Common& common, const Checkpointing& checkpointing, const std::string& output,
                         Backend backend, const Invocation& invocation) {
  JobSettings s;
  s.quiet = common.quiet;
  s.checkpointing = checkpointing;
  s.output = output;
  s.backend = backend;
  s.command_line = invocation.command_line();
  return s;
}

}  // namespace ttcg::cli
