// LLM run logs in memory (docs/model.md §4): for one model on one benchmark, per question, N sampled generations,
// each with its answer class, the verifier's verdict, its billed output tokens (and thinking tokens for reasoning
// models) and a reward-model score. This is what the estimators of the inference stage (curves) consume; readers
// (reference JSONL layout, or other layouts through a field mapping) produce it.
//
// Storage is flat (struct of arrays): question q owns samples [offset[q], offset[q+1]) in their logged order.
// label is the sample's answer class within its question: samples with equal labels gave the same answer under the
// comparison rule in force; classes are numbered 0, 1, ... in order of first appearance; −1 marks a sample without
// a valid answer, which never votes; because classes are numbered by first appearance, "ties to the first seen
// answer" means the smallest tied label. Units: tokens are billed output tokens; rewards are the reward model's
// scores. Readers: runlog_reader.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ttcg {

//! What a reader saw besides the records it kept.
struct RunLogReport {
  std::int64_t lines = 0;             //!< physical lines (JSONL) or array elements (JSON) read
  std::int64_t records = 0;           //!< records kept
  std::int64_t malformed = 0;         //!< records skipped as malformed (each reported with file:line)
  std::int64_t duplicates = 0;        //!< records skipped because their qid was seen before (the first is kept)
  std::int64_t counter_restarts = 0;  //!< decreases of a cumulative token counter (each read as a restart from 0)
  std::vector<std::string> messages;  //!< "file:line: what" for the first skipped records and restarts (bounded)
};

struct RunLog {
  std::string model;                      //!< model_name, or the <model> part of "<model>--temp-..." file names
  std::vector<std::string> files;         //!< the files read, in order
  std::vector<std::string> qid;           //!< [Q]
  std::vector<std::string> ground_truth;  //!< [Q] gold answer text ("" when the log has none)
  std::vector<std::int64_t> offset{0};    //!< [Q+1]

  std::vector<std::int32_t> label;    //!< [S] answer class within the question; −1: no valid answer
  std::vector<std::uint8_t> correct;  //!< [S] 1 when the verifier judged the sample correct
  std::vector<double> reward;         //!< [S] reward score; −inf when missing
  std::vector<double> tokens;         //!< [S] billed output tokens of the sample (total); NaN when the log has none
  std::vector<double> think_tokens;   //!< [S] thinking tokens; NaN when the log gives only a total

  RunLogReport report;

  std::size_t questions() const { return qid.size(); }
  std::size_t samples() const { return label.size(); }
  std::int64_t samples(std::size_t q) const { return offset[q + 1] - offset[q]; }
  //! Fewest samples of any question (0 for an empty log).
  std::int64_t min_samples() const {
    std::int64_t m = questions() == 0 ? 0 : samples(0);
    for (std::size_t q = 1; q < questions(); ++q) m = std::min(m, samples(q));
    return m;
  }
  //! Whether the log gives token counts (else every tokens[s] is NaN).
  bool has_tokens() const {
    return std::any_of(tokens.begin(), tokens.end(), [](double t) { return !std::isnan(t); });
  }
  //! Whether any sample has thinking tokens (a reasoning model's log).
  bool has_think_tokens() const {
    return std::any_of(think_tokens.begin(), think_tokens.end(), [](double t) { return !std::isnan(t); });
  }
};

}  // namespace ttcg
