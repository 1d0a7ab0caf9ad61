// All pure Nash equilibria of one market at one β (docs/model.md §2.3), by the game's aggregative structure or, as
// an oracle, by enumerating the K^n profiles.
//
// A profile is an equilibrium at relative tolerance tol when no provider can raise its utility by more than a factor
// (1 + tol) by a unilateral deviation; comparisons are made between log-utilities, so they stay exact where shares
// underflow double precision. Both algorithms apply exactly this test (enumeration_math.hpp) to the profiles they
// keep, so they return the same set, counts, extremes and stored profiles bit for bit.
//
// structural (the default; market/aggregate_enumeration.hpp, where its complexity is stated): best-response windows
// in the log aggregate T = log A cut the T axis into segments, and a depth-first search over providers pruned by the
// reachable range of T finds the candidates of each segment. No limit on n; microseconds for the paper's markets.
// It runs on the host on either backend (one game is far below a kernel launch).
//
// exhaustive (the oracle): every K^n profile. The definition is equilibrium_completions (enumeration_math.hpp),
// which the CUDA kernel runs as it is; the CPU "windows" variant classifies a profile by comparing log A_{−i} with
// certified per-level windows and runs the direct test only inside their margins. Refused above max_profiles.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/market/game.hpp"

namespace ttcg {

enum class EnumerationAlgorithm {
  structural,  //!< the aggregative search (host, any n)
  exhaustive,  //!< all K^n profiles: CPU windows from WINDOWS_MIN_PROFILES profiles, else direct; CUDA kernel on cuda
  windows,     //!< exhaustive, CPU: best-response windows in log A_{−i} with the direct test as fallback
  direct,      //!< exhaustive, CPU: the direct test of every completion (the definition; what the CUDA kernel runs)
};

//! "structural" | "exhaustive" | "windows" | "direct".
const char* to_string(EnumerationAlgorithm algorithm);
//! The user-facing names "structural" and "exhaustive"; throws InputError naming `where` otherwise.
EnumerationAlgorithm parse_enumeration_algorithm(const std::string& text, const std::string& where);

struct EnumerationOptions {
  double relative_tolerance = 1e-8;       //!< same meaning as DynamicsOptions::relative_tolerance
  std::int64_t max_stored = 100000;       //!< equilibria kept in `stored` (the count is always exact)
  std::int64_t max_profiles = 1ll << 40;  //!< exhaustive only: refuse larger games (K^n profiles)
  EnumerationAlgorithm algorithm = EnumerationAlgorithm::structural;
};

//! Below this many profiles, computing the windows (O(n K^2) root finds) costs more than it saves.
constexpr std::int64_t WINDOWS_MIN_PROFILES = 100'000;

struct EquilibriumSet {
  std::int64_t count = 0;
  std::vector<Profile> stored;  //!< first max_stored equilibria in lexicographic order (= ascending profile index)
  double worst_welfare = 0.0;   //!< NaN when count == 0
  double best_welfare = 0.0;
  Profile worst_profile;  //!< lexicographically first equilibrium attaining worst_welfare; empty when none
  Profile best_profile;
  std::int64_t profiles = 0;  //!< K^n, −1 when above 2^62
  std::int64_t work = 0;      //!< profiles tested (exhaustive) or search nodes visited (structural)
};

//! Every pure NE; deterministic for any thread count and on either backend (up to libm last-bit differences on the
//! GPU for the exhaustive kernel).
EquilibriumSet enumerate_equilibria(const Game& game, const EnumerationOptions& options = {},
                                    Backend backend = Backend::cpu);

//! Throws InputError when an n×K game cannot be enumerated under `options`: K above ENUMERATION_MAX_LEVELS, or, for
//! the exhaustive algorithms, K^n above max_profiles; naming the [equilibria] keys that change it.
void check_enumeration_limits(int n, int K, const EnumerationOptions& options);

//! Number of profiles K^n, or −1 when it exceeds 2^62.
std::int64_t profile_count(int n, int K);

//! True when profile a precedes b lexicographically (provider 0 first): the order of profile indices.
bool profile_precedes(const Profile& a, const Profile& b);

}  // namespace ttcg
