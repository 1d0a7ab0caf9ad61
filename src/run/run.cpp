#include "ttcgames/run/run.hpp"
#include "ttcgames/core/text.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "ttcgames/core/error.hpp"

namespace ttcg {

double BetaResult::price_of_anarchy_worst() const {
  if (!equilibria || equilibria->count == 0) return std::numeric_limits<double>::quiet_NaN();
  return welfare_ratio(optimum.welfare, equilibria->worst_welfare);
}

double BetaResult::price_of_stability() const {
  if (!equilibria || equilibria->count == 0) return std::numeric_limits<double>::quiet_NaN();
  return welfare_ratio(optimum.welfare, equilibria->best_welfare);
}

BetaResult solve_beta(const MarketTable& table, double beta, const DynamicsOptions& dynamics) {
  const Game game(table, beta);
  BetaResult r;
  r.beta = beta;
  r.dynamics = run_dynamics(game, dynamics);
  const Profile& k = r.dynamics.profile;
  r.welfare = game.welfare(k);
  r.shares = game.shares(k);
  r.outside_share = game.outside_share(k);
  r.potential = game.potential(k);
  r.certificate = certify(game, k);
  r.optimum = exact_optimum(game);
  r.price_of_anarchy = welfare_ratio(r.optimum.welfare, r.welfare);
  r.stats = market_stats(game, k);
  return r;
}

namespace {}  // namespace

void check_finite(const BetaResult& r, const std::string& scenario) {
  const auto fail = [&](const std::string& quantity, double value) {
    throw NumericalError(scenario + ": at beta = " + number_text(r.beta, 17) + ", " + quantity + " is " +
                         number_text(value, 17) +
                         " (no convention allows a non-finite value here; please report this with the scenario)");
  };
  const auto finite = [&](const std::string& quantity, double value) {
    if (!std::isfinite(value)) fail(quantity, value);
  };
  finite("the welfare at the reached profile", r.welfare);
  for (std::size_t i = 0; i < r.shares.size(); ++i) finite("the share of provider " + std::to_string(i), r.shares[i]);
  finite("the outside share", r.outside_share);
  finite("the potential", r.potential);
  for (const double phi : r.dynamics.potential) finite("the potential along the dynamics", phi);
  finite("the maximum regret", r.certificate.max_regret);
  if (std::isnan(r.certificate.max_relative_regret)) fail("the maximum relative regret", NAN);
  finite("the optimal welfare", r.optimum.welfare);
  if (std::isnan(r.price_of_anarchy) || r.price_of_anarchy == -INFINITY)
    fail("the price of anarchy", r.price_of_anarchy);
  const MarketStats& m = r.stats;
  for (const auto& [name, v] : {std::pair{"the weighted value", m.weighted_value},
                                {"the mean value", m.mean_value},
                                {"the weighted price", m.weighted_price},
                                {"the mean price", m.mean_price},
                                {"the weighted utility", m.weighted_utility},
                                {"the mean utility", m.mean_utility}})
    finite(name, v);
  if (r.equilibria && r.equilibria->count > 0) {
    finite("the worst equilibrium welfare", r.equilibria->worst_welfare);
    finite("the best equilibrium welfare", r.equilibria->best_welfare);
  }
}

BetaResult solve_market_unit(const MarketTable& table, double beta, const Scenario& scenario, bool enumerate,
                             Backend backend) {
  BetaResult r = solve_beta(table, beta, scenario.dynamics);
  if (enumerate) r.equilibria = enumerate_equilibria(Game(table, beta), scenario.enumeration, backend);
  check_finite(r, scenario.name);
  return r;
}

}  // namespace ttcg
