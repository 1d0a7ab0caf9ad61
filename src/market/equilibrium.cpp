#include "ttcgames/market/equilibrium.hpp"

#include <cmath>
#include <string>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg {

const char* to_string(DynamicsRule rule) {
  return rule == DynamicsRule::reference ? "reference" : "best-response";
}
const char* to_string(ProviderOrder order) {
  switch (order) {
    case ProviderOrder::random:
      return "random";
    case ProviderOrder::reference:
      return "reference";
    case ProviderOrder::fixed:
      return "fixed";
  }
  return "?";
}

DynamicsSettings dynamics_settings(const DynamicsOptions& o) {
  DynamicsSettings s;
  s.rule = o.rule;
  s.relative_tolerance = o.relative_tolerance;
  s.absolute_tolerance = o.absolute_tolerance;
  s.max_rounds = o.max_rounds;
  return s;
}

void check_dynamics_options(const DynamicsOptions& o, int n, int K) {
  if (!o.start.empty() && static_cast<int>(o.start.size()) != n)
    throw InputError("dynamics: start profile has " + std::to_string(o.start.size()) +
                     " entries, expected one per provider (" + std::to_string(n) + ")");
  for (const int k : o.start)
    if (k < 0 || k >= K)
      throw InputError("dynamics: start level " + std::to_string(k) + " outside 0.." + std::to_string(K - 1));
  if (!(o.relative_tolerance >= 0.0) || !(o.absolute_tolerance > 0.0) || o.max_rounds < 1)
    throw InputError("dynamics: tolerances must be >= 0 (relative) and > 0 (absolute), max_rounds >= 1");
}

DynamicsResult run_dynamics(const Game& game, const DynamicsOptions& o) {
  std::vector<LogSumExp> prefix(static_cast<std::size_t>(game.n()) + 1);
  LogitOracle oracle(game.view(), prefix.data());
  return run_oracle_dynamics(oracle, o, [&game](std::span<const int> profile) { return game.potential(profile); });
}

Certificate certify(const Game& game, std::span<const int> profile) {
  std::vector<double> steps(static_cast<std::size_t>(game.n()));
  return logit_certificate(game.view(), profile.data(), steps.data());
}

bool is_equilibrium(const Certificate& cert, double relative_tolerance) {
  return cert.max_relative_regret <= relative_tolerance;
}

void write_dynamics_attributes(h5::Group& g, const DynamicsOptions& options) {
  g.write_attribute_string("dynamics_rule", to_string(options.rule));
  g.write_attribute_f64("tolerance", options.relative_tolerance);
  g.write_attribute_f64("absolute_tolerance", options.absolute_tolerance);
  g.write_attribute_i64("max_rounds", options.max_rounds);
}

}  // namespace ttcg
