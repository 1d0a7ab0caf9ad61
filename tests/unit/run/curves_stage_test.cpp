// The curves of run logs as a stage of a run (run/curves_stage.hpp): one work unit per log, whose archive carries
// every number of its curves bit for bit (NaN bars and per-question tables included), is checked against its unit,
// and merges, in any order of computation, into exactly the curves that compute_curves gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/run/curves_stage.hpp"
#include "ttcgames/run/job.hpp"
#include "ttcgames/run/orchestrator.hpp"

namespace ttcg {
namespace {

const std::string SYNTHETIC = std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/";

std::vector<RunLog> synthetic_logs() {
  return read_model_logs({SYNTHETIC + "SynthA-7B--temp-0.7--samples-64--max-512.jsonl",
                          SYNTHETIC + "SynthB-1B--temp-0.7--samples-64--max-512.jsonl",
                          SYNTHETIC + "reason-SynthR-7B--temp-0.6--samples-32--max-2048.jsonl"},
                         RunLogOptions{});
}

CurveOptions small_options(Estimator estimator) {
  CurveOptions o;
  o.estimator = estimator;
  o.permutations = 16;
  o.bootstrap = 20;
  o.seed = 3;
  o.theta = {1, 2, 4};
  return o;
}

CurvesJob curves_job(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods, const CurveOptions& o) {
  CurvesJob job;
  job.dataset = "synthetic";
  job.logs = logs;
  job.plan = plan_curves(logs, methods, o);
  job.options = o;
  job.settings_toml = "seed = 3\n";
  return job;
}

//! Every number of `a` and `b` (curves of one method), compared through their bit-exact archives.
void expect_identical(const std::vector<MethodCurves>& a, const std::vector<MethodCurves>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t m = 0; m < a.size(); ++m) {
    EXPECT_EQ(a[m].method, b[m].method);
    EXPECT_EQ(a[m].estimator, b[m].estimator);
    EXPECT_EQ(a[m].theta, b[m].theta);
    EXPECT_EQ(a[m].permutations, b[m].permutations);
    EXPECT_EQ(encode_log_curves(0, a[m].models), encode_log_curves(0, b[m].models)) << to_string(a[m].method);
  }
}

TEST(CurvesStage, OneUnitPerLogMergesIntoTheCurvesOfComputeCurves) {
  const std::vector<RunLog> logs = synthetic_logs();
  for (const Estimator e : {Estimator::permutations, Estimator::exact, Estimator::logged_order}) {
    const CurveOptions o = small_options(e);
    const CurvesStage stage(curves_job(logs, {}, o));
    const UnitWork work = stage.work();
    ASSERT_EQ(work.count, logs.size());
    std::vector<Bytes> payloads(work.count);
    for (std::uint64_t u = work.count; u-- > 0;) payloads[u] = work.compute(u);  // any order of computation
    RunResults results;
    stage.merge(payloads, std::vector<double>(work.count, 0.0), results);
    ASSERT_EQ(results.curves.size(), 1u);
    EXPECT_EQ(results.curves[0].dataset, "synthetic");
    expect_identical(results.curves[0].methods, compute_curves(logs, {}, o));
  }
}

TEST(CurvesStage, ArchivesRoundTripBitForBitAndBelongToTheirUnit) {
  const std::vector<RunLog> logs = synthetic_logs();
  const CurvesStage stage(curves_job(logs, {}, small_options(Estimator::logged_order)));  // NaN percentile bars
  const UnitWork work = stage.work();
  std::vector<Bytes> payloads;
  for (std::uint64_t u = 0; u < work.count; ++u) {
    payloads.push_back(work.compute(u));
    const std::vector<ModelCurve> curves = stage.decode(u, payloads.back());
    EXPECT_EQ(encode_log_curves(u, curves), payloads.back());
    EXPECT_NO_THROW(stage.check(u, payloads.back()));
  }
  EXPECT_EQ(stage.decode(0, payloads[0]).size(), 3u);     // majority, best-of-n, pass@k of SynthA-7B
  EXPECT_EQ(stage.decode(2, payloads[2]).size(), 1u);     // the relative effort of SynthR-7B
  EXPECT_THROW(stage.check(1, payloads[0]), InputError);  // another unit's result
  EXPECT_THROW(stage.check(3, payloads[0]), InputError);  // no such unit
  Bytes truncated = payloads[1];
  truncated.resize(truncated.size() / 2);
  EXPECT_THROW(stage.check(1, truncated), InputError);
  Bytes longer = payloads[1];
  longer.push_back(std::byte{0});
  EXPECT_THROW(stage.check(1, longer), InputError);
  // Archives that decode but do not match the unit: another model, a missing level, a probability above 1.
  std::vector<ModelCurve> curves = stage.decode(1, payloads[1]);
  const auto rejected = [&](auto change) {
    std::vector<ModelCurve> c = curves;
    change(c);
    try {
      stage.check(1, encode_log_curves(1, c));
      ADD_FAILURE() << "accepted a damaged unit";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("curves unit (synthetic, run log 1)"), std::string::npos) << e.what();
    }
  };
  rejected([](std::vector<ModelCurve>& c) { c[0].model = c[0].table.model = "SynthA-7B"; });
  rejected([](std::vector<ModelCurve>& c) { c[1].tokens_sd.pop_back(); });
  rejected([](std::vector<ModelCurve>& c) { c[2].table.p_correct[0] = 1.5; });
  rejected([](std::vector<ModelCurve>& c) { c.pop_back(); });
  rejected([](std::vector<ModelCurve>& c) { std::swap(c[0], c[1]); });
}

