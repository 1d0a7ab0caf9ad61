// Per-(permutation, question) logic of the permutation estimators of the inference stage (docs/model.md §4), written
// once for the OpenMP loop (src/inference/curves.cpp) and the CUDA kernel (cuda/inference/curves.cu).
//
// A question's N samples (the first N = min samples over questions, as the reference truncates) are visited in a
// uniformly random order, drawn by a partial Fisher–Yates shuffle whose j-th swap uses exactly uniform integers
// (Lemire's multiply-shift with rejection) from Philox words at counter (permutation, 0, question, word / 4) of the
// key (seed, "curves/permutation"). Level θ uses the first θ visited samples, so the levels are nested and the
// shuffle's prefix does not depend on the largest level asked for. At each level the visit yields
//   majority  1 when the majority label (valid samples only; count ties go to the label seen first in the visit)
//             has a correct sample among those visited; 0 when no visited sample is valid;
//   best      the verdict of the visited sample with the highest reward (ties: the first visited; −inf for a
//             missing reward, so a question without rewards takes its first visited sample);
//   any       1 when some visited sample is correct (pass@θ);
//   tokens    the sum of the visited samples' billed output tokens.
// Everything is a pure function of (seed, permutation, question): results do not depend on threads or backend.
//
// Reductions (identical on both backends, hence bitwise equal results): counts are exact integers; per
// permutation, token sums run over questions in increasing order; per question, over blocks of
// PERMUTATION_BLOCK permutations in increasing order, each block summed in increasing permutation order.
//
// This header is C++17; device code uses only the TTCG_HD functions and the POD views.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "ttcgames/core/hd.hpp"
#include "ttcgames/core/rng.hpp"

namespace ttcg {

//! Permutations per work block (the unit of the fixed-order reductions and of distribution over threads/ranks).
constexpr std::int64_t PERMUTATION_BLOCK = 32;

//! Names of the Philox streams of the inference stage.
constexpr std::uint64_t PERMUTATION_STREAM = rng::stream_id("curves/permutation");
constexpr std::uint64_t BOOTSTRAP_STREAM = rng::stream_id("curves/bootstrap");
constexpr std::uint64_t JITTER_STREAM = rng::stream_id("curves/jitter");

//! 32-bit random words from the Philox stream of one (replicate, entity) pair, four per Philox call.
struct WordStream {
  rng::Philox4x32Key key;
  std::uint32_t replicate;
  std::uint32_t entity;
  std::uint32_t call = 0;
  std::uint32_t used = 4;
  rng::Philox4x32Ctr words{};

  TTCG_HD WordStream(rng::Philox4x32Key k, std::uint32_t rep, std::uint32_t ent)
      : key(k), replicate(rep), entity(ent) {}

  TTCG_HD std::uint32_t next() {
    if (used == 4) {
      words = rng::draw(key, replicate, 0, entity, call++);
      used = 0;
    }
    return words.v[used++];
  }

