// Equilibria of the market game (docs/model.md §2.1, §2.3): better/best-response dynamics with the potential along
// the way, and the certificate of any profile, the maximum regret over unilateral deviations, computed by a function
// independent of the dynamics.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ttcgames/game.hpp"

namespace ttcg {

enum class DynamicsRule {
  reference,      //!< nearest-first better response of the reference implementation (model.md §2.1)
  best_response,  //!< move to the utility-maximizing level (first index on ties)
};
enum class ProviderOrder {
  random,     //!< seeded random order (Philox stream "dynamics.order"), reshuffled every round
  reference,  //!< the reference implementation's order: Python's random.seed(seed), then random.shuffle per round
  fixed,      //!< providers visited 0..n−1 every round
};

const char* to_string(DynamicsRule rule);
const char* to_string(ProviderOrder order);

//! Named tolerances of the dynamics (defaults are the reference implementation's).
struct DynamicsOptions {
  DynamicsRule rule = DynamicsRule::reference;
  ProviderOrder order = ProviderOrder::random;
  std::uint64_t seed = 0;
  Profile start;                     //!< empty: every provider at level 0
  double relative_tolerance = 1e-8;  //!< a move needs u' > u + tol·|u|
  double absolute_tolerance = 1e-9;  //!< used instead when tol·|u| is 0 in double precision (USD)
  int max_rounds = 1000;
  bool record_history = false;  //!< keep the profile and potential after every move
};

struct DynamicsResult {
  Profile profile;
  int rounds = 0;          //!< rounds run, the last one without a move when converged
  std::int64_t turns = 0;  //!< provider visits
  std::int64_t moves = 0;
  bool converged = false;         //!< a round ended without a move
  std::vector<Profile> history;   //!< start, then after every move (when recorded)
  std::vector<double> potential;  //!< Φ at each history entry (when recorded)
};

DynamicsResult run_dynamics(const Game& game, const DynamicsOptions& options);

//! How far a profile is from a pure Nash equilibrium.
struct Certificate {
  double max_regret = 0.0;           //!< max_i [max_k u_i(k, k_−i) − u_i(k)] (USD)
  double max_relative_regret = 0.0;  //!< max_i [max_k u_i(k, k_−i)/u_i(k) − 1], from log utilities
  int worst_provider = -1;           //!< provider attaining max_relative_regret (−1 if none regrets)
};

//! Regret of every unilateral deviation, recomputing each deviation's shares from scratch.
Certificate certify(const Game& game, std::span<const int> profile);

//! A profile is an equilibrium at relative tolerance tol when no provider gains more than a factor (1 + tol).
bool is_equilibrium(const Certificate& cert, double relative_tolerance);

}  // namespace ttcg
