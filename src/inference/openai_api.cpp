#include "ttcgames/inference/openai_api.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/rng.hpp"

namespace ttcg {

namespace {

namespace dom = simdjson::dom;
using Json = nlohmann::ordered_json;

//! Keys a request sets itself, which extra_body may not override.
const char* const RESERVED_KEYS[] = {"model", "prompt", "messages", "n", "stream"};
//! At most this many characters of a server's error text go into a message.
constexpr std::size_t MAX_ERROR_TEXT = 300;
//! Seeds sent to servers stay below 2^31 (some servers read them as 32-bit signed integers).
constexpr std::uint32_t SEED_MASK = 0x7FFFFFFFu;

const char* api_path(Api api) {
  return api == Api::chat ? "/chat/completions" : "/completions";
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct CurlUrl {
  CURLU* h = curl_url();
  ~CurlUrl() { curl_url_cleanup(h); }
  std::string get(CURLUPart part) const {
    char* text = nullptr;
    if (curl_url_get(h, part, &text, 0) != CURLUE_OK || !text) return {};
    std::string s(text);
    curl_free(text);
    return s;
  }
};

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return h;
}

//! The server's error message in a body ({"error": {"message": ...}}, {"error": "...", "message": ...}) or the
//! body's first characters.
std::string server_message(std::string_view body) {
  dom::parser parser;
  dom::element doc;
  if (!parser.parse(body.data(), body.size()).get(doc)) {
    std::string_view text;
    if (!doc["error"]["message"].get(text) || !doc["error"].get(text) || !doc["message"].get(text) ||
        !doc["detail"].get(text))
      return std::string(text.substr(0, MAX_ERROR_TEXT));
  }
  std::string s(body.substr(0, MAX_ERROR_TEXT));
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s.empty() ? std::string("(empty body)") : s;
}

bool retryable_status(long status) {
  return status == 408 || status == 409 || status == 425 || status == 429 || (status >= 500 && status <= 599);
}

//! A token count: a non-negative integer (an integral number such as 17.0 too, as some servers write).
std::optional<std::int64_t> count_of(dom::element v) {
  std::int64_t n = 0;
  double d = 0.0;
  if (!v.get_int64().get(n)) return n >= 0 ? std::optional(n) : std::nullopt;
  if (!v.get_double().get(d) && d >= 0.0 && d == std::floor(d) && d < 9.0e15) return static_cast<std::int64_t>(d);
  return std::nullopt;
}

std::optional<std::int64_t> optional_count(dom::element e, const char* a, const char* b = nullptr) {
  dom::element v;
  if (e[a].get(v)) return std::nullopt;
  if (b && v[b].get(v)) return std::nullopt;
  return count_of(v);
}

}  // namespace

const char* to_string(Api api) {
  return api == Api::chat ? "chat" : "completions";
}

std::string endpoint_url(const std::string& base, Api api, const std::string& what) {
  const std::string valid = " (valid: an http:// or https:// URL such as http://node1:8000/v1)";
  CurlUrl url;
  if (!url.h) throw std::runtime_error("libcurl: cannot create a URL handle");
  if (const CURLUcode rc = curl_url_set(url.h, CURLUPART_URL, base.c_str(), 0); rc != CURLUE_OK)
    throw InputError(what + " '" + base + "': not a URL: " + curl_url_strerror(rc) + valid);
  const std::string scheme = url.get(CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https")
    throw InputError(what + " '" + base + "': unsupported scheme '" + scheme + "'" + valid);
  if (url.get(CURLUPART_HOST).empty()) throw InputError(what + " '" + base + "': no host" + valid);
  std::string path = url.get(CURLUPART_PATH);
  while (!path.empty() && path.back() == '/') path.pop_back();
  const bool names_chat = ends_with(path, "/chat/completions");
  const bool names_completions = !names_chat && ends_with(path, "/completions");
  if (names_chat || names_completions) {
    if ((api == Api::chat) != names_chat)
      throw InputError(what + " '" + base + "' is the " + (names_chat ? "chat" : "completions") +
                       " API but the API in use is '" + to_string(api) +
                       "'; give the base URL (http://host:port/v1) or the matching --api");
  } else {
    if (path.empty()) path = "/v1";
    path += api_path(api);
  }
  curl_url_set(url.h, CURLUPART_PATH, path.c_str(), 0);
  return url.get(CURLUPART_URL);
}

void check_extra_body(const std::string& extra_body, const std::string& what) {
  Json extra;
  try {
    extra = Json::parse(extra_body);
  } catch (const Json::parse_error& e) {
    throw InputError(what + ": not valid JSON: " + e.what());
  }
  if (!extra.is_object()) throw InputError(what + ": must be a JSON object such as {\"top_k\": 20}");
  for (const char* key : RESERVED_KEYS)
    if (extra.contains(key))
      throw InputError(what + ": key '" + key +
                       "' is set by collect itself (model, prompt, messages, n, stream cannot be overridden)");
}

std::string request_body(const SamplingParams& p, std::string_view prompt, std::int64_t seed) {
  Json body;
  body["model"] = p.model;
  if (p.api == Api::chat) {
    Json messages = Json::array();
    if (!p.system.empty()) messages.push_back({{"role", "system"}, {"content", p.system}});
    messages.push_back({{"role", "user"}, {"content", std::string(prompt)}});
    body["messages"] = std::move(messages);
  } else {
    body["prompt"] = std::string(prompt);
  }
  body["n"] = 1;
  body["stream"] = false;
  body["max_tokens"] = p.max_tokens;
  body["temperature"] = p.temperature;
  body["top_p"] = p.top_p;
  if (p.seed) body["seed"] = seed;
  if (!p.extra_body.empty() && p.extra_body != "{}") {
    const Json extra = Json::parse(p.extra_body);
    for (const auto& [key, value] : extra.items()) body[key] = value;
  }
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::int64_t sample_seed(std::int64_t seed, std::string_view qid, std::int64_t sample) {
  const rng::Philox4x32Key key = rng::make_key(static_cast<std::uint64_t>(seed), rng::stream_id("collect-seed"));
  const std::uint64_t h = fnv1a(qid);
  const rng::Philox4x32Ctr c = rng::draw(key, static_cast<std::uint32_t>(h), static_cast<std::uint32_t>(h >> 32),
                                         static_cast<std::uint32_t>(sample), 0);
  return static_cast<std::int64_t>(c.v[0] & SEED_MASK);
}

std::optional<Completion> parse_completion(std::string_view body, Api api, std::string& why) {
  thread_local dom::parser parser;
  dom::element doc;
  if (const auto error = parser.parse(body.data(), body.size()).get(doc)) {
    why = std::string("not valid JSON (") + simdjson::error_message(error) + "): " + std::string(body.substr(0, 120));
    return std::nullopt;
  }
  dom::array choices;
  if (doc["choices"].get_array().get(choices) || choices.size() == 0) {
    why = "no choices[0] in the response: " + server_message(body);
    return std::nullopt;
  }
  const dom::element choice = choices.at(0).value_unsafe();
  Completion c;
  dom::element text;
  const bool found = api == Api::chat ? !choice["message"]["content"].get(text) : !choice["text"].get(text);
  if (!found) {
    why = api == Api::chat ? "no choices[0].message.content in the response" : "no choices[0].text in the response";
    return std::nullopt;
  }
  if (text.is_string()) {
    c.text = std::string(text.get_string().value_unsafe());
  } else if (!text.is_null()) {
    why = "choices[0] text is not a string";
    return std::nullopt;
  }
  std::string_view reason;
  if (!choice["finish_reason"].get(reason)) c.finish_reason = std::string(reason);
  dom::element usage;
  const std::optional<std::int64_t> tokens =
      doc["usage"].get(usage) ? std::nullopt : optional_count(usage, "completion_tokens");
  if (!tokens) {
    why = "no usage.completion_tokens (a count >= 0) in the response: the billed tokens are unknown";
    return std::nullopt;
  }
  c.completion_tokens = *tokens;
  c.prompt_tokens = optional_count(usage, "prompt_tokens");
  c.reasoning_tokens = optional_count(usage, "completion_tokens_details", "reasoning_tokens");
  if (c.reasoning_tokens && *c.reasoning_tokens > *tokens) c.reasoning_tokens.reset();
  return c;
}

Verdict classify(const HttpResult& r, Api api) {
  Verdict v;
  if (!r.transport_ok) {
    v.outcome = Outcome::retry;
    v.why = r.error + " (libcurl code " + std::to_string(r.curl_code) + ")";
    return v;
  }
  if (r.status >= 200 && r.status <= 299) {
    std::string why;
    v.completion = parse_completion(r.body, api, why);
    v.outcome = v.completion ? Outcome::success : Outcome::retry;
    if (!v.completion) v.why = "HTTP " + std::to_string(r.status) + " with a malformed body: " + why;
    return v;
  }
  v.outcome = retryable_status(r.status) ? Outcome::retry : Outcome::fail;
  v.why = "HTTP " + std::to_string(r.status) + ": " + server_message(r.body);
  return v;
}

double backoff_delay(const Backoff& b, int attempt, double unit, std::optional<double> retry_after) {
  const double exponential = b.base * std::ldexp(1.0, std::clamp(attempt, 1, 62) - 1);
  const double d = std::min(b.max, exponential);
  const double delay = 0.5 * d + 0.5 * d * unit;
  return std::max(delay, retry_after.value_or(0.0));
}

}  // namespace ttcg
