// Empirical quality and cost curves from run logs (docs/model.md §4): per model and test-time-compute level θ, the
// expected accuracy and billed output tokens of majority voting, best-of-n (reward model) and pass@k over θ samples,
// and of the relative-effort bins of reasoning models; per question the same (QuestionTable), for the Monte Carlo
// stage; and their uncertainty.
//
// Sample-count methods see the first N = min samples over a model's questions (as the reference does). Estimators:
//   permutations  the reference's nested random permutations (curves_math.hpp), any count, Philox-seeded: the value
//                 is the mean over permutations of the mean over questions; error bars (accuracy_lo/hi) are the
//                 reference's: mean minus the 2.5th and 97.5th percentile minus mean of the per-permutation means,
//                 clamped at 0.
//   exact         the expectation over a uniformly random θ-subset, where a closed form exists: best-of-θ by order
//                 statistics of the rewards (tied rewards split evenly: the first tied sample in a random order is
//                 uniform among them), pass@θ by the unbiased estimator 1 − C(N−c,θ)/C(N,θ), tokens θ·mean.
//                 Majority voting has no closed form here and always uses permutations. No percentile bars (NaN).
//   logged-order  the first θ samples in the order they were logged (no randomness; ties to the first logged):
//                 the rule of evaluation harnesses that score maj@k and rm@k on the first k samples (Qwen2.5-Math's
//                 rm_maj_eval, Tree of Thoughts' self-consistency). No percentile bars (NaN).
// Rewards are compared in double precision (the reference rounds them to float32 first, which can only add ties;
// the shipped synthetic logs have none either way). Every curve also gets a percentile bootstrap over questions (B
// resamples of the questions, Philox-seeded): accuracy_bootstrap_lo/hi (estimate minus lower, upper minus estimate) and
// accuracy_sd (standard deviation of the bootstrap means), likewise for tokens.
//
// Relative effort (reference reasoning_accuracy_curve_relative_effort): keep samples with think > min_think and
// total < max_total tokens; per question, jitter think counts by U(0, 1e-5) and cut them at their quintiles into 5
// bins [lo, hi) (the last closed); pool each bin over questions: accuracy = mean verdict, tokens = mean total tokens
// of one response. Error bars (accuracy_lo/hi) are the reference's percentile bootstrap of the pooled mean (B
// resamples of the bin's samples). The jitter is Philox by default, or numpy's default_rng(seed) (NumpyPcg64) to
// reproduce the reference's bins exactly.
//
// Units: accuracy in [0, 1] ("1"); tokens are billed output tokens per query ("token"); θ is a sample count (or the
// 1-based bin index). Results are identical for any thread count and on the CPU and CUDA backends.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/inference/curve_estimators.hpp"
#include "ttcgames/inference/curves_io.hpp"
#include "ttcgames/inference/curves_math.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/inference/runlog.hpp"
#include "ttcgames/inference/runlog_reader.hpp"
#include "ttcgames/inference/runlog_source.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/io/result_file.hpp"

