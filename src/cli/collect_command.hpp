// `ttcgames collect`: sample a model behind OpenAI-compatible servers on a benchmark's questions and write a run log
// in the reference layout (docs/collect.md). Kept apart from main.cpp, which only registers the subcommand and
// calls run_collect_command.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ttcg::cli {

//! The command line as given: numbers stay text until run_collect_command checks them (so that every bad value,
//! from the command line or the settings file, is an input error with its valid range, exit code 1).
struct CollectCommand {
  std::string config;
  std::vector<std::string> endpoints;
  std::optional<std::string> model, model_name, questions, mapping, samples, output, limit;
  std::optional<std::string> api, temperature, top_p, max_tokens, seed, prompt_template, system, extra_body;
  std::optional<std::string> concurrency, timeout, connect_timeout, max_attempts, backoff_base, backoff_max;
  std::optional<std::string> api_key_env;
  bool resume = false;
  bool quiet = false;
};

//! Registers the subcommand and its options (with --help text) on `app`.
CLI::App* add_collect_command(CLI::App& app, CollectCommand& command);
//! Runs it and returns the exit status: 0 when every question is collected, 75 (EX_TEMPFAIL) when the run stopped
//! early (a sample failed every attempt, or SIGINT/SIGTERM) with the completed questions kept for --resume. Throws
//! InputError for bad settings and requests the server refuses.
int run_collect_command(const CollectCommand& command);

}  // namespace ttcg::cli
