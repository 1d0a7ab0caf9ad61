// The market sweep of a run: every β of every scenario's market is one work unit (solve_market_unit: dynamics,
// certificate, optimum, price of anarchy and, when asked, all pure equilibria). Merged in unit order into one
// ScenarioResult per scenario (with its auction) and written to /market/<name> and /auction/<name>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/run/stage.hpp"

namespace ttcg {

//! Options that change results (and so belong to the job's fingerprint).
struct JobOptions {
  Backend backend = Backend::cpu;
  std::optional<bool> enumerate;             //!< override of every scenario's [equilibria] enumerate
  std::optional<std::vector<double>> betas;  //!< override of every scenario's β values
  //! Which parts of the scenarios to run (the `market`, `ensemble` and `population` subcommands run one).
  bool markets = true;
  bool ensembles = true;
  bool populations = true;
};

class MarketStage final : public Stage {
 public:
  //! The markets of `scenarios` (each must have β values, or options.betas is set); InputError for a β outside the
  //! log-space range or an enumeration over its limits.
  MarketStage(std::vector<Scenario> scenarios, const JobOptions& options);

  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  std::uint64_t units() const { return units_.size(); }
  //! Solves unit u (one β of one scenario, with its enumeration when asked); thread-safe.
  Bytes compute(std::uint64_t unit) const;
  //! Unit u's result decoded and checked against the unit (its β, n, K, enumeration); InputError otherwise.
  BetaResult decode(std::uint64_t unit, const Bytes& bytes) const;
  //! The ScenarioResults from every unit's result, in unit order. A scenario's `seconds` is its own compute time:
  //! the sum of its units' unit_seconds (empty: 0 each) and its auction's time.
  std::vector<ScenarioResult> assemble(std::span<const Bytes> results, std::span<const double> unit_seconds = {}) const;

  std::string label() const override;
  std::string unit_name() const override { return "betas"; }
  UnitWork work() const override;
  void check(std::uint64_t unit, const Bytes& payload) const override { decode(unit, payload); }
  void merge(std::span<const Bytes> payloads, std::span<const double> unit_seconds, RunResults& out) const override;
  void write(h5::Group& root, const RunResults& results) const override;
  void add_needs(ResourceNeeds& needs) const override;

 private:
  struct Unit {
    std::size_t scenario;
    std::size_t beta;
  };
  std::vector<Scenario> scenarios_;
  std::vector<MarketTable> tables_;
  std::vector<std::vector<double>> betas_;
  std::vector<bool> enumerate_;
  JobOptions options_;
  std::vector<Unit> units_;
};

//! Bit-exact encoding of a market unit's result (work-unit results, checkpoints).
Bytes encode_beta_result(const BetaResult& result);
//! A market unit of an n×K market at `beta`, with an enumeration exactly when `enumerated`; InputError naming
//! `what` when the archive is damaged or belongs to another unit.
BetaResult decode_beta_result(const Bytes& bytes, const std::string& what, int n, int K, double beta, bool enumerated);

}  // namespace ttcg
