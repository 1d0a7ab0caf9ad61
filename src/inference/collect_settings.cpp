#include "ttcgames/inference/collect_settings.hpp"
#include "ttcgames/core/text.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/text_file.hpp"

namespace ttcg {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr const char* SETTINGS_FORMAT = "ttcgames-collect";
constexpr std::int64_t SETTINGS_VERSION = 1;

const std::vector<std::string> TOP_KEYS = {"format",    "version",  "endpoints", "model",  "model_name",
                                           "questions", "mapping",  "samples",   "output", "limit",
                                           "resume",    "sampling", "prompt",    "client"};
const std::vector<std::string> SAMPLING_KEYS = {"api", "temperature", "top_p", "max_tokens", "seed", "extra_body"};
const std::vector<std::string> PROMPT_KEYS = {"template", "system"};
const std::vector<std::string> CLIENT_KEYS = {"concurrency",  "timeout",     "connect_timeout", "max_attempts",
                                              "backoff_base", "backoff_max", "api_key_env"};

std::string int_range(std::int64_t lo, std::int64_t hi) {
  return "valid: " + std::to_string(lo) + " to " + std::to_string(hi);
}

std::string resolve(const fs::path& base, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (base / p).lexically_normal().string();
}

std::optional<std::int64_t> int_in(TableReader& t, const std::string& key, std::int64_t lo, std::int64_t hi) {
  const auto v = t.integer(key);
  if (v && (*v < lo || *v > hi)) t.fail(*t.get(key), key, "is " + std::to_string(*v) + "; " + int_range(lo, hi));
  return v;
}

//! A number in [lo, hi] (or (lo, hi] when open_low).
std::optional<double> number_in(TableReader& t, const std::string& key, double lo, double hi, bool open_low) {
  const auto v = t.number(key);
  if (v && (open_low ? *v <= lo : *v < lo || *v > hi))
    t.fail(*t.get(key), key,
           "is " + number_text(*v) + "; valid: " + (open_low ? "(" : "[") + number_text(lo) + ", " + number_text(hi) +
               "]");
  return v;
}

void check_int(const std::string& option, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi) throw InputError(option + " " + std::to_string(v) + ": out of range; " + int_range(lo, hi));
}

void check_number(const std::string& option, double v, double lo, double hi, bool open_low) {
  const bool ok = std::isfinite(v) && (open_low ? v > lo : v >= lo) && v <= hi;
  if (!ok)
    throw InputError(option + " " + number_text(v) + ": out of range; valid: " + (open_low ? "(" : "[") +
                     number_text(lo) + ", " + number_text(hi) + "]");
}

bool same_file(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

std::string default_output(const CollectSettings& s) {
  return s.model_name + "--temp-" + number_text(s.sampling.temperature) + "--samples-" + std::to_string(s.samples) +
         "--max-" + std::to_string(s.sampling.max_tokens) + ".jsonl";
}

const char* rule_name(AnswerRule r) {
  return to_string(r);
}

}  // namespace

