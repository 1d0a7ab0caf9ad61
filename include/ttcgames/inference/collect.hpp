// Collecting run logs from OpenAI-compatible servers (`ttcgames collect`, docs/collect.md): every question of a
// benchmark is sampled N times from a model served behind one or more endpoints, and each question's record (texts,
// extracted answers, verdicts by the project's answer rules, the exact billed completion tokens of every sample) is
// appended to a run log in the reference JSONL layout (runlog_writer.hpp), which `runlog-info` and `curves` read.
//
// Scheduling: up to `concurrency` requests in flight in total, one sample per request, questions taken in file
// order; each request goes to the endpoint with the fewest requests in flight (an endpoint that fails three times in
// a row rests for a backoff delay). A failed request (openai_api.hpp: 429, 5xx, malformed body, dropped connection,
// timeout) is retried after an exponential backoff with jitter, never sooner than the server's Retry-After, at
// most `max_attempts` attempts in all; then the run stops with CollectAborted naming the question and sample. A
// permanent failure (400, 401, 404, ...) stops it with an InputError. Either way, and on SIGINT/SIGTERM, every
// question already written stays whole and `--resume` continues.
//
// Settings come from the command line and/or a TOML file (format "ttcgames-collect", version 1; command-line values
// win); every value is checked before any request is sent, with the valid range in the message.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ttcgames/inference/openai_api.hpp"
#include "ttcgames/inference/questions.hpp"

namespace ttcg {

//! Valid ranges of the settings (inclusive unless said otherwise).
constexpr std::int64_t COLLECT_MAX_SAMPLES = 100000;
constexpr std::int64_t COLLECT_MAX_CONCURRENCY = 4096;
constexpr std::int64_t COLLECT_MAX_TOKENS = 10000000;
constexpr double COLLECT_MAX_TEMPERATURE = 2.0;
constexpr double COLLECT_MAX_TIMEOUT = 86400.0;  //!< seconds; timeouts are > 0
constexpr std::int64_t COLLECT_MAX_ATTEMPTS = 1000;
constexpr double COLLECT_MAX_BACKOFF = 86400.0;  //!< seconds
constexpr std::int64_t COLLECT_MAX_SEED = 2147483647;
//! An endpoint that failed this many requests in a row (transport errors, 5xx) rests before it gets more.
constexpr int COLLECT_FAILURES_BEFORE_REST = 3;

struct CollectSettings {
  std::vector<std::string> endpoints;  //!< base URLs (openai_api.hpp)
  std::string model;                   //!< the served model name, sent with every request
  std::string model_name;              //!< recorded as model_name ("" = the part of `model` after its last '/')
  std::string questions;               //!< questions file (JSONL, or JSON through the mapping)
  std::string mapping;                 //!< question mapping file ("" = GSM8K's layout)
  std::int64_t samples = 0;            //!< per question, [1, COLLECT_MAX_SAMPLES]
  std::string output;                  //!< "" = "<model_name>--temp-<T>--samples-<N>--max-<M>.jsonl"
  std::int64_t limit = 0;              //!< only the first `limit` questions (0: all)
  bool resume = false;                 //!< continue an existing output (else an existing output is an error)
  SamplingParams sampling;             //!< api, temperature, top_p, max_tokens, system, extra_body, seed
  std::string prompt_template = DEFAULT_PROMPT_TEMPLATE;
  std::int64_t concurrency = 8;    //!< requests in flight in total, [1, COLLECT_MAX_CONCURRENCY]
  double timeout = 600.0;          //!< seconds per request, (0, COLLECT_MAX_TIMEOUT]
  double connect_timeout = 10.0;   //!< seconds to connect, (0, COLLECT_MAX_TIMEOUT]
  std::int64_t max_attempts = 10;  //!< attempts per sample, [1, COLLECT_MAX_ATTEMPTS]
  Backoff backoff;                 //!< base in [0, COLLECT_MAX_BACKOFF], max in [base, COLLECT_MAX_BACKOFF]
  std::string api_key_env;         //!< environment variable holding a bearer token ("" = none)
  std::string config;              //!< the settings file these came from ("" = none), for messages
};

//! Reads a settings file (format = "ttcgames-collect", version = 1) into `settings` (values it does not set are
//! kept). Paths in it are relative to its directory. InputError with file:line:column for unknown keys, wrong types
//! and values out of range.
void load_collect_settings(const std::string& path, CollectSettings& settings);

//! Checks every setting (required values, ranges, URLs, an extra body that is a JSON object, the API key variable,
//! an output that is none of the input files) and fills the defaults that depend on others (model_name, output).
//! InputError naming the option and its valid range.
void finalize_collect_settings(CollectSettings& settings);

//! The settings object recorded in every record (how samples were drawn and judged).
std::string collect_settings_json(const CollectSettings& settings, const QuestionMapping& mapping);

//! Progress of a run, for a progress bar.
struct CollectProgress {
  std::int64_t questions = 0;          //!< in the run (after --limit)
  std::int64_t questions_resumed = 0;  //!< complete in the output before this run
  std::int64_t questions_done = 0;     //!< complete now, resumed ones included
  std::int64_t samples_todo = 0;       //!< samples this run has to collect
  std::int64_t samples_done = 0;       //!< samples this run has collected
  std::int64_t requests = 0;           //!< requests finished (every attempt)
  std::int64_t retries = 0;            //!< attempts that failed and were retried
  std::int64_t retried_429 = 0, retried_5xx = 0, retried_transport = 0, retried_malformed = 0, retried_other = 0;
  std::int64_t tokens = 0;  //!< completion tokens collected
  std::int64_t in_flight = 0;
  double seconds = 0.0;              //!< since the first request
  std::int64_t truncated_bytes = 0;  //!< a torn last line cut from the output before resuming
  std::string mapping_written;       //!< the run-log mapping written beside the output ("" = none needed)
};

//! The run stopped before every question was collected (a sample failed `max_attempts` times, or a signal); the
//! output holds every question completed before, and `--resume` continues.
class CollectAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! Collects every question not yet in the output. `observe` is called about every `observe_interval` seconds and
//! once at the end. Returns the final progress.
CollectProgress run_collect(const CollectSettings& settings,
                            const std::function<void(const CollectProgress&)>& observe = {},
                            double observe_interval = 0.1);

//! A run-log mapping (TOML) that reads the output with the answer rule it was judged by; written beside the output
//! when that rule is not the reference default (boxed-number, parsed votes).
std::string runlog_mapping_for(const QuestionMapping& mapping);

}  // namespace ttcg
