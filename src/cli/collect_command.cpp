#include "collect_command.hpp"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/core/exit_status.hpp"
#include "ttcgames/inference/collect.hpp"

namespace ttcg::cli {

namespace {

//! Without a terminal, a progress line is printed this often (seconds).
constexpr double LOG_PROGRESS_INTERVAL = 30.0;
constexpr int BAR_WIDTH = 24;

const char* const DESCRIPTION =
    "Sample a model served behind OpenAI-compatible endpoints (vLLM, SGLang, llama.cpp server, TGI) N times on\n"
    "every question of a benchmark and write the run log in the reference JSONL layout, one record per question:\n"
    "texts, extracted answers, verdicts by the answer rule and the exact billed completion tokens of each sample\n"
    "(one sample per request). Failed requests are retried with exponential backoff (Retry-After honoured);\n"
    "records are appended durably, so an interrupted run continues with --resume. Settings may come from a TOML\n"
    "file (--config; command-line values win). docs/collect.md has the formats and a cluster example.";

std::int64_t parse_int(const std::string& option, const std::string& text, const std::string& valid) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw InputError(option + " '" + text + "': not an integer; valid: " + valid);
  return v;
}

double parse_number(const std::string& option, const std::string& text, const std::string& valid) {
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    throw InputError(option + " '" + text + "': not a number; valid: " + valid);
  return v;
}

std::string range(std::int64_t lo, std::int64_t hi) {
  return std::to_string(lo) + " to " + std::to_string(hi);
}

CollectSettings settings_from(const CollectCommand& c) {
  CollectSettings s;
  if (!c.config.empty()) load_collect_settings(c.config, s);
  if (!c.endpoints.empty()) s.endpoints = c.endpoints;
  if (c.model) s.model = *c.model;
  if (c.model_name) s.model_name = *c.model_name;
  if (c.questions) s.questions = *c.questions;
  if (c.mapping) s.mapping = *c.mapping;
  if (c.samples) {
    s.samples = parse_int("--samples", *c.samples, range(1, COLLECT_MAX_SAMPLES));
    if (s.samples < 1)
      throw InputError("--samples " + *c.samples + ": out of range; valid: " + range(1, COLLECT_MAX_SAMPLES));
  }
  if (c.output) s.output = *c.output;
  if (c.limit) s.limit = parse_int("--limit", *c.limit, "0 (all) or more");
  if (c.resume) s.resume = true;
  if (c.api) {
    if (*c.api != "chat" && *c.api != "completions")
      throw InputError("--api '" + *c.api + "': valid: chat (/v1/chat/completions) or completions (/v1/completions)");
    s.sampling.api = *c.api == "chat" ? Api::chat : Api::completions;
  }
  if (c.temperature) s.sampling.temperature = parse_number("--temperature", *c.temperature, "[0, 2]");
  if (c.top_p) s.sampling.top_p = parse_number("--top-p", *c.top_p, "(0, 1]");
  if (c.max_tokens) s.sampling.max_tokens = parse_int("--max-tokens", *c.max_tokens, range(1, COLLECT_MAX_TOKENS));
  if (c.seed) s.sampling.seed = parse_int("--seed", *c.seed, range(0, COLLECT_MAX_SEED));
  if (c.prompt_template) s.prompt_template = *c.prompt_template;
  if (c.system) s.sampling.system = *c.system;
  if (c.extra_body) s.sampling.extra_body = *c.extra_body;
  if (c.concurrency) s.concurrency = parse_int("--concurrency", *c.concurrency, range(1, COLLECT_MAX_CONCURRENCY));
  if (c.timeout) s.timeout = parse_number("--timeout", *c.timeout, "(0, 86400] seconds");
  if (c.connect_timeout)
    s.connect_timeout = parse_number("--connect-timeout", *c.connect_timeout, "(0, 86400] seconds");
  if (c.max_attempts) s.max_attempts = parse_int("--max-attempts", *c.max_attempts, range(1, COLLECT_MAX_ATTEMPTS));
  if (c.backoff_base) s.backoff.base = parse_number("--backoff-base", *c.backoff_base, "[0, 86400] seconds");
  if (c.backoff_max) s.backoff.max = parse_number("--backoff-max", *c.backoff_max, "[backoff base, 86400] seconds");
  if (c.api_key_env) s.api_key_env = *c.api_key_env;
  finalize_collect_settings(s);
  return s;
}

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "--:--";
  const auto s = static_cast<long>(std::lround(seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

std::string progress_line(const CollectProgress& p) {
  const double rate = p.seconds > 0.0 ? static_cast<double>(p.requests) / p.seconds : 0.0;
  const double tokens = p.seconds > 0.0 ? static_cast<double>(p.tokens) / p.seconds : 0.0;
  const double sample_rate = p.seconds > 0.0 ? static_cast<double>(p.samples_done) / p.seconds : 0.0;
  const double eta = sample_rate > 0.0 ? static_cast<double>(p.samples_todo - p.samples_done) / sample_rate : NAN;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%lld/%lld questions  %.1f req/s  %.0f tok/s  retries %lld  elapsed %s  ETA %s",
                static_cast<long long>(p.questions_done), static_cast<long long>(p.questions), rate, tokens,
                static_cast<long long>(p.retries), clock_text(p.seconds).c_str(), clock_text(eta).c_str());
  return buf;
}

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(2) != 0) {}