void load_collect_settings(const std::string& path, CollectSettings& s) {
  const std::string text = io::read_text_file(path, "collect settings file");
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw input_error(location(path, e.source()), "invalid TOML: " + std::string(e.description()));
  }
  TableReader top(root, "", path);
  const auto format = top.string("format");
  if (!format)
    top.fail_missing("format", std::string("a collect settings file starts with format = \"") + SETTINGS_FORMAT + "\"");
  if (*format != SETTINGS_FORMAT)
    top.fail(*top.get("format"), "format", "is \"" + *format + "\", expected \"" + SETTINGS_FORMAT + "\"");
  const auto version = top.integer("version");
  if (!version) top.fail_missing("version", "the settings format version, version = 1");
  if (*version != SETTINGS_VERSION)
    top.fail(*top.get("version"), "version",
             "is " + std::to_string(*version) + "; this ttcgames reads version " + std::to_string(SETTINGS_VERSION));
  const fs::path base = fs::path(path).parent_path();
  s.config = path;

  if (const toml::node* n = top.get("endpoints")) {
    if (n->is_string())
      s.endpoints = {*top.string("endpoints")};
    else
      s.endpoints = *top.strings("endpoints");
    if (s.endpoints.empty()) top.fail(*n, "endpoints", "must name at least one URL");
    for (const std::string& e : s.endpoints) {
      try {
        endpoint_url(e, Api::completions, "endpoint");
      } catch (const InputError& err) {
        top.fail(*n, "endpoints", std::string("holds a bad URL: ") + err.what());
      }
    }
  }
  if (auto v = top.string("model")) s.model = *v;
  if (auto v = top.string("model_name")) s.model_name = *v;
  if (auto v = top.string("questions")) s.questions = resolve(base, *v);
  if (auto v = top.string("mapping")) s.mapping = resolve(base, *v);
  if (auto v = int_in(top, "samples", 1, COLLECT_MAX_SAMPLES)) s.samples = *v;
  if (auto v = top.string("output")) s.output = resolve(base, *v);
  if (auto v = int_in(top, "limit", 0, std::numeric_limits<std::int64_t>::max())) s.limit = *v;
  if (auto v = top.boolean("resume")) s.resume = *v;

  if (auto t = top.table("sampling")) {
    if (t->has("api"))
      s.sampling.api = t->choice("api", {"chat", "completions"}, "chat") == "chat" ? Api::chat : Api::completions;
    if (auto v = number_in(*t, "temperature", 0.0, COLLECT_MAX_TEMPERATURE, false)) s.sampling.temperature = *v;
    if (auto v = number_in(*t, "top_p", 0.0, 1.0, true)) s.sampling.top_p = *v;
    if (auto v = int_in(*t, "max_tokens", 1, COLLECT_MAX_TOKENS)) s.sampling.max_tokens = *v;
    if (auto v = int_in(*t, "seed", 0, COLLECT_MAX_SEED)) s.sampling.seed = *v;
    if (const toml::node* n = t->get("extra_body")) {
      if (!n->is_table()) t->fail(*n, "extra_body", "must be a table, e.g. extra_body = { top_k = 20 }");
      std::ostringstream json;
      json << toml::json_formatter{*n->as_table()};
      s.sampling.extra_body = json.str();
      try {
        check_extra_body(s.sampling.extra_body, "extra_body");
      } catch (const InputError& e) {
        t->fail(*n, "extra_body", e.what());
      }
    }
    t->reject_unknown(SAMPLING_KEYS);
  }
  if (auto t = top.table("prompt")) {
    if (auto v = t->string("template")) {
      try {
        PromptTemplate check(*v, "template");
      } catch (const InputError& e) {
        t->fail(*t->get("template"), "template", std::string("is not a valid prompt template: ") + e.what());
      }
      s.prompt_template = *v;
    }
    if (auto v = t->string("system")) s.sampling.system = *v;
    t->reject_unknown(PROMPT_KEYS);
  }
  if (auto t = top.table("client")) {
    if (auto v = int_in(*t, "concurrency", 1, COLLECT_MAX_CONCURRENCY)) s.concurrency = *v;
    if (auto v = number_in(*t, "timeout", 0.0, COLLECT_MAX_TIMEOUT, true)) s.timeout = *v;
    if (auto v = number_in(*t, "connect_timeout", 0.0, COLLECT_MAX_TIMEOUT, true)) s.connect_timeout = *v;
    if (auto v = int_in(*t, "max_attempts", 1, COLLECT_MAX_ATTEMPTS)) s.max_attempts = *v;
    if (auto v = number_in(*t, "backoff_base", 0.0, COLLECT_MAX_BACKOFF, false)) s.backoff.base = *v;
    if (auto v = number_in(*t, "backoff_max", 0.0, COLLECT_MAX_BACKOFF, false)) s.backoff.max = *v;
    if (auto v = t->string("api_key_env")) s.api_key_env = *v;
    t->reject_unknown(CLIENT_KEYS);
  }
  top.reject_unknown(TOP_KEYS);
}

