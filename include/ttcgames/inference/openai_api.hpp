// The subset of the OpenAI-compatible HTTP API that `ttcgames collect` speaks (vLLM, SGLang, llama.cpp server, TGI
// and others serve it): POST /v1/completions (a prompt) or /v1/chat/completions (messages), one sample per request
// (n = 1), so that the response's usage.completion_tokens is exactly the billed output tokens of that one sample.
//
// - Endpoints: a base URL as the OpenAI clients take it ("http://node:8000/v1"; the API path is appended), a bare
//   server ("http://node:8000": "/v1" and the API path are appended), or the full API URL.
// - Responses: choices[0].text (completions) or choices[0].message.content (chat; null reads as ""),
//   choices[0].finish_reason, usage.completion_tokens (required), usage.prompt_tokens and
//   usage.completion_tokens_details.reasoning_tokens (optional). A body without them is malformed.
// - What a result means (classify): 2xx with a well-formed body is a success; 408, 409, 425, 429, every 5xx, a
//   malformed 2xx body and every transport failure (refused or dropped connection, timeout, truncated response) are
//   retried; other statuses (400, 401, 403, 404, 422, ...) are permanent failures, reported with the server's message.
// - Backoff: attempt k (1-based) of a retried request waits d/2 + U·d/2 with d = min(max, base·2^(k−1)) and U
//   uniform in [0, 1) (exponential backoff with jitter), and never less than the server's Retry-After.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ttcgames/inference/http_client.hpp"

namespace ttcg {

enum class Api { completions, chat };

const char* to_string(Api api);  //!< "completions" | "chat"

//! The URL requests for `api` go to; InputError (naming `what`, e.g. "--endpoint") when `base` is not an http(s)
//! URL with a host.
std::string endpoint_url(const std::string& base, Api api, const std::string& what = "--endpoint");

//! What every request of a collection carries besides its prompt.
struct SamplingParams {
  Api api = Api::chat;
  std::string model;                 //!< the served model name
  double temperature = 0.7;          //!< [0, 2]
  double top_p = 1.0;                //!< (0, 1]
  std::int64_t max_tokens = 512;     //!< output tokens per sample
  std::string system;                //!< chat: a system message ("" = none)
  std::string extra_body = "{}";     //!< a JSON object merged into every request (server-specific parameters)
  std::optional<std::int64_t> seed;  //!< the sampling seed, sent per sample (see sample_seed) when set
};

//! The request body of one sample, with its sampling seed (sent only when params.seed is set).
std::string request_body(const SamplingParams& params, std::string_view prompt, std::int64_t seed);

//! The seed sent for sample `sample` of question `qid`: a function of (seed, qid, sample) only, in [0, 2^31), so
//! that a retried or resumed sample asks for the same draw.
std::int64_t sample_seed(std::int64_t seed, std::string_view qid, std::int64_t sample);

//! Checks `extra_body` (a JSON object whose keys do not override model, prompt, messages, n or stream); InputError
//! naming `what` otherwise.
void check_extra_body(const std::string& extra_body, const std::string& what);

//! One generated sample.
struct Completion {
  std::string text;
  std::int64_t completion_tokens = 0;            //!< billed output tokens of this sample
  std::optional<std::int64_t> prompt_tokens;     //!< input tokens, when reported
  std::optional<std::int64_t> reasoning_tokens;  //!< thinking tokens within completion_tokens, when reported
  std::string finish_reason;                     //!< "stop", "length", ... ("" when not reported)
};

//! Parses a response body; on failure returns nullopt and says why in `why`.
std::optional<Completion> parse_completion(std::string_view body, Api api, std::string& why);

enum class Outcome { success, retry, fail };

struct Verdict {
  Outcome outcome = Outcome::fail;
  std::string why;  //!< for retry and fail: what happened ("HTTP 500: ...", "connection dropped: ...")
  std::optional<Completion> completion;  //!< success
};

//! What a finished request means.
Verdict classify(const HttpResult& result, Api api);

//! Backoff policy of retried requests (seconds).
struct Backoff {
  double base = 0.5;  //!< the delay scale of the first retry
  double max = 30.0;  //!< the cap of the exponential part
};

//! The wait before attempt `attempt` + 1 after `attempt` failed attempts (1-based), with `unit` uniform in [0, 1),
//! at least `retry_after` seconds when the server sent one.
double backoff_delay(const Backoff& backoff, int attempt, double unit, std::optional<double> retry_after);

}  // namespace ttcg