  void operator()(const CollectProgress& p) {
    if (quiet_) return;
    if (tty_) {
      const double done =
          p.samples_todo > 0 ? static_cast<double>(p.samples_done) / static_cast<double>(p.samples_todo) : 1.0;
      const int filled = static_cast<int>(BAR_WIDTH * done);
      std::fprintf(stderr, "\r\033[Kcollect [%s%s] %s", std::string(filled, '#').c_str(),
                   std::string(BAR_WIDTH - filled, '.').c_str(), progress_line(p).c_str());
      std::fflush(stderr);
      drawn_ = true;
    } else if (p.seconds - last_ >= LOG_PROGRESS_INTERVAL) {
      last_ = p.seconds;
      std::fprintf(stderr, "collect: %s\n", progress_line(p).c_str());
    }
  }
  void end() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  bool quiet_;
  bool tty_;
  bool drawn_ = false;
  double last_ = 0.0;
};

void print_summary(const CollectSettings& s, const CollectProgress& p) {
  std::cerr << "collect: " << p.questions_done << " of " << p.questions << " questions complete ("
            << p.questions_resumed << " before this run) x " << s.samples << " samples; " << p.samples_done
            << " samples, " << p.requests << " requests, " << p.tokens << " completion tokens in "
            << clock_text(p.seconds);
  if (p.seconds > 0.0) {
    char rates[96];
    std::snprintf(rates, sizeof rates, " (%.1f requests/s, %.0f tokens/s)", static_cast<double>(p.requests) / p.seconds,
                  static_cast<double>(p.tokens) / p.seconds);
    std::cerr << rates;
  }
  std::cerr << "\ncollect: retried " << p.retries << " (429: " << p.retried_429 << ", 5xx: " << p.retried_5xx
            << ", transport: " << p.retried_transport << ", malformed: " << p.retried_malformed
            << ", other: " << p.retried_other << ")\n";
}

}  // namespace