void finalize_collect_settings(CollectSettings& s) {
  const std::string from = s.config.empty() ? std::string() : " (or in " + s.config + ")";
  if (s.endpoints.empty())
    throw InputError("no endpoint: give --endpoint URL[,URL...]" + from + ", e.g. --endpoint http://node1:8000/v1");
  for (const std::string& e : s.endpoints) endpoint_url(e, s.sampling.api, "--endpoint");
  if (s.model.empty())
    throw InputError("no model: give --model NAME" + from + ", the name the server serves the model under");
  if (s.questions.empty()) throw InputError("no questions: give --questions FILE" + from + " (JSONL)");
  std::error_code ec;
  if (!fs::is_regular_file(s.questions, ec))
    throw InputError("--questions " + s.questions + ": no such file (a JSONL file of questions)");
  if (!s.mapping.empty() && !fs::is_regular_file(s.mapping, ec))
    throw InputError("--mapping " + s.mapping + ": no such file (a question mapping, docs/collect.md)");
  if (s.samples == 0) throw InputError("no sample count: give --samples N" + from + ", N in 1 to 100000");
  check_int("--samples", s.samples, 1, COLLECT_MAX_SAMPLES);
  check_int("--limit", s.limit, 0, std::numeric_limits<std::int64_t>::max());
  check_number("--temperature", s.sampling.temperature, 0.0, COLLECT_MAX_TEMPERATURE, false);
  check_number("--top-p", s.sampling.top_p, 0.0, 1.0, true);
  check_int("--max-tokens", s.sampling.max_tokens, 1, COLLECT_MAX_TOKENS);
  if (s.sampling.seed) check_int("--seed", *s.sampling.seed, 0, COLLECT_MAX_SEED);
  check_extra_body(s.sampling.extra_body, "--extra-body");
  PromptTemplate check(s.prompt_template, "--prompt-template");
  check_int("--concurrency", s.concurrency, 1, COLLECT_MAX_CONCURRENCY);
  check_number("--timeout", s.timeout, 0.0, COLLECT_MAX_TIMEOUT, true);
  check_number("--connect-timeout", s.connect_timeout, 0.0, COLLECT_MAX_TIMEOUT, true);
  check_int("--max-attempts", s.max_attempts, 1, COLLECT_MAX_ATTEMPTS);
  check_number("--backoff-base", s.backoff.base, 0.0, COLLECT_MAX_BACKOFF, false);
  check_number("--backoff-max", s.backoff.max, s.backoff.base, COLLECT_MAX_BACKOFF, false);
  if (!s.api_key_env.empty()) {
    const char* key = std::getenv(s.api_key_env.c_str());
    if (!key || !*key)
      throw InputError("--api-key-env " + s.api_key_env + ": the environment variable is not set (or empty)");
  }

  s.sampling.model = s.model;
  if (s.model_name.empty()) s.model_name = s.model.substr(s.model.find_last_of('/') + 1);
  if (s.model_name.empty()) throw InputError("--model '" + s.model + "' ends in '/': give --model-name NAME");
  if (s.output.empty()) s.output = default_output(s);
  for (const auto& [input, option] :
       {std::pair{s.questions, "--questions"}, std::pair{s.mapping, "--mapping"}, std::pair{s.config, "--config"}})
    if (same_file(s.output, input))
      throw InputError("-o " + s.output + " is the " + option + " file " + input +
                       ": collect would overwrite its input; choose another output");
  if (fs::is_directory(s.output, ec)) throw InputError("-o " + s.output + ": is a directory; give a file name");
  if (!s.resume && fs::exists(s.output, ec))
    throw InputError("-o " + s.output +
                     ": exists; continue it with --resume, or choose another output (collect never overwrites)");
}

std::string collect_settings_json(const CollectSettings& s, const QuestionMapping& m) {
  Json j;
  j["model"] = s.model;
  j["api"] = to_string(s.sampling.api);
  j["temperature"] = s.sampling.temperature;
  j["top_p"] = s.sampling.top_p;
  j["max_tokens"] = s.sampling.max_tokens;
  j["seed"] = s.sampling.seed ? Json(*s.sampling.seed) : Json(nullptr);
  j["prompt_template"] = s.prompt_template;
  j["system"] = s.sampling.system;
  j["extra_body"] = Json::parse(s.sampling.extra_body.empty() ? std::string("{}") : s.sampling.extra_body);
  j["gold"] = {{"rule", to_string(m.gold)},
               {"marker", m.gold == GoldRule::marker ? m.marker : std::string()},
               {"pattern", m.gold_pattern}};
  j["answers"] = {{"rule", rule_name(m.answers.rule)}, {"vote", to_string(m.answers.vote)},
                  {"pattern", m.answers.pattern},      {"abstain", m.answers.abstain},
                  {"choices", m.answers.choices},      {"tolerance", m.answers.tolerance}};
  return j.dump();
}

std::string runlog_mapping_for(const QuestionMapping& m) {
  toml::table fields{{"qid", "qid"},
                     {"texts", "answers"},
                     {"correct", "correct"},
                     {"rewards", "rewards"},
                     {"tokens", "num_tokens"},
                     {"ground_truth", "ground_truths[0]"},
                     {"model_name", "model_name"}};
  toml::table answers{
      {"rule", rule_name(m.answers.rule)}, {"vote", to_string(m.answers.vote)}, {"tolerance", m.answers.tolerance}};
  if (m.answers.rule == AnswerRule::pattern) answers.insert("pattern", m.answers.pattern);
  if (m.answers.rule == AnswerRule::multiple_choice) answers.insert("choices", m.answers.choices);
  if (!m.answers.abstain.empty()) answers.insert("abstain", m.answers.abstain);
  toml::table root{{"format", "ttcgames-runlog-mapping"}, {"version", 1}, {"layout", "jsonl"}};
  root.insert("fields", std::move(fields));
  root.insert("answers", std::move(answers));
  std::ostringstream s;
  s << "# Written by ttcgames collect: reads its output with the answer rule the verdicts were judged by\n"
    << "# (ttcgames runlog-info/curves <output> --mapping <this file>).\n"
    << root << "\n";
  return s.str();
}

}  // namespace ttcg
