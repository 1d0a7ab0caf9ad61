// Private to src/: instruction-set clones of the vectorized loops. A function marked TTCG_SIMD_CLONES is compiled
// for AVX-512 (x86-64-v4), AVX2+FMA (x86-64-v3) and the baseline, and the best one the CPU supports is chosen when
// the program starts (GCC function multiversioning). The clones compute the same bits: the loops use only
// lane-wise IEEE operations, explicit fma() and fixed 8-lane reductions, never a reduction order chosen by the
// compiler. TTCG_ALWAYS_INLINE puts a helper into each clone.
#pragma once

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && !defined(__CUDACC__)
#define TTCG_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TTCG_SIMD_CLONES
#endif

#if defined(__GNUC__)
#define TTCG_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TTCG_ALWAYS_INLINE inline
#endif

namespace ttcg::simd {

//! Users per tile of the vectorized loops (scratch arrays are [TILE] per quantity).
constexpr int TILE = 256;
//! Fixed lanes of every sum over users: user u of a block adds to lane u mod LANES, lanes are combined in a fixed
//! tree at the end of the block.
constexpr int LANES = 8;

//! Σ of the lanes in the fixed order ((0+1)+(2+3))+((4+5)+(6+7)).
inline double combine_lanes(const double* lanes) {
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

//! lanes[l] += values[u] for u ≡ l (mod LANES), u in [0, TILE); values past the tile's users must be 0.
TTCG_ALWAYS_INLINE void add_to_lanes(double* lanes, const double* values) {
  for (int u0 = 0; u0 < TILE; u0 += LANES) {
#pragma omp simd
    for (int l = 0; l < LANES; ++l) lanes[l] += values[u0 + l];
  }
}

}  // namespace ttcg::simd