  //! A uniform integer in [0, bound), bound ≥ 1, exactly (Lemire's multiply-shift with rejection).
  TTCG_HD std::uint32_t below(std::uint32_t bound) {
    std::uint64_t m = static_cast<std::uint64_t>(next()) * bound;
    std::uint32_t low = static_cast<std::uint32_t>(m);
    if (low < bound) {
      const std::uint32_t threshold = (0u - bound) % bound;
      while (low < threshold) {
        m = static_cast<std::uint64_t>(next()) * bound;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return static_cast<std::uint32_t>(m >> 32);
  }
};

//! One model's samples as a Q×N row-major matrix (host or device memory), with the levels to evaluate.
struct PermutationView {
  std::int64_t Q = 0;                     //!< questions
  std::int32_t N = 0;                     //!< samples per question
  std::int32_t K = 0;                     //!< levels
  const std::int32_t* label = nullptr;    //!< [Q*N] answer class in [0, labels[q]), −1: no valid answer
  const std::uint8_t* correct = nullptr;  //!< [Q*N] verdict, 0 or 1
  const double* reward = nullptr;         //!< [Q*N] reward; −inf when missing; never NaN
  const double* tokens = nullptr;         //!< [Q*N] billed output tokens
  const std::int32_t* labels = nullptr;   //!< [Q] number of answer classes of question q (≤ N)
  const std::int32_t* theta = nullptr;    //!< [K] levels, strictly increasing, in [1, N]
  rng::Philox4x32Key key{};               //!< make_key(seed, PERMUTATION_STREAM)
  std::uint8_t shuffle = 1;               //!< 0: visit the samples in their logged order (no draws)
};

//! Working memory of one visit: N positions and N label slots, element i at [i * stride].
struct PermutationScratch {
  std::uint32_t* order;
  std::uint32_t* count;
  std::uint32_t* first_seen;
  std::uint8_t* label_correct;
  std::int64_t stride;
};

//! Outcomes of visit (permutation p, question q) at every level k, written to majority[k], best[k], any[k],
//! tokens[k].
TTCG_HD inline void permutation_outcomes(const PermutationView& v, std::uint32_t p, std::uint32_t q,
                                         const PermutationScratch& s, std::uint8_t* majority, std::uint8_t* best,
                                         std::uint8_t* any, double* tokens) {
  const std::int64_t row = static_cast<std::int64_t>(q) * v.N;
  const std::int64_t st = s.stride;
  for (std::int32_t i = 0; i < v.N; ++i) s.order[i * st] = static_cast<std::uint32_t>(i);
  for (std::int32_t l = 0; l < v.labels[q]; ++l) {
    s.count[l * st] = 0;
    s.label_correct[l * st] = 0;
  }
  WordStream words(v.key, p, q);
  std::int32_t majority_label = -1;
  std::uint32_t majority_count = 0;
  double best_reward = 0.0;
  std::uint8_t best_correct = 0;
  std::uint8_t any_correct = 0;
  double token_sum = 0.0;
  std::int32_t level = 0;
  const std::int32_t last = v.theta[v.K - 1];
  for (std::int32_t i = 0; i < last; ++i) {
    const std::uint32_t remaining = static_cast<std::uint32_t>(v.N - i);
    const std::int32_t j = i + static_cast<std::int32_t>(v.shuffle && remaining > 1 ? words.below(remaining) : 0u);
    const std::uint32_t sample = s.order[j * st];
    s.order[j * st] = s.order[i * st];
    s.order[i * st] = sample;

    const std::int64_t at = row + sample;
    const std::int32_t label = v.label[at];
    const std::uint8_t correct = v.correct[at];
    const double reward = v.reward[at];
    token_sum += v.tokens[at];
    any_correct |= correct;
    if (i == 0 || reward > best_reward) {
      best_reward = reward;
      best_correct = correct;
    }
    if (label >= 0) {
      const std::uint32_t c = ++s.count[label * st];
      if (c == 1) s.first_seen[label * st] = static_cast<std::uint32_t>(i);
      if (correct) s.label_correct[label * st] = 1;
      if (c > majority_count || (c == majority_count && s.first_seen[label * st] < s.first_seen[majority_label * st])) {
        majority_label = label;
        majority_count = c;
      }
    }
    while (level < v.K && v.theta[level] == i + 1) {
      majority[level] = majority_label >= 0 ? s.label_correct[majority_label * st] : std::uint8_t{0};
      best[level] = best_correct;
      any[level] = any_correct;
      tokens[level] = token_sum;
      ++level;
    }
  }
}

//! Per-permutation and per-question sums of the visit outcomes (the reductions described above).
struct PermutationTallies {
  std::int64_t P = 0, Q = 0;
  std::int32_t K = 0;
  //! [P*K] per permutation p and level k: questions answered correctly, and Σ_q tokens.
  std::vector<std::int64_t> trial_majority, trial_best, trial_any;
  std::vector<double> trial_tokens;
  //! [Q*K] per question q and level k: permutations in which it was answered correctly, and Σ_p tokens.
  std::vector<std::int64_t> question_majority, question_best, question_any;
  std::vector<double> question_tokens;

  void resize(std::int64_t permutations, std::int64_t questions, std::int32_t levels) {
    P = permutations;
    Q = questions;
    K = levels;
    const std::size_t pk = static_cast<std::size_t>(P * K), qk = static_cast<std::size_t>(Q * K);
    trial_majority.assign(pk, 0);
    trial_best.assign(pk, 0);
    trial_any.assign(pk, 0);
    trial_tokens.assign(pk, 0.0);
    question_majority.assign(qk, 0);
    question_best.assign(qk, 0);
    question_any.assign(qk, 0);
    question_tokens.assign(qk, 0.0);
  }
};

}  // namespace ttcg
