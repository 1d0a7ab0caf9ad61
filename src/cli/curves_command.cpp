// `ttcgames curves`: run logs to quality and cost curves, as a curves job (run/curves_stage.hpp, one work unit per
// log) run by the orchestrator: checkpoint and --resume, progress, ranks and the atomic result file; then the CSV.
#include <toml++/toml.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/core/exit_status.hpp"
#include "ttcgames/core/names.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/io/file_plan.hpp"
#include "ttcgames/run/checkpoint.hpp"
#include "ttcgames/run/comm.hpp"
#include "ttcgames/run/curves_stage.hpp"
#include "ttcgames/run/file_summary.hpp"

namespace ttcg::cli {

namespace fs = std::filesystem;

namespace {

struct CurvesCommand {
  std::vector<std::string> logs;
  std::string mapping;
  std::vector<std::string> methods;
  std::string estimator = "permutations";
  bool exact = false;
  std::int64_t permutations = 0;  //!< 0: the library default
  std::int64_t seed = 0;
  std::vector<int> theta;
  int bootstrap = -1;  //!< −1: the library default
  std::string jitter = "philox";
  std::string dataset;
  bool strict = false;
  std::string backend = "auto";
  int threads = 0;
  std::string output, csv;
  bool quiet = false;
  Checkpointing checkpointing;
};

const char* const DESCRIPTION =
    "Turn LLM run logs into quality and cost curves (docs/model.md section 4): per model and level theta the\n"
    "expected accuracy of majority voting, best-of-n (reward model) and pass@k over theta samples, or of the\n"
    "relative-effort bins of reasoning models, and the expected billed output tokens, with error bars and\n"
    "per-question tables. Each file is one model's run log (files whose names give the same model, as in\n"
    "'<model>--temp-0.7--samples-64--max-512.jsonl', are read as one log); the reference JSONL layout is read\n"
    "as is, other layouts through a field mapping (--mapping, docs/runlog-mapping.md). Writes\n"
    "/curves/<dataset>/<method> into an HDF5 result file (docs/hdf5-format.md) and, with --csv, the curves in the\n"
    "layout a scenario's [providers] curves = \"...\" reads.";

const char* const METHOD_HELP =
    "Curve method(s), repeatable: majority (invalid answers never vote; ties to the answer seen first), best-of-n\n"
    "(highest reward decides; missing rewards are -inf; ties to the first), pass@k (some sample correct),\n"
    "relative-effort (quintile bins of thinking length; logs with [think, total] token counts), all (default:\n"
    "the first three for logs without thinking tokens, relative-effort for logs with them)";

const char* const ESTIMATOR_HELP =
    "permutations (default): mean over nested random permutations, the reference implementation's estimator;\n"
    "exact: the expectation over a uniformly random theta-subset where a closed form exists (best-of-n, pass@k,\n"
    "tokens; majority stays with permutations); logged-order: the first theta samples as logged, the rule of\n"
    "evaluation harnesses that report maj@k on the first k samples";

std::string csv_path(const std::string& path, CurveMethod method, bool several) {
  if (!several) return path;
  std::string name = to_string(method);
  if (const auto at = name.find('@'); at != std::string::npos) name.replace(at, 1, "-at-");
  const fs::path p(path);
  return (p.parent_path() / (p.stem().string() + "_" + name + p.extension().string())).string();
}

std::string settings_toml(const CurvesCommand& c, const std::vector<MethodCurves>& curves, const std::string& dataset) {
  toml::table t;
  t.insert("command", "curves");
  t.insert("dataset", dataset);
  toml::array logs;
  for (const std::string& f : c.logs) logs.push_back(fs::absolute(f).lexically_normal().string());
  t.insert("runlogs", std::move(logs));
  if (!c.mapping.empty()) t.insert("mapping", fs::absolute(c.mapping).lexically_normal().string());
  toml::array methods;
  for (const MethodCurves& m : curves) methods.push_back(to_string(m.method));
  t.insert("methods", std::move(methods));
  t.insert("estimator", c.exact ? "exact" : c.estimator);
  if (!curves.empty()) {
    t.insert("seed", static_cast<std::int64_t>(curves.front().seed));
    t.insert("bootstrap", curves.front().bootstrap);
  }
  std::int64_t permutations = 0;
  for (const MethodCurves& m : curves) permutations = std::max(permutations, m.permutations);
  t.insert("permutations", permutations);
  if (!c.theta.empty()) {
    toml::array theta;
    for (const int x : c.theta) theta.push_back(x);
    t.insert("theta", std::move(theta));
  }
  t.insert("jitter", c.jitter);
  t.insert("strict", c.strict);
  std::ostringstream s;
  s << "# ttcgames curves settings\n" << t << "\n";
  return s.str();
}

void add_options(CLI::App* cmd, CurvesCommand& c) {
  cmd->add_option("logs", c.logs, "Run-log files (.jsonl or .json, optionally .gz or .zst; - for standard input)")
      ->required();
  cmd->add_option("--mapping", c.mapping, "Field mapping of the logs' layout (TOML); default: the reference layout");
  cmd->add_option("--method", c.methods, METHOD_HELP)
      ->check(CLI::IsMember({"majority", "best-of-n", "pass@k", "relative-effort", "all"}));
  cmd->add_option("--estimator", c.estimator, ESTIMATOR_HELP)
      ->check(CLI::IsMember({"permutations", "exact", "logged-order"}));
  cmd->add_flag("--exact", c.exact, "Same as --estimator exact");
  cmd->add_option("--permutations", c.permutations,
                  "Random permutations per question (default " + std::to_string(DEFAULT_PERMUTATIONS) +
                      "; the reference uses 50)")
      ->check(integer_range(1, 4294967295));
  cmd->add_option("--seed", c.seed, "Seed of the permutations, bootstrap and jitter (Philox streams; default 0)")
      ->check(integer_range(0, MAX_SEED));
  cmd->add_option("--theta", c.theta,
                  "Levels (numbers of samples), increasing, e.g. --theta 1 2 4 8; default: the reference grid, powers "
                  "of two below N without 2 (N = fewest samples of any question)")
      ->check(integer_range(1, MAX_CURVE_THETA));
  cmd->add_option("--bootstrap", c.bootstrap,
                  "Bootstrap resamples for the error bars over questions (default " +
                      std::to_string(DEFAULT_BOOTSTRAP) + "; 0: none)")
      ->check(integer_range(0, MAX_BOOTSTRAP));
  cmd->add_option("--jitter", c.jitter,
                  "Relative effort: philox (default) or numpy (numpy's default_rng(seed), to reproduce the reference "
                  "implementation's bins exactly)")
      ->check(CLI::IsMember({"philox", "numpy"}));
  cmd->add_option("--dataset", c.dataset,
                  "Name of the /curves/<dataset> group (default: the first log's directory name; letters, digits, "
                  "'.', '_', '-')");
  cmd->add_flag("--strict", c.strict, "Stop at the first malformed record instead of reporting and skipping it");
  cmd->add_option("--backend", c.backend,
                  "Where the permutations run: auto (GPU when present), cpu, cuda; results are identical")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  cmd->add_option("--threads", c.threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(integer_range(1, MAX_THREADS));
  cmd->add_option("-o,--output", c.output, "Result file (HDF5)");
  cmd->add_option("--csv", c.csv,
                  "Also write the curves as CSV (model,theta,accuracy,tokens,accuracy_sd,tokens_sd); with several "
                  "methods one file each, named <stem>_<method><ext>");
  cmd->add_flag("-q,--quiet", c.quiet, "No progress bar, tables or messages: errors only");
  add_checkpointing(*cmd, c.checkpointing);
}

//! The group name of the curves: --dataset, else the first log's directory name ("runlogs" for standard input).
std::string dataset_name(const CurvesCommand& c) {
  std::string name = c.dataset;
  if (name.empty() && c.logs.front() != "-") name = fs::absolute(c.logs.front()).parent_path().filename().string();
  if (name.empty()) name = "runlogs";
  check_name(name, c.dataset.empty() ? "the dataset name (the first log's directory; give --dataset)" : "--dataset");
  return name;
}

//! Refuses outputs that would overwrite a run log, the mapping or each other, before anything is read.
void check_files(const CurvesCommand& c) {
  io::FilePlan plan;
  for (const std::string& f : c.logs) plan.add_input(f, "run log");
  plan.add_input(c.mapping, "field mapping");
  plan.add_output(c.output, "result file (-o)");
  if (!c.output.empty() && !c.checkpointing.disabled) plan.add_output(checkpoint_path(c.output), "checkpoint journal");
  if (!c.csv.empty()) {
    plan.add_output(c.csv, "curves CSV (--csv)");
    for (const CurveMethod m :
         {CurveMethod::majority, CurveMethod::best_of_n, CurveMethod::pass_at_k, CurveMethod::relative_effort})
      plan.add_output(csv_path(c.csv, m, true), "curves CSV (--csv, one per method)");
  }
  plan.check();
}

//! The methods of --method ("all" or none: empty, every method that applies).
std::vector<CurveMethod> requested_methods(const CurvesCommand& c) {
  std::vector<CurveMethod> methods;
  for (const std::string& m : c.methods) {
    if (m == "all") return {};
    const CurveMethod method = parse_curve_method(m);
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) methods.push_back(method);
  }
  return methods;
}

//! Says on stderr what each log held (questions, samples, skipped records).
void report_logs(const std::vector<RunLog>& logs) {
  for (const RunLog& log : logs) {
    std::cerr << log.model << ": " << log.questions() << " questions, " << log.min_samples() << "+ samples each";
    if (log.report.malformed > 0) std::cerr << ", " << log.report.malformed << " malformed records skipped";
    if (log.report.duplicates > 0) std::cerr << ", " << log.report.duplicates << " duplicate qids skipped";
    std::cerr << "\n";
    for (const std::string& m : log.report.messages) std::cerr << "  " << m << "\n";
  }
}

int run_curves(const CurvesCommand& c, const Invocation& invocation) {
  if (c.output.empty() && c.csv.empty())
    throw UsageError("curves: nothing to write: give -o curves.h5 and/or --csv curves.csv");
  if (Communicator::world().size() > 1 && std::find(c.logs.begin(), c.logs.end(), "-") != c.logs.end())
    throw UsageError(
        "curves: every MPI rank reads the run logs, and standard input ('-') reaches rank 0 only; give "
        "the log files");
  const std::string dataset = dataset_name(c);
  check_files(c);
  const Common common{c.backend, c.threads, c.quiet};
  const JobSettings settings = job_settings(common, c.checkpointing, c.output, setup(common), invocation);
  CurveOptions o;
  o.estimator = c.exact ? Estimator::exact : parse_estimator(c.estimator);
  if (c.permutations > 0) o.permutations = c.permutations;
  o.seed = static_cast<std::uint64_t>(c.seed);
  o.theta = c.theta;
  if (c.bootstrap >= 0) o.bootstrap = c.bootstrap;
  o.effort.jitter = c.jitter == "numpy" ? Jitter::numpy : Jitter::philox;
  o.backend = settings.backend;

  RunLogOptions read;
  if (!c.mapping.empty()) read.mapping = load_field_mapping(c.mapping);
  read.strictness = c.strict ? Strictness::strict : Strictness::skip_malformed;
  CurvesJob curves;
  curves.dataset = dataset;
  curves.logs = read_model_logs(c.logs, read);
  if (!c.quiet && Communicator::world().is_root()) report_logs(curves.logs);
  curves.plan = plan_curves(curves.logs, requested_methods(c), o);
  curves.options = o;
  curves.settings_toml = settings_toml(c, curves.plan.methods, dataset);
  for (const std::string& f : c.logs) curves.input_files.emplace_back(f, "run log");
  curves.input_files.emplace_back(c.mapping, "field mapping");
  JobOptions options;
  options.backend = settings.backend;
  const RunJob job(std::move(curves), options);

  const JobOutcome outcome = run_job(job, settings, [&](const RunResults& results) {
    // The tables are read back from the file written, as `summary` prints them, or from an in-memory image of it.
    if (!settings.output.empty())
      print_file_summaries(settings.output);
    else
      print_result_file_summary(std::cout, summarize_results(job, results));
  });
  if (outcome.status != exit_status::SUCCESS || !outcome.results) return outcome.status;  // stopped, or not rank 0
  const std::vector<MethodCurves>& methods = outcome.results->curves.at(0).methods;
  if (!c.csv.empty())
    for (const MethodCurves& mc : methods) {
      const std::string path = csv_path(c.csv, mc.method, methods.size() > 1);
      write_curves_csv(path, mc);
      if (!c.quiet) std::cerr << "wrote " << path << "\n";
    }
  return outcome.status;
}

}  // namespace

Command add_curves_command(CLI::App& app) {
  auto c = std::make_shared<CurvesCommand>();
  CLI::App* cmd = app.add_subcommand("curves", DESCRIPTION);
  add_options(cmd, *c);
  return {cmd, [c](const Invocation& invocation) { return run_curves(*c, invocation); }, true};
}

}  // namespace ttcg::cli
