#include "ttcgames/equilibrium.hpp"

#include <cassert>
#include <cmath>
#include <numeric>
#include <utility>

#include "ttcgames/error.hpp"
#include "ttcgames/mt19937.hpp"
#include "ttcgames/rng.hpp"

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

namespace {

constexpr std::uint64_t ORDER_STREAM = rng::stream_id("dynamics.order");

//! The move test of the reference implementation: u' > u + tol·|u|, or u' > abs_tol when tol·|u| is 0 in double
//! precision (u underflowed); expressed on log-utilities so that nothing else depends on underflow.
struct ImprovementThreshold {
  double log_threshold;
  ImprovementThreshold(double log_u, const DynamicsOptions& o) {
    if (o.relative_tolerance * std::exp(log_u) == 0.0)
      log_threshold = std::log(o.absolute_tolerance);
    else
      log_threshold = log_u + std::log1p(o.relative_tolerance);
  }
  bool improves(double log_u_candidate) const { return log_u_candidate > log_threshold; }
};

int reference_move(const GameView& g, int i, int current, double log_a, const DynamicsOptions& o) {
  const ImprovementThreshold threshold(log_utility(g, i, current, log_a), o);
  const int reach = std::max(current, g.K - 1 - current);
  for (int d = 1; d <= reach; ++d) {
    for (const int candidate : {current - d, current + d}) {
      if (candidate < 0 || candidate >= g.K) continue;
      if (threshold.improves(log_utility(g, i, candidate, log_a))) return candidate;
    }
  }
  return current;
}

int best_response_move(const GameView& g, int i, int current, double log_a, const DynamicsOptions& o) {
  const double log_u = log_utility(g, i, current, log_a);
  int best = current;
  double best_log_u = -INFINITY;
  for (int k = 0; k < g.K; ++k) {
    const double v = log_utility(g, i, k, log_a);
    if (v > best_log_u) {
      best_log_u = v;
      best = k;
    }
  }
  return best_log_u > log_u + std::log1p(o.relative_tolerance) ? best : current;
}

void shuffle(std::vector<int>& order, std::uint64_t seed, std::uint32_t round) {
  const rng::Philox4x32Key key = rng::make_key(seed, ORDER_STREAM);
  for (std::size_t j = order.size(); j-- > 1;) {
    const rng::Philox4x32Ctr r = rng::draw(key, 0, round, 0, static_cast<std::uint32_t>(j));
    std::swap(order[j], order[rng::to_bounded(r.v[0], r.v[1], static_cast<std::uint32_t>(j + 1))]);
  }
}

}  // namespace

DynamicsResult run_dynamics(const Game& game, const DynamicsOptions& o) {
  const GameView g = game.view();
  DynamicsResult result;
  result.profile = o.start.empty() ? Profile(g.n, 0) : o.start;
  if (static_cast<int>(result.profile.size()) != g.n)
    throw InputError("dynamics: start profile has " + std::to_string(result.profile.size()) +
                     " entries, expected one per provider (" + std::to_string(g.n) + ")");
  for (const int k : result.profile)
    if (k < 0 || k >= g.K)
      throw InputError("dynamics: start level " + std::to_string(k) + " outside 0.." + std::to_string(g.K - 1));
  if (!(o.relative_tolerance >= 0.0) || !(o.absolute_tolerance > 0.0) || o.max_rounds < 1)
    throw InputError("dynamics: tolerances must be >= 0 (relative) and > 0 (absolute), max_rounds >= 1");

  Profile& profile = result.profile;
  if (o.record_history) {
    result.history.push_back(profile);
    result.potential.push_back(game.potential(profile));
  }
  std::vector<int> order(g.n);
  std::iota(order.begin(), order.end(), 0);
  PythonRandom python_random(o.seed);

  for (int round = 0; round < o.max_rounds; ++round) {
    if (o.order == ProviderOrder::random) shuffle(order, o.seed, static_cast<std::uint32_t>(round));
    if (o.order == ProviderOrder::reference) python_random.shuffle(order);
    bool moved = false;
    for (const int i : order) {
      ++result.turns;
      const double log_a = log_aggregate(g, profile.data(), i);
      const int next = o.rule == DynamicsRule::reference ? reference_move(g, i, profile[i], log_a, o)
                                                         : best_response_move(g, i, profile[i], log_a, o);
      if (next == profile[i]) continue;
      profile[i] = next;
      moved = true;
      ++result.moves;
      if (o.record_history) {
        result.history.push_back(profile);
        result.potential.push_back(game.potential(profile));
      }
    }
    result.rounds = round + 1;
    if (!moved) {
      result.converged = true;
      break;
    }
  }
  return result;
}

Certificate certify(const Game& game, std::span<const int> profile) {
  const GameView g = game.view();
  Certificate cert;
  Profile deviated(profile.begin(), profile.end());
  for (int i = 0; i < g.n; ++i) {
    // log u_i = log(p_i − c_i) + x_i − log A, each deviation's aggregate recomputed over all providers.
    const double log_u = g.lm(i, profile[i]) + g.xs(i, profile[i]) - log_aggregate(g, deviated.data(), -1);
    double best = log_u;
    for (int k = 0; k < g.K; ++k) {
      if (k == profile[i]) continue;
      deviated[i] = k;
      best = std::max(best, g.lm(i, k) + g.xs(i, k) - log_aggregate(g, deviated.data(), -1));
    }
    deviated[i] = profile[i];
    if (!(best > log_u)) continue;  // also false when both are −inf (zero margin everywhere)
    const double relative = std::isfinite(log_u) ? std::expm1(best - log_u) : INFINITY;
    const double absolute = std::isfinite(log_u) ? std::exp(log_u) * relative : std::exp(best);
    cert.max_regret = std::max(cert.max_regret, absolute);
    if (relative > cert.max_relative_regret) {
      cert.max_relative_regret = relative;
      cert.worst_provider = i;
    }
  }
  return cert;
}

bool is_equilibrium(const Certificate& cert, double relative_tolerance) {
  return cert.max_relative_regret <= relative_tolerance;
}

}  // namespace ttcg
