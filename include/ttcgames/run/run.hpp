// Running a scenario: for every β, the dynamics from the scenario's start (with the potential), the certificate of
// the reached profile, the exact social optimum, the price of anarchy, the comparison statistics and, when asked,
// all pure Nash equilibria (worst-case price of anarchy, price of stability); then the auction. β values are solved
// in parallel (OpenMP) and each result lands in its own slot, so the output does not depend on the thread count.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/market/auction.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/run/scenario.hpp"
#include "ttcgames/market/welfare.hpp"

namespace ttcg {

struct BetaResult {
  double beta = 0.0;
  DynamicsResult dynamics;     //!< reached profile, rounds, turns, moves (history when recorded)
  double welfare = 0.0;        //!< SW at the reached profile
  std::vector<double> shares;  //!< [n] at the reached profile
  double outside_share = 0.0;
  double potential = 0.0;         //!< Φ at the reached profile
  Certificate certificate;        //!< regret of the reached profile
  Optimum optimum;                //!< exact social optimum
  double price_of_anarchy = 0.0;  //!< SW*/SW(reached): the paper's number
  MarketStats stats;
  std::optional<EquilibriumSet> equilibria;  //!< all pure NE (when enumerated)
  double price_of_anarchy_worst() const;     //!< SW*/min over NE (NaN without enumeration)
  double price_of_stability() const;         //!< SW*/max over NE
};

struct ScenarioResult {
  Scenario scenario;
  MarketTable table;
  std::vector<BetaResult> betas;
  AuctionOutcome auction;
  Backend backend = Backend::cpu;
  double seconds = 0.0;  //!< this scenario's own compute time (its β units and its auction), seconds
};

//! Called after each β is solved with (solved, total); from one thread at a time.
using ProgressCallback = std::function<void(std::size_t, std::size_t)>;

struct RunOptions {
  Backend backend = Backend::cpu;
  std::optional<bool> enumerate;             //!< override the scenario's [equilibria] enumerate
  std::optional<std::vector<double>> betas;  //!< override the scenario's β values
  ProgressCallback progress;
};

//! Solves one β of a market (no enumeration).
BetaResult solve_beta(const MarketTable& table, double beta, const DynamicsOptions& dynamics);

//! NumericalError naming the scenario, β and the quantity unless every number of the result is finite or follows a
//! documented convention (PoA = +inf when SW ≤ 0 < SW*; relative regret +inf where a utility underflows).
void check_finite(const BetaResult& result, const std::string& scenario);

//! Solves one β of a scenario, certifies that its numbers are finite (check_finite) and, when `enumerate`, enumerates
//! all its pure equilibria on `backend`.
BetaResult solve_market_unit(const MarketTable& table, double beta, const Scenario& scenario, bool enumerate,
                             Backend backend);

ScenarioResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

}  // namespace ttcg
