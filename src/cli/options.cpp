#include <omp.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "ttcgames/core/text.hpp"
#include "ttcgames/run/comm.hpp"
#include "ttcgames/run/cuda_backend.hpp"

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
  if (c.threads > 0) omp_set_num_threads(c.threads);
  const Communicator& comm = Communicator::world();
  if (comm.size() > 1 && cuda::device_count() > 1) cuda::select_device(comm.local_rank());
  const Backend backend = resolve_backend(parse_backend_request(c.backend));
  if (!c.quiet && c.backend == "auto" && comm.is_root())
    std::cerr << "backend: " << to_string(backend) << " (" << cuda_device_description() << "), "
              << omp_get_max_threads() << " OpenMP threads"
              << (comm.size() > 1 ? " per rank, " + std::to_string(comm.size()) + " MPI ranks" : std::string()) << "\n";
  return backend;
}

void add_enumeration_option(CLI::App& app, std::string& enumeration) {
  app.add_option("--enumeration", enumeration,
                 "All-equilibria algorithm: structural (from the aggregate, the default) or exhaustive (the oracle "
                 "over all K^n profiles); overrides [equilibria] algorithm")
      ->check(CLI::IsMember({"structural", "exhaustive"}));
}

void apply_enumeration(Scenario& s, const std::string& enumeration) {
  if (!enumeration.empty()) s.enumeration.algorithm = parse_enumeration_algorithm(enumeration, "--enumeration");
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

ProgressBar::ProgressBar(std::string label, bool enabled, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      enabled_(enabled && isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::operator()(std::uint64_t done, std::uint64_t total) {
  if (!enabled_) return;
  constexpr int WIDTH = 30;
  const int filled = static_cast<int>(WIDTH * done / std::max<std::uint64_t>(total, 1));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "";
  if (done > 0 && done < total) {
    const double left = seconds / static_cast<double>(done) * static_cast<double>(total - done);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, ", about %.0f s left", std::ceil(left));
    eta = buffer;
  }
  std::fprintf(stderr, "\r%-18s [%s%s] %llu/%llu %s  %.1f s%s   ", label_.c_str(), std::string(filled, '#').c_str(),
               std::string(WIDTH - filled, '.').c_str(), static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total), unit_.c_str(), seconds, eta.c_str());
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

void ProgressBar::phase(const std::string& what) {
  if (!enabled_) return;
  std::fprintf(stderr, "%s ...\n", what.c_str());
  std::fflush(stderr);
}

}  // namespace ttcg::cli
