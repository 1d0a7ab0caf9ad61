#include "ttcgames/run/ensemble_stage.hpp"

#include <omp.h>

#include "ttcgames/core/error.hpp"
#include "ttcgames/ensemble/ensemble_archive.hpp"
#include "ttcgames/ensemble/ensemble_results.hpp"
#include "ttcgames/run/results.hpp"

namespace ttcg {

EnsembleStage::EnsembleStage(const Scenario& scenario, const JobOptions& options, std::size_t index)
    : problem_(make_ensemble_problem(scenario)),
      toml_(scenario.resolved_toml()),
      backend_(options.backend),
      index_(index) {}

UnitWork EnsembleStage::work() const {
  UnitWork w;
  w.count = static_cast<std::uint64_t>(problem_->blocks());
  w.parallelism = UnitParallelism::within_unit;  // the block's markets run in parallel (or on the GPU)
  const EnsembleProblem* problem = problem_.get();
  const Backend backend = backend_;
  w.compute = [problem, backend](std::uint64_t b) {
    return encode_ensemble_block(compute_ensemble_block(*problem, static_cast<std::int64_t>(b), backend));
  };
  return w;
}

EnsembleBlockResult EnsembleStage::decode(std::uint64_t block, const Bytes& bytes) const {
  return decode_ensemble_block(bytes,
                               "ensemble unit (" + problem_->spec().name + ", block " + std::to_string(block) + ")",
                               *problem_, static_cast<std::int64_t>(block));
}

void EnsembleStage::merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds,
                          RunResults& out) const {
  EnsembleResult r;
  r.name = problem_->spec().name;
  r.scenario_toml = toml_;
  r.summary = EnsembleSummary(*problem_);
  r.backend = backend_;
  r.threads = backend_ == Backend::cpu ? omp_get_max_threads() : 1;
  r.problem = problem_.get();
  for (const double s : unit_seconds) r.seconds += s;
  for (std::size_t b = 0; b < payloads.size(); ++b) r.summary.merge(decode(b, payloads[b]));
  out.ensembles.push_back(std::move(r));
}

void EnsembleStage::write(h5::Group& root, const RunResults& results) const {
  write_ensemble_group(root, results.ensembles.at(index_));
}

void EnsembleStage::add_needs(ResourceNeeds& needs) const {
  const EnsembleSpec& spec = problem_->spec();
  const double width = static_cast<double>(problem_->width());
  const double record = spec.store_markets ? 4.0 * 4.0 * width + 8.0 * width + STAGE_BYTES_PER_NUMBER * 26.0 : 0.0;
  const double markets = static_cast<double>(spec.markets);
  needs.add("ensemble '" + spec.name + "' with " + std::to_string(spec.markets) +
                (spec.store_markets ? " stored markets" : " markets"),
            STAGE_RESULT_COPIES * markets * record + 1e5 * static_cast<double>(problem_->blocks()),
            markets * record + STAGE_GROUP_BYTES);
}

std::unique_ptr<EnsembleProblem> make_ensemble_problem(const Scenario& s) {
  if (!s.ensemble) throw InputError(s.path + ": the scenario has no [ensemble] section");
  if (s.start == StartKind::explicit_profile)
    throw InputError(s.path +
                     ": 'dynamics.start' lists levels per provider, but ensemble markets draw their own providers: "
                     "use start = \"lowest\" or \"highest\"");
  EnsembleSpec spec = *s.ensemble;
  if (spec.name.empty()) spec.name = s.name;
  return std::make_unique<EnsembleProblem>(s.providers, s.market, s.dynamics,
                                           s.start == StartKind::highest ? StartLevel::highest : StartLevel::lowest,
                                           s.enumeration, s.reserve, std::move(spec));
}

}  // namespace ttcg
