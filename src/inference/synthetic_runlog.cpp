#include "ttcgames/inference/synthetic_runlog.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "ttcgames/core/rng.hpp"

namespace ttcg {

RunLog synthetic_runlog(const SyntheticRunLogSpec& s) {
  const rng::Philox4x32Key key = rng::make_key(s.seed, rng::stream_id("synthetic-runlog"));
  RunLog log;
  log.model = s.model;
  log.files.push_back("<synthetic>");
  const std::uint32_t classes = static_cast<std::uint32_t>(s.distractors) + 1;
  std::vector<std::int32_t> renumber(classes);
  for (std::int64_t q = 0; q < s.questions; ++q) {
    const std::uint32_t qi = static_cast<std::uint32_t>(q);
    log.qid.push_back(std::string(1, 'q').append(std::to_string(q)));
    log.ground_truth.push_back(std::to_string(q));
    const rng::Philox4x32Ctr head = rng::draw(key, qi, 0, 0, 0);
    const double p_right = rng::to_unit_double(head.v[0], head.v[1]);
    std::fill(renumber.begin(), renumber.end(), -1);
    std::int32_t seen = 0;
    for (std::int32_t j = 0; j < s.samples; ++j) {
      const rng::Philox4x32Ctr a = rng::draw(key, qi, 1, static_cast<std::uint32_t>(j), 0);
      const rng::Philox4x32Ctr b = rng::draw(key, qi, 1, static_cast<std::uint32_t>(j), 1);
      const bool valid = rng::to_unit_double(a.v[0], a.v[1]) >= s.invalid;
      const bool right = valid && rng::to_unit_double(a.v[2], a.v[3]) < p_right;
      std::int32_t label = -1;
      if (valid) {
        const std::uint32_t answer = right ? 0u : 1u + rng::to_bounded(b.v[0], b.v[1], classes - 1);
        if (renumber[answer] < 0) renumber[answer] = seen++;
        label = renumber[answer];
      }
      log.label.push_back(label);
      log.correct.push_back(right ? 1 : 0);
      const double noise = 2.0 * rng::to_unit_double(b.v[2], b.v[3]) - 1.0;
      const rng::Philox4x32Ctr c = rng::draw(key, qi, 1, static_cast<std::uint32_t>(j), 2);
      const bool missing = rng::to_unit_double(c.v[0], c.v[1]) < s.missing_reward;
      log.reward.push_back(missing ? -std::numeric_limits<double>::infinity()
                                   : s.reward_signal * (right ? 1.0 : 0.0) + noise);
      const double total =
          std::floor(s.min_tokens + (s.max_tokens - s.min_tokens) * rng::to_unit_double(c.v[2], c.v[3]));
      log.tokens.push_back(total);
      const rng::Philox4x32Ctr d = rng::draw(key, qi, 1, static_cast<std::uint32_t>(j), 3);
      log.think_tokens.push_back(s.reasoning ? std::floor(total * rng::to_unit_double(d.v[0], d.v[1]))
                                             : std::numeric_limits<double>::quiet_NaN());
    }
    log.offset.push_back(log.offset.back() + s.samples);
  }
  log.report.lines = s.questions;
  log.report.records = s.questions;
  return log;
}

}  // namespace ttcg
