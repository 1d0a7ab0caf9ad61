// Collecting run logs from OpenAI-compatible servers (`ttcgames collect`, docs/collect.md): every question of a
// benchmark is sampled N times from a model served behind one or more endpoints, and each question's record (texts,
// extracted answers, verdicts by the project's answer rules, the exact billed completion tokens of every sample) is
// appended to a run log in the reference JSONL layout (runlog_writer.hpp), which `runlog-info` and `curves` read.
//
// Scheduling: up to `concurrency` requests in flight in total, one sample per request, questions taken in file
// order; each request goes to the endpoint with the fewest requests in flight (an endpoint that fails three times in
// a row rests for a backoff delay). A failed request (openai_api.hpp: 429, 5xx, malformed body, dropped connection,
// timeout) is retried after an exponential backoff with jitter, never sooner than the server's Retry-After, at
// most `max_attempts` attempts in all; a 429 or a Retry-After also makes its endpoint wait (that long, or the
// backoff delay) before it gets any other request. After `max_attempts` failures of one sample the run stops with
// CollectAborted naming the question and sample. A
// permanent failure (400, 401, 404, ...) stops it with an InputError. Either way, and on SIGINT/SIGTERM, every
// question already written stays whole and `--resume` continues.
//
// Settings: collect_settings.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "ttcgames/inference/collect_settings.hpp"

namespace ttcg {

//! An endpoint that failed this many requests in a row (transport errors, 5xx) rests before it gets more.
constexpr int COLLECT_FAILURES_BEFORE_REST = 3;

//! Progress of a run, for a progress bar.
struct CollectProgress {
  std::int64_t questions = 0;          //!< in the run (after --limit)
  std::int64_t questions_resumed = 0;  //!< complete in the output before this run
  std::int64_t questions_done = 0;     //!< complete now, resumed ones included
  std::int64_t samples_todo = 0;       //!< samples this run has to collect
  std::int64_t samples_done = 0;       //!< samples this run has collected
  std::int64_t requests = 0;           //!< requests finished (every attempt)
  std::int64_t retries = 0;            //!< attempts that failed and were retried
  //! Retries by cause: HTTP 429, HTTP 5xx, transport failures, malformed 2xx bodies, other retried statuses.
  std::int64_t retried_429 = 0, retried_5xx = 0, retried_transport = 0, retried_malformed = 0, retried_other = 0;
  std::int64_t tokens = 0;  //!< completion tokens collected
  std::int64_t in_flight = 0;
  double seconds = 0.0;              //!< since the first request
  std::int64_t truncated_bytes = 0;  //!< a torn last line cut from the output before resuming
  std::string mapping_written;       //!< the run-log mapping written beside the output ("" = none needed)
};

//! The run stopped before every question was collected (a sample failed `max_attempts` times, SIGINT/SIGTERM, or
//! a failed write); the output holds every question completed before, and `--resume` continues.
class CollectAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! Collects every question not yet in the output. `observe` is called about every `observe_interval` seconds and
//! once at the end. Returns the final progress.
CollectProgress run_collect(const CollectSettings& settings,
                            const std::function<void(const CollectProgress&)>& observe = {},
                            double observe_interval = 0.1);

}  // namespace ttcg
