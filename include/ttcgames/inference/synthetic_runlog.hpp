// Synthetic run logs for tests and benchmarks of the inference stage: per question a probability of a right answer,
// a few wrong answer classes (so that majority voting matters), samples without a valid answer, a reward model whose
// scores carry a tunable signal about correctness, some missing rewards, token counts and, for reasoning models,
// thinking tokens. Deterministic: every value is a Philox draw keyed by (seed, "synthetic-runlog") at counter
// (question, sample), so any size is reproducible and independent of how it is generated.
#pragma once

#include <cstdint>
#include <string>

#include "ttcgames/inference/runlog.hpp"

namespace ttcg {

struct SyntheticRunLogSpec {
  std::string model = "synthetic";
  std::int64_t questions = 100;
  std::int32_t samples = 16;     //!< per question
  std::int32_t distractors = 3;  //!< wrong answer classes per question (≥ 0)
  double invalid = 0.04;         //!< probability that a sample has no valid answer
  double missing_reward = 0.01;  //!< probability that a reward is missing (−inf)
  double reward_signal = 1.0;    //!< reward = signal·correct + U(−1, 1)
  double min_tokens = 50.0;      //!< total tokens uniform in [min_tokens, max_tokens), integers
  double max_tokens = 500.0;
  bool reasoning = false;  //!< thinking tokens: an integer uniform in [0, total)
  std::uint64_t seed = 0;
};

RunLog synthetic_runlog(const SyntheticRunLogSpec& spec);

}  // namespace ttcg
