// Solving one β of a scenario's market: the dynamics from the scenario's start (with the potential), the certificate
// of the reached profile, the exact social optimum, the price of anarchy, the comparison statistics and, when asked,
// all pure Nash equilibria (worst-case price of anarchy, price of stability). A scenario's whole market (every β,
// then the auction) is the market stage of a run (market_stage.hpp), run by the orchestrator (orchestrator.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/market/auction.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/welfare.hpp"
#include "ttcgames/run/scenario.hpp"

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

//! Solves one β of a market (no enumeration).
BetaResult solve_beta(const MarketTable& table, double beta, const DynamicsOptions& dynamics);

//! NumericalError naming the scenario, β and the quantity unless every number of the result is finite or follows a
//! documented convention (PoA = +inf when SW ≤ 0 < SW*; relative regret +inf where a utility underflows).
void check_finite(const BetaResult& result, const std::string& scenario);

//! Solves one β of a scenario, certifies that its numbers are finite (check_finite) and, when `enumerate`, enumerates
//! all its pure equilibria on `backend`.
BetaResult solve_market_unit(const MarketTable& table, double beta, const Scenario& scenario, bool enumerate,
                             Backend backend);

}  // namespace ttcg