TEST(CurvesStage, RunsThroughTheOrchestratorWithItsSettingsAndSeed) {
  const std::vector<RunLog> logs = synthetic_logs();
  const CurveOptions o = small_options(Estimator::permutations);
  const std::vector<CurveMethod> methods{CurveMethod::pass_at_k, CurveMethod::majority};
  const RunJob job(curves_job(logs, methods, o), JobOptions{});
  EXPECT_EQ(job.units(), logs.size());
  EXPECT_EQ(job.settings_toml(), "seed = 3\n");
  EXPECT_EQ(job.root_seed(), 3u);
  EXPECT_TRUE(job.scenarios().empty());
  const JobOutcome outcome = run_job(job, JobSettings{});
  ASSERT_TRUE(outcome.results);
  expect_identical(outcome.results->curves.at(0).methods, compute_curves(logs, methods, o));
  // The fingerprint holds the logs' numbers: a changed log is another job.
  std::vector<RunLog> changed = logs;
  changed[1].correct[5] ^= 1;
  const RunJob other(curves_job(changed, methods, o), JobOptions{});
  EXPECT_NE(job.fingerprint(), other.fingerprint());
  EXPECT_EQ(job.fingerprint(), RunJob(curves_job(logs, methods, o), JobOptions{}).fingerprint());
}

TEST(CurvesPlan, IsCheckedBeforeAnyWork) {
  const std::vector<RunLog> logs = synthetic_logs();
  const CurvesPlan all = plan_curves(logs, {}, small_options(Estimator::permutations));
  ASSERT_EQ(all.methods.size(), 4u);
  EXPECT_EQ(all.methods_of(0), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(all.methods_of(2), (std::vector<std::size_t>{3}));
  EXPECT_TRUE(all.methods[0].models.empty());
  // Relative effort asked of a log without thinking tokens, and a level above a log's samples.
  EXPECT_THROW(plan_curves(logs, {CurveMethod::relative_effort}, small_options(Estimator::permutations)), InputError);
  CurveOptions high = small_options(Estimator::permutations);
  high.theta = {1, 64};
  EXPECT_THROW(plan_curves(logs, {CurveMethod::majority}, high), InputError);  // SynthR-7B has 32 samples
  CurvesJob empty = curves_job(logs, {}, small_options(Estimator::permutations));
  empty.plan = CurvesPlan{};
  EXPECT_THROW(CurvesStage{std::move(empty)}, InputError);
}

}  // namespace
}  // namespace ttcg
