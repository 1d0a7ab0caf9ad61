// The [population] of one scenario as a stage of a run: every replicate is one work unit (solve_replicate: a pass
// over the users in parallel, or on the GPU), added in replicate order to the prepared population and written to
// /population/<name>.
#pragma once

#include <string>

#include "ttcgames/run/market_stage.hpp"
#include "ttcgames/run/stage.hpp"

namespace ttcg {

//! The population of `scenario` (which must have a [population] section), ready for its replicates: the query
//! tables (from the providers, or the run logs' per-question tables), the histogram ranges and empty tallies.
PopulationResult prepare_population(const Scenario& scenario, Backend backend);

class PopulationStage final : public Stage {
 public:
  //! The population of `scenario` (which must have one), prepared (query tables, histogram ranges); `index` is its
  //! position in RunResults::populations.
  PopulationStage(const Scenario& scenario, const JobOptions& options, std::size_t index);

  const PopulationResult& setup() const { return setup_; }

  std::string label() const override { return setup_.name + " population"; }
  std::string unit_name() const override { return "replicates"; }
  UnitWork work() const override;
  void check(std::uint64_t unit, const Bytes& payload) const override { decode(unit, payload); }
  void merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds, RunResults& out) const override;
  void write(h5::Group& root, const RunResults& results) const override;
  void add_needs(ResourceNeeds& needs) const override;

 private:
  PopulationResult setup_;  //!< prepared, without replicates
  std::string toml_, path_, description_;
  Backend backend_;
  std::size_t index_;

  ReplicateResult decode(std::uint64_t replicate, const Bytes& bytes) const;
};

//! Bit-exact encoding of a population unit's result (work-unit results, checkpoints). Decoding checks the result
//! against replicate `replicate` of the prepared population `setup` (shapes, level indices, the replicate number);
//! InputError naming `what` otherwise.
Bytes encode_replicate_result(const ReplicateResult& result);
ReplicateResult decode_replicate_result(const Bytes& bytes, const std::string& what, const PopulationResult& setup,
                                        std::int64_t replicate);

}  // namespace ttcg
