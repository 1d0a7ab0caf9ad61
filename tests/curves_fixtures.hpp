// Small run logs built by hand for the tests of the inference stage.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ttcgames/inference/runlog.hpp"

namespace ttcg::test {

struct Sample {
  std::int32_t label = 0;  //!< answer class, −1: no valid answer
  bool correct = false;
  double reward = 0.0;
  double tokens = 100.0;
  double think = std::numeric_limits<double>::quiet_NaN();
};

inline RunLog make_log(const std::string& model, const std::vector<std::vector<Sample>>& questions) {
  RunLog log;
  log.model = model;
  log.files.push_back("<test>");
  for (std::size_t q = 0; q < questions.size(); ++q) {
    log.qid.push_back(std::string(1, 'q').append(std::to_string(q)));
    log.ground_truth.push_back("");
    for (const Sample& s : questions[q]) {
      log.label.push_back(s.label);
      log.correct.push_back(s.correct ? 1 : 0);
      log.reward.push_back(s.reward);
      log.tokens.push_back(s.tokens);
      log.think_tokens.push_back(s.think);
    }
    log.offset.push_back(log.offset.back() + static_cast<std::int64_t>(questions[q].size()));
  }
  return log;
}

}  // namespace ttcg::test
