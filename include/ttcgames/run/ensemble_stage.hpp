// The [ensemble] of one scenario as a stage of a run: every block of random markets is one work unit
// (compute_ensemble_block: the block's markets in parallel, or on the GPU), merged in block order into the
// ensemble's summary and written to /ensemble/<name>.
#pragma once

#include <memory>
#include <string>

#include "ttcgames/run/market_stage.hpp"
#include "ttcgames/run/stage.hpp"

namespace ttcg {

//! The problem of a scenario with an [ensemble] section (InputError if it has none).
std::unique_ptr<EnsembleProblem> make_ensemble_problem(const Scenario& scenario);

class EnsembleStage final : public Stage {
 public:
  //! The ensemble of `scenario` (which must have one); `index` is its position in RunResults::ensembles.
  EnsembleStage(const Scenario& scenario, const JobOptions& options, std::size_t index);

  const EnsembleProblem& problem() const { return *problem_; }

  std::string label() const override { return problem_->spec().name + " ensemble"; }
  std::string unit_name() const override { return "market blocks"; }
  UnitWork work() const override;
  void check(std::uint64_t unit, const Bytes& payload) const override { decode(unit, payload); }
  void merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds, RunResults& out) const override;
  void write(h5::Group& root, const RunResults& results) const override;
  void add_needs(ResourceNeeds& needs) const override;

 private:
  std::unique_ptr<EnsembleProblem> problem_;
  std::string toml_;  //!< the resolved scenario
  Backend backend_;
  std::size_t index_;

  EnsembleBlockResult decode(std::uint64_t block, const Bytes& bytes) const;
};

}  // namespace ttcg