CLI::App* add_collect_command(CLI::App& app, CollectCommand& c) {
  CLI::App* cmd = app.add_subcommand("collect", DESCRIPTION);
  cmd->add_option("--config", c.config, "Settings file (TOML, format \"ttcgames-collect\"); options given here win");
  cmd->add_option("--endpoint", c.endpoints,
                  "Server base URL(s), comma-separated or repeated, e.g. http://node1:8000/v1 (the API path is "
                  "appended); several endpoints share the load")
      ->delimiter(',');
  cmd->add_option("--model", c.model, "Model name the servers serve (sent with every request)");
  cmd->add_option("--model-name", c.model_name, "Name recorded in the run log (default: --model after its last '/')");
  cmd->add_option("--questions", c.questions, "Questions file (JSONL; GSM8K layout unless --mapping says otherwise)");
  cmd->add_option("--mapping", c.mapping,
                  "Question mapping (TOML, format \"ttcgames-question-mapping\"): fields, gold answer, answer rule");
  cmd->add_option("--samples", c.samples, "Samples per question, 1 to 100000")->type_name("N");
  cmd->add_option("-o,--output", c.output,
                  "Run log to write (default: <model-name>--temp-<T>--samples-<N>--max-<M>.jsonl)");
  cmd->add_option("--limit", c.limit, "Only the first K questions (default: all)")->type_name("K");
  cmd->add_flag("--resume", c.resume,
                "Continue an existing output: questions already in it are kept, the rest collected (a torn last "
                "line is cut)");
  cmd->add_option("--api", c.api, "chat (/v1/chat/completions, default) or completions (/v1/completions)");
  cmd->add_option("--temperature", c.temperature, "Sampling temperature, [0, 2] (default 0.7)")->type_name("T");
  cmd->add_option("--top-p", c.top_p, "Nucleus sampling, (0, 1] (default 1)")->type_name("P");
  cmd->add_option("--max-tokens", c.max_tokens, "Output tokens per sample, >= 1 (default 512)")->type_name("M");
  cmd->add_option("--seed", c.seed,
                  "Send each sample a seed derived from (S, question, sample), 0 to 2^31-1, for reproducible draws "
                  "(default: no seed)")
      ->type_name("S");
  cmd->add_option("--prompt-template", c.prompt_template,
                  "Prompt: {{question}} is the question text, {{json.path}} any field of its record (default: the "
                  "question, then \"Please reason step by step, and put your final answer within \\boxed{}.\")");
  cmd->add_option("--system", c.system, "System message (chat API; default: none)");
  cmd->add_option("--extra-body", c.extra_body,
                  "JSON object merged into every request, for server-specific parameters, e.g. '{\"top_k\": 20}'");
  cmd->add_option("--concurrency", c.concurrency, "Requests in flight in total, 1 to 4096 (default 8)")->type_name("C");
  cmd->add_option("--timeout", c.timeout, "Seconds per request, > 0 (default 600)")->type_name("S");
  cmd->add_option("--connect-timeout", c.connect_timeout, "Seconds to connect, > 0 (default 10)")->type_name("S");
  cmd->add_option("--max-attempts", c.max_attempts, "Attempts per sample before the run stops, 1 to 1000 (default 10)")
      ->type_name("K");
  cmd->add_option("--backoff-base", c.backoff_base,
                  "First retry delay scale in seconds (default 0.5); attempt k waits about base*2^(k-1)")
      ->type_name("S");
  cmd->add_option("--backoff-max", c.backoff_max, "Cap of the retry delay in seconds (default 30)")->type_name("S");
  cmd->add_option("--api-key-env", c.api_key_env,
                  "Environment variable holding the servers' API key (sent as a bearer token)")
      ->type_name("VAR");
  cmd->add_flag("-q,--quiet", c.quiet, "No progress bar and no summary: errors only");
  return cmd;
}

Command add_collect_command(CLI::App& app) {
  auto c = std::make_shared<CollectCommand>();
  CLI::App* cmd = add_collect_command(app, *c);
  return {cmd, [c](const Invocation&) { return run_collect_command(*c); }};
}

int run_collect_command(const CollectCommand& c) {
  const CollectSettings s = settings_from(c);
  Progress progress(c.quiet);
  try {
    const CollectProgress p = run_collect(s, [&](const CollectProgress& now) { progress(now); });
    progress.end();
    if (!c.quiet) {
      if (p.truncated_bytes > 0)
        std::cerr << "collect: cut a torn last line (" << p.truncated_bytes << " bytes) from " << s.output << "\n";
      print_summary(s, p);
      std::cerr << "wrote " << s.output << "\n";
      if (!p.mapping_written.empty())
        std::cerr << "wrote " << p.mapping_written << " (read the log with --mapping " << p.mapping_written << ")\n";
    }
    return 0;
  } catch (const CollectAborted& e) {
    progress.end();
    std::cerr << "ttcgames: error: " << e.what() << "\n";
    return exit_status::INCOMPLETE;
  } catch (...) {
    progress.end();
    throw;
  }
}

}  // namespace ttcg::cli
