// All pure Nash equilibria by enumeration (docs/model.md §2.3), on the CPU (OpenMP) or the GPU (CUDA).
//
// A profile is an equilibrium at relative tolerance tol when no provider can raise its utility by more than a factor
// (1 + tol) by a unilateral deviation; comparisons are made between log-utilities, so they stay exact where shares
// underflow double precision. The enumeration walks prefixes of the first n−1 providers: the last provider's best
// responses follow from the prefix aggregate alone, and only those completions are checked for the others.
//
// The definition is equilibrium_completions (enumeration_math.hpp), which the CUDA kernel runs as it is. The CPU
// "windows" algorithm returns the same set faster: the game is aggregative, so whether level k is a (tol-)best
// response of provider i depends only on L = log A_{−i}, and the set of such L is an interval. Each interval is
// computed once per game with certified margins; a profile is classified by comparing L with them, and the direct
// test runs only when L falls inside a margin. L itself comes from prefix log-sum-exps that are bit-identical to
// those of the direct test.
#pragma once

#include <cstdint>
#include <vector>

#include "ttcgames/backend.hpp"
#include "ttcgames/game.hpp"

namespace ttcg {

enum class EnumerationAlgorithm {
  automatic,  //!< windows when the game has at least WINDOWS_MIN_PROFILES profiles, else direct
  windows,    //!< CPU: best-response windows in log A_{−i} with the direct test as fallback
  direct,     //!< CPU: the direct test of every completion (the definition; what the CUDA kernel runs)
};

struct EnumerationOptions {
  double relative_tolerance = 1e-8;       //!< same meaning as DynamicsOptions::relative_tolerance
  std::int64_t max_stored = 100000;       //!< equilibria kept in `profiles` (the count is always exact)
  std::int64_t max_profiles = 1ll << 40;  //!< refuse larger games (K^n profiles)
  EnumerationAlgorithm algorithm = EnumerationAlgorithm::automatic;
};

//! Below this many profiles, computing the windows (O(n K^2) root finds) costs more than it saves.
constexpr std::int64_t WINDOWS_MIN_PROFILES = 100'000;

struct EquilibriumSet {
  std::int64_t count = 0;
  std::vector<std::int64_t> indices;  //!< first max_stored equilibria by profile index, ascending
  double worst_welfare = 0.0;         //!< NaN when count == 0
  double best_welfare = 0.0;
  std::int64_t worst_index = -1;  //!< lowest index attaining worst_welfare
  std::int64_t best_index = -1;
  std::int64_t profiles = 0;  //!< K^n
};

//! Every pure NE; deterministic for any thread count and on either backend (up to libm last-bit differences).
EquilibriumSet enumerate_equilibria(const Game& game, const EnumerationOptions& options = {},
                                    Backend backend = Backend::cpu);

//! Throws InputError when an n×K game cannot be enumerated under `options` (K^n above max_profiles, or K above
//! ENUMERATION_MAX_LEVELS); naming the [equilibria] keys that change it.
void check_enumeration_limits(int n, int K, const EnumerationOptions& options);

//! Number of profiles K^n, or −1 when it exceeds 2^62.
std::int64_t profile_count(int n, int K);

}  // namespace ttcg
