// Equilibria of the market game (docs/model.md §2.1, §2.3): better/best-response dynamics with the potential along
// the way, and the certificate of any profile, the maximum regret over unilateral deviations, computed by a function
// independent of the dynamics. The per-market logic (the loop, the moves, the orders, the certificate) is the
// host/device code of equilibrium_math.hpp; this header is its host API on a Game.
#pragma once

#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

#include "ttcgames/core/mt19937.hpp"
#include "ttcgames/market/equilibrium_math.hpp"
#include "ttcgames/market/game.hpp"

namespace ttcg {

namespace h5 {
class Group;  // io/h5.hpp
}  // namespace h5

const char* to_string(DynamicsRule rule);
const char* to_string(ProviderOrder order);

//! Named tolerances of the dynamics (defaults are the reference implementation's).
struct DynamicsOptions {
  DynamicsRule rule = DynamicsRule::reference;
  ProviderOrder order = ProviderOrder::random;
  std::uint64_t seed = 0;
  Profile start;  //!< empty: every provider at level 0
  //! A move needs u' > u + tol·|u| ...
  double relative_tolerance = DYNAMICS_RELATIVE_TOLERANCE;
  //! ... or u' > absolute_tolerance (USD) when tol·|u| is 0 in double precision.
  double absolute_tolerance = DYNAMICS_ABSOLUTE_TOLERANCE;
  int max_rounds = DYNAMICS_MAX_ROUNDS;
  bool record_history = false;  //!< keep the profile and potential after every move
  //! Random order only: the Philox stream and the replicate word of its counter (PhiloxOrder); the defaults are
  //! those of a single market, an ensemble gives market m the stream "ensemble.order" and replicate m.
  std::uint64_t order_stream = DYNAMICS_ORDER_STREAM;
  std::uint32_t order_replicate = 0;
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

//! The settings of DynamicsOptions that the shared loop (equilibrium_math.hpp) takes.
DynamicsSettings dynamics_settings(const DynamicsOptions& options);

//! Writes the settings every result group records of its dynamics as attributes of `g`: dynamics_rule, tolerance,
//! absolute_tolerance (USD) and max_rounds (docs/hdf5-format.md); the order and its seed are the caller's.
void write_dynamics_attributes(h5::Group& g, const DynamicsOptions& options);

//! Validates the options against an n×K game (start profile, tolerances, round limit); InputError otherwise.
void check_dynamics_options(const DynamicsOptions& options, int n, int K);

//! The reference implementation's provider order: CPython's random.shuffle on MT19937 seeded with random.seed(seed).
class PythonOrder {
 public:
  explicit PythonOrder(std::uint64_t seed) : random_(seed) {}
  void shuffle(int, int* order, int n) { random_.shuffle(order, static_cast<std::size_t>(n)); }

 private:
  PythonRandom random_;
};

//! Called with the profile after every move when the history is recorded; returns the potential Φ to store with it
//! (NaN when the oracle's game has none).
using PotentialFunction = std::function<double(std::span<const int>)>;

//! The dynamics through any utility oracle (equilibrium_math.hpp) on the host: validates the options, starts from
//! options.start (or all zeros), visits providers in options.order and records the history when asked.
template <class Oracle>
DynamicsResult run_oracle_dynamics(Oracle& oracle, const DynamicsOptions& options, const PotentialFunction& potential) {
  const int n = oracle.providers();
  check_dynamics_options(options, n, oracle.levels());
  DynamicsResult result;
  result.profile = options.start.empty() ? Profile(n, 0) : options.start;
  auto record = [&](const int* profile) {
    if (!options.record_history) return;
    result.history.emplace_back(profile, profile + n);
    result.potential.push_back(potential ? potential(result.history.back()) : NAN);
  };
  record(result.profile.data());
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::int64_t> last_idle(n);
  auto run = [&](auto& order_policy) {
    return run_dynamics_loop(oracle, order_policy, dynamics_settings(options), result.profile.data(), order.data(),
                             last_idle.data(), record);
  };
  DynamicsCounters c;
  if (options.order == ProviderOrder::random) {
    PhiloxOrder o(options.seed, options.order_stream, options.order_replicate);
    c = run(o);
  } else if (options.order == ProviderOrder::reference) {
    PythonOrder o(options.seed);
    c = run(o);
  } else {
    FixedOrder o;
    c = run(o);
  }
  result.rounds = c.rounds;
  result.turns = c.turns;
  result.moves = c.moves;
  result.converged = c.converged;
  return result;
}

//! The dynamics of the logit game (LogitOracle) in the options' order, from the options' start.
DynamicsResult run_dynamics(const Game& game, const DynamicsOptions& options);

//! Regret of every unilateral deviation, recomputing each deviation's shares from scratch (logit_certificate).
Certificate certify(const Game& game, std::span<const int> profile);

//! A profile is an equilibrium at relative tolerance tol when no provider gains more than a factor (1 + tol).
bool is_equilibrium(const Certificate& cert, double relative_tolerance);

}  // namespace ttcg
