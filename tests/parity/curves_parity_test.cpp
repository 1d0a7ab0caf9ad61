// CPU (OpenMP) vs CUDA parity of the permutation estimator of the inference stage: the tallies (per-permutation
// and per-question counts and token sums) must be bitwise equal, because both backends run the same visit
// (curves_math.hpp) on the same Philox draws and reduce in the same fixed order. Covers a partial last block,
// several kernel batches, a question with samples beyond the levels, invalid answers, missing rewards and many
// answer classes. Skips without a device (and in a build without CUDA).
#include <gtest/gtest.h>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/synthetic_runlog.hpp"

namespace {

using namespace ttcg;

void expect_equal(const PermutationTallies& a, const PermutationTallies& b) {
  EXPECT_EQ(a.trial_majority, b.trial_majority);
  EXPECT_EQ(a.trial_best, b.trial_best);
  EXPECT_EQ(a.trial_any, b.trial_any);
  EXPECT_EQ(a.trial_tokens, b.trial_tokens);
  EXPECT_EQ(a.question_majority, b.question_majority);
  EXPECT_EQ(a.question_best, b.question_best);
  EXPECT_EQ(a.question_any, b.question_any);
  EXPECT_EQ(a.question_tokens, b.question_tokens);
}

struct Case {
  std::int64_t questions;
  std::int32_t samples, distractors;
  std::vector<std::int32_t> theta;
  std::int64_t permutations;
};

TEST(CurvesParity, PermutationTalliesAreBitwiseEqual) {
  if (!cuda_device_available()) GTEST_SKIP() << cuda_device_description();
  const std::vector<Case> cases{
      {50, 16, 3, {1, 4, 8, 16}, 3 * PERMUTATION_BLOCK + 7},
      {200, 64, 40, {1, 2, 3, 32}, 100},  // many answer classes, levels well below N
      {1319, 128, 3, {1, 4, 8, 16, 32, 64}, 1000},
      {3, 1000, 5, {1, 10, 999}, 64},
  };
  for (const Case& c : cases) {
    SyntheticRunLogSpec spec;
    spec.questions = c.questions;
    spec.samples = c.samples;
    spec.distractors = c.distractors;
    spec.invalid = 0.1;
    spec.missing_reward = 0.1;
    const SampleMatrix m = sample_matrix(synthetic_runlog(spec), c.samples);
    const PermutationView v = m.view(c.theta, 42);
    SCOPED_TRACE("questions " + std::to_string(c.questions) + ", samples " + std::to_string(c.samples));
    expect_equal(permutation_tallies(v, c.permutations, Backend::cpu),
                 permutation_tallies(v, c.permutations, Backend::cuda));
  }
}

TEST(CurvesParity, CurvesAreEqualOnBothBackends) {
  if (!cuda_device_available()) GTEST_SKIP() << cuda_device_description();
  SyntheticRunLogSpec spec;
  spec.questions = 300;
  spec.samples = 32;
  const RunLog log = synthetic_runlog(spec);
  CurveOptions o;
  o.permutations = 500;
  const auto cpu = sample_count_curves({log}, {CurveMethod::majority, CurveMethod::best_of_n}, o);
  o.backend = Backend::cuda;
  const auto gpu = sample_count_curves({log}, {CurveMethod::majority, CurveMethod::best_of_n}, o);
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_EQ(cpu[i].models[0].accuracy, gpu[i].models[0].accuracy);
    EXPECT_EQ(cpu[i].models[0].tokens, gpu[i].models[0].tokens);
    EXPECT_EQ(cpu[i].models[0].table.p_correct, gpu[i].models[0].table.p_correct);
  }
}

TEST(CurvesParity, CudaWithoutADeviceIsAClearError) {
  if (cuda_device_available()) GTEST_SKIP() << "a CUDA device is present: " << cuda_device_description();
  const SampleMatrix m = sample_matrix(synthetic_runlog({}), 16);
  const std::vector<std::int32_t> theta{1, 4};
  EXPECT_THROW(permutation_tallies(m.view(theta, 0), 10, Backend::cuda), InputError);
}

}  // namespace
