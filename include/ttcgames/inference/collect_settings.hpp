// Settings of `ttcgames collect` (docs/collect.md): what to sample (endpoints, model, questions, samples, sampling
// parameters, prompt), where to write it, and how the client behaves (concurrency, timeouts, retries). They come
// from the command line and/or a TOML file (format "ttcgames-collect", version 1; command-line values win); every
// value is checked before any request is sent, with its valid range in the message. Times are in seconds.
#pragma once

#include <cstdint>
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

//! A run-log mapping (TOML) that reads the output with the answer rule it was judged by; written beside the output
//! when that rule is not the reference default (boxed-number, parsed votes).
std::string runlog_mapping_for(const QuestionMapping& mapping);

}  // namespace ttcg
