// Social optimum (docs/model.md §2.2): SW* = max over all K^n profiles of SW(k) = Σ s_i W_i + s_0 v0.
//
// exact_optimum solves it for any n by fractional programming (Dinkelbach): SW is a ratio of separable sums, so for
// a trial value λ each provider independently maximizes e_i (W_i − λ); the signed sums are kept in log space so that
// no β overflows. It returns a certificate: the final λ with F(λ) ≤ 0 bounds SW* from above, so SW* − SW(found) ≤
// gap, a few ulps. exhaustive_optimum enumerates every profile (OpenMP, or the CUDA kernel) and is the test oracle.
#pragma once

#include <cstdint>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/market/game.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

struct Optimum {
  Profile profile;
  double welfare = 0.0;  //!< SW at profile (USD)
  int iterations = 0;    //!< Dinkelbach iterations (0 for enumeration)
  std::int64_t profiles_evaluated = 0;
  //! Dinkelbach only: certified bound on SW* − welfare (USD): a few ulps of welfare at most; +inf if the iteration
  //! limit stopped it uncertified.
  double gap = 0.0;
};

//! Exact optimum by Dinkelbach's algorithm: O(n·K) per iteration, a handful of iterations.
Optimum exact_optimum(const Game& game);

//! Optimum by enumerating all K^n profiles; ties go to the lowest profile index (provider 0 most significant).
Optimum exhaustive_optimum(const Game& game, Backend backend = Backend::cpu);

}  // namespace ttcg
