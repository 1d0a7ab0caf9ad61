#include "ttcgames/run/job.hpp"

#include <chrono>
#include <sstream>
#include <stdexcept>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/version.hpp"
#include "ttcgames/ensemble/ensemble_archive.hpp"
#include "ttcgames/ensemble/ensemble_results.hpp"
#include "ttcgames/io/atomic_file.hpp"
#include "ttcgames/population/population_archive.hpp"
#include "ttcgames/population/population_results.hpp"

#include "ttcgames/run/results.hpp"

namespace ttcg {

namespace {

//! Wraps a unit's computation so that its result travels (gathers, the checkpoint journal) with the wall time it
//! took: the envelope (seconds, payload).
void time_units(UnitWork& work) {
  work.compute = [inner = std::move(work.compute)](std::uint64_t unit) {
    const auto start = std::chrono::steady_clock::now();
    const Bytes payload = inner(unit);
    ArchiveWriter w;
    w.put(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    w.put(payload);
    return w.take();
  };
}

struct TimedResult {
  double seconds = 0.0;
  Bytes payload;
};

TimedResult untime(const Bytes& envelope) {
  ArchiveReader r(envelope, "timed work unit");
  TimedResult t;
  t.seconds = r.get<double>();
  t.payload = r.get_bytes();
  r.finish();
  return t;
}

}  // namespace

RunJob::RunJob(std::vector<Scenario> scenarios, const JobOptions& options)
    : scenarios_(std::move(scenarios)), options_(options) {
  for (std::size_t s = 0; s < scenarios_.size(); ++s)
    for (std::size_t t = 0; t < s; ++t)
      if (scenarios_[t].name == scenarios_[s].name)
        throw InputError("two scenarios are named '" + scenarios_[s].name + "' (" + scenarios_[t].path + ", " +
                         scenarios_[s].path + "): names must be unique within a run");
  if (options_.markets) {
    std::vector<Scenario> with_market;
    for (const Scenario& s : scenarios_)
      if (s.has_market() || options_.betas) with_market.push_back(s);
    if (!with_market.empty()) stages_.push_back(std::make_unique<MarketStage>(std::move(with_market), options_));
  }
  std::size_t ensembles = 0, populations = 0;
  if (options_.ensembles)
    for (const Scenario& s : scenarios_)
      if (s.ensemble) stages_.push_back(std::make_unique<EnsembleStage>(s, options_, ensembles++));
  if (options_.populations)
    for (const Scenario& s : scenarios_)
      if (s.population) stages_.push_back(std::make_unique<PopulationStage>(s, options_, populations++));
  if (stages_.empty())
    throw InputError(
        "nothing to run: the scenarios have no [beta] values, [ensemble] or [population] for this "
        "command");
  make_parts();
}

RunJob::RunJob(CurvesJob curves, const JobOptions& options) : options_(options) {
  auto stage = std::make_unique<CurvesStage>(std::move(curves));
  curves_ = stage.get();
  stages_.push_back(std::move(stage));
  make_parts();
}

void RunJob::make_parts() {
  std::uint64_t next = 0;
  for (const auto& stage : stages_) {
    RunPart part{stage->label(), stage->unit_name(), stage->work(), stage.get()};
    part.work.first_unit = next;
    next += part.work.count;
    time_units(part.work);
    parts_.push_back(std::move(part));
  }
}

RunJob::~RunJob() = default;

std::uint64_t RunJob::units() const {
  return parts_.empty() ? 0 : parts_.back().work.first_unit + parts_.back().work.count;
}

RunResults RunJob::assemble(const std::vector<Bytes>& results, double seconds) const {
  if (results.size() != units())
    throw std::logic_error("RunJob::assemble: " + std::to_string(results.size()) + " results for " +
                           std::to_string(units()) + " units");
  RunResults out;
  out.seconds = seconds;
  std::vector<Bytes> payloads;
  std::vector<double> unit_seconds;
  for (const Bytes& b : results) {
    TimedResult t = untime(b);
    payloads.push_back(std::move(t.payload));
    unit_seconds.push_back(t.seconds);
  }
  for (const RunPart& p : parts_) {
    const std::span<const Bytes> part_payloads(payloads.data() + p.work.first_unit, p.work.count);
    const std::span<const double> part_seconds(unit_seconds.data() + p.work.first_unit, p.work.count);
    p.stage->merge(part_payloads, part_seconds, out);
  }
  return out;
}

void RunJob::check_unit(std::uint64_t unit, const Bytes& record) const {
  if (unit >= units())
    throw InputError("unit " + std::to_string(unit) + " is not a unit of this run (it has " + std::to_string(units()) +
                     ")");
  const Bytes bytes = untime(record).payload;  // a unit's record is its timed envelope (time_units)
  for (const RunPart& p : parts_)
    if (unit >= p.work.first_unit && unit - p.work.first_unit < p.work.count) {
      p.stage->check(unit - p.work.first_unit, bytes);
      return;
    }
  throw std::logic_error("RunJob::check_unit: unit " + std::to_string(unit) + " is in no part");
}

std::vector<std::pair<std::string, std::string>> RunJob::input_files() const {
  if (curves_) return curves_->job().input_files;
  std::vector<std::pair<std::string, std::string>> files;
  for (const Scenario& scenario : scenarios_)
    for (auto& file : scenario.input_files()) files.push_back(std::move(file));
  return files;
}

std::string RunJob::settings_toml() const {
  if (curves_) return curves_->job().settings_toml;
  std::vector<const Scenario*> all;
  for (const Scenario& s : scenarios_) all.push_back(&s);
  return combined_scenario_toml(all);
}

std::string RunJob::fingerprint() const {
  std::ostringstream f;
  if (curves_) {  // the settings name the logs and every option; the digest holds the logs' numbers
    f << "ttcgames " << VERSION << " results " << RESULTS_FORMAT_MAJOR << "." << RESULTS_FORMAT_MINOR << "\nbackend "
      << to_string(options_.backend) << "\ncurves " << curves_->job().dataset << "\nunits " << units() << "\n"
      << curves_->logs_digest() << settings_toml();
    return f.str();
  }
  f << "ttcgames " << VERSION << " results " << RESULTS_FORMAT_MAJOR << "." << RESULTS_FORMAT_MINOR << "\nbackend "
    << to_string(options_.backend) << "\nparts " << options_.markets << options_.ensembles << options_.populations
    << "\nenumerate " << (options_.enumerate ? (*options_.enumerate ? "on" : "off") : "scenario") << "\nbetas ";
  if (options_.betas) {
    f.precision(17);
    for (const double b : *options_.betas) f << b << " ";
  } else {
    f << "scenario";
  }
  f << "\nunits " << units();
  for (const RunPart& p : parts_) f << " " << p.work.count;
  std::vector<const Scenario*> all;
  for (const Scenario& s : scenarios_) all.push_back(&s);
  f << "\n" << combined_scenario_toml(all);
  return f.str();
}

ResourceNeeds RunJob::needs() const {
  ResourceNeeds needs;
  for (const auto& stage : stages_) stage->add_needs(needs);
  return needs;
}

std::uint64_t RunJob::root_seed() const {
  if (curves_) return curves_->job().options.seed;
  const Scenario& first = scenarios_.front();
  if ((first.has_market() || options_.betas) && options_.markets) return first.dynamics.seed;
  if (first.ensemble && options_.ensembles) return first.ensemble->seed;
  if (first.population && options_.populations) return first.population->seed;
  return first.dynamics.seed;
}

void RunJob::write_groups(h5::Group& root, const RunResults& results) const {
  for (const auto& stage : stages_) stage->write(root, results);
}

void write_run_results(const std::string& path, const RunJob& job, const RunResults& results, const RunInfo& info) {
  io::AtomicFile out(path);
  h5::File file = h5::File::create_in_memory(path);
  {
    h5::Group root = file.root();
    write_root_attributes(root, info, job.root_seed(), job.settings_toml());
    root.write_attribute_f64("seconds", results.seconds);
    job.write_groups(root, results);
  }
  out.write(file.close_to_image());
  out.commit();
}

}  // namespace ttcg