namespace ttcg {

enum class CurveMethod { majority, best_of_n, pass_at_k, relative_effort };
enum class Estimator { permutations, exact, logged_order };
enum class Jitter { philox, numpy };

//! "majority", "best-of-n", "pass@k", "relative-effort".
const char* to_string(CurveMethod method);
//! "permutations", "exact", "logged-order".
const char* to_string(Estimator estimator);
//! Parses an estimator name; InputError listing the valid names.
Estimator parse_estimator(const std::string& text);
//! "philox", "numpy".
const char* to_string(Jitter jitter);
//! Parses a method name; InputError listing the valid names.
CurveMethod parse_curve_method(const std::string& text);

constexpr std::int64_t DEFAULT_PERMUTATIONS = 1000;
constexpr int DEFAULT_BOOTSTRAP = 2000;
//! Coverage of every interval (percentiles (1 − c)/2 and (1 + c)/2).
constexpr double DEFAULT_CONFIDENCE = 0.95;
//! Relative-effort bins (quintiles of the thinking length).
constexpr int RELATIVE_EFFORT_BINS = 5;
//! The reference's filter and jitter.
constexpr double RELATIVE_EFFORT_MIN_THINK = 5.0;
constexpr double RELATIVE_EFFORT_MAX_TOTAL = 2048.0;
constexpr double RELATIVE_EFFORT_JITTER = 1e-5;
//! The reference's nudge of a bin edge that does not exceed the previous one.
constexpr double RELATIVE_EFFORT_EDGE_NUDGE = 1e-9;

struct RelativeEffortOptions {
  double min_think = RELATIVE_EFFORT_MIN_THINK;  //!< keep samples with think > min_think
  double max_total = RELATIVE_EFFORT_MAX_TOTAL;  //!< and total < max_total
  Jitter jitter = Jitter::philox;
};

struct CurveOptions {
  std::vector<int> theta;  //!< levels of the sample-count methods; empty: reference_theta_grid(N)
  std::int64_t permutations = DEFAULT_PERMUTATIONS;
  std::uint64_t seed = 0;
  Estimator estimator = Estimator::permutations;
  int bootstrap = DEFAULT_BOOTSTRAP;
  double confidence = DEFAULT_CONFIDENCE;
  RelativeEffortOptions effort;
  Backend backend = Backend::cpu;  //!< for the permutation visits
};

//! One model's curve under one method; vectors are [K].
struct ModelCurve {
  std::string model;
  std::vector<double> accuracy, accuracy_lo, accuracy_hi;
  std::vector<double> tokens, tokens_lo, tokens_hi;
  std::vector<double> accuracy_sd, tokens_sd;
  std::vector<double> accuracy_bootstrap_lo, accuracy_bootstrap_hi, tokens_bootstrap_lo, tokens_bootstrap_hi;
  std::int64_t questions = 0;             //!< questions used
  std::int64_t samples = 0;               //!< samples per question N (relative effort: samples kept by the filter)
  std::vector<std::int64_t> bin_samples;  //!< relative effort: pooled samples per bin [K]
  QuestionTable table;                    //!< per question and level
};

//! The curves of several models under one method, on one θ grid.
struct MethodCurves {
  CurveMethod method = CurveMethod::majority;
  Estimator estimator = Estimator::permutations;  //!< the estimator used (exact majority: permutations)
  std::vector<double> theta;
  std::vector<ModelCurve> models;
  std::uint64_t seed = 0;
  std::int64_t permutations = 0;  //!< random permutations used (0: exact or logged order)
  int bootstrap = 0;
  double confidence = DEFAULT_CONFIDENCE;
  Jitter jitter = Jitter::philox;  //!< relative effort only
};

//! InputError unless `options` are valid: permutations 1 to 2^32 − 1, bootstrap ≥ 0, confidence in (0, 1).
void check_curve_options(const CurveOptions& options);
//! InputError unless the log gives thinking tokens (the relative effort's bins need them).
void check_thinking_tokens(const RunLog& log);

// ---- run logs -------------------------------------------------------------------------------------------------

//! The curves (with per-question tables) of a scenario's run-log provider source: the curves that
//! the scenario loader prices (to_provider_set), of `models` in that order (all models when empty).
MethodCurves curves_from_runlogs(const RunLogCurvesSource& source, const std::vector<std::string>& models = {});

// ---- curves ----------------------------------------------------------------------------------------------------

//! Majority, best-of-n and/or pass@k curves of the given logs (one model each) on a shared θ grid (options.theta,
//! else the reference grid of the smallest N); one permutation pass per model serves all methods.
std::vector<MethodCurves> sample_count_curves(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods,
                                              const CurveOptions& options);

//! Relative-effort bins of one reasoning model's log.
ModelCurve relative_effort_curve(const RunLog& log, const CurveOptions& options);
//! Relative-effort curves of several logs.
MethodCurves relative_effort_curves(const std::vector<RunLog>& logs, const CurveOptions& options);

//! `methods` empty means all: majority, best-of-n and pass@k for the logs without thinking tokens, relative effort
//! for the logs with them. Methods come out in the order majority, best-of-n, pass@k, relative-effort. The same as
//! plan_curves, then log_curves for every log, then assemble_curves.
std::vector<MethodCurves> compute_curves(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods,
                                         const CurveOptions& options);

//! The work of compute_curves, checked before any of it is done (options, model names, samples per question,
//! levels, thinking tokens): the methods that apply, in output order, each without its models yet, and the logs
//! that each covers. Every log is covered by at least one method; one log's curves depend only on the log, the
//! plan and the options (log_curves), never on the other logs' curves.
struct CurvesPlan {
  std::vector<MethodCurves> methods;           //!< method, estimator, θ, seed, permutations, bootstrap, ...; no models
  std::vector<std::vector<std::size_t>> logs;  //!< [method] the indices of the logs it covers, increasing
  std::vector<std::int32_t> levels;            //!< the levels of the sample-count methods (empty without them)

  //! The methods that cover log `log`, in output order.
  std::vector<std::size_t> methods_of(std::size_t log) const;
};
CurvesPlan plan_curves(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods,
                       const CurveOptions& options);
//! The curves of log `index` (which is `log`) under every method of `plan` that covers it, in output order; one
//! permutation pass serves all its sample-count methods.
std::vector<ModelCurve> log_curves(const RunLog& log, std::size_t index, const CurvesPlan& plan,
                                   const CurveOptions& options);
//! The plan's methods with their models: `per_log[i]` is log_curves of log i.
std::vector<MethodCurves> assemble_curves(const CurvesPlan& plan, std::vector<std::vector<ModelCurve>> per_log);

//! Reads `files` grouped by model_from_file_name (in order of first appearance): each group is one model's run log
//! (a model's samples may be split over several files).
std::vector<RunLog> read_model_logs(const std::vector<std::string>& files, const RunLogOptions& options);

// ---- output ----------------------------------------------------------------------------------------------------

//! /curves/<dataset>/<method>/… (docs/hdf5-format.md) for every method; InputError when a group exists.
void write_curve_groups(h5::Group& root, const std::string& dataset, const std::vector<MethodCurves>& curves);
//! A result file with the root attributes and the curve groups, written atomically.
void write_curves_file(const std::string& path, const std::string& dataset, const std::vector<MethodCurves>& curves,
                       const RunInfo& info, const std::string& settings_toml);

//! The curves as providers (prices from `prices`, USD per 1M tokens; a model without a price is an InputError
//! unless `prices` is empty, when every price is 0).
ProviderSet to_provider_set(const MethodCurves& curves, const PriceTable& prices);
//! The CSV layout of data/paper/curves (model,theta,accuracy,tokens,accuracy_sd,tokens_sd; sd = bootstrap sd).
void write_curves_csv(const std::string& path, const MethodCurves& curves);

}  // namespace ttcg
