// Inference-stage throughput: majority and best-of-n curves by 1000 nested permutations of a synthetic GSM8K-sized
// run log (1319 questions × 128 samples, 6 levels), on 1 and 2 threads. Items are visits (permutation, question).
// BM_SampleCountCurves is the whole estimator as `ttcgames curves` runs it (visits, per-question tables, percentile
// bars, bootstrap over questions with B = 2000); BM_PermutationTallies the visits and their reductions alone, and
// BM_PermutationTalliesCuda the same on the GPU (an error without a device).
#include <benchmark/benchmark.h>
#include <omp.h>

#include "bench_defaults.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/synthetic_runlog.hpp"

namespace {

using namespace ttcg;

const RunLog& benchmark_log() {
  static const RunLog log = [] {
    SyntheticRunLogSpec spec;
    spec.model = "synthetic-gsm8k";
    spec.questions = bench::CURVES_QUESTIONS;
    spec.samples = bench::CURVES_SAMPLES;
    return synthetic_runlog(spec);
  }();
  return log;
}

void BM_SampleCountCurves(benchmark::State& state) {
  const RunLog& log = benchmark_log();
  omp_set_num_threads(static_cast<int>(state.range(0)));
  CurveOptions o;
  o.permutations = bench::CURVES_PERMUTATIONS;
  for (auto _ : state) {
    const auto curves = sample_count_curves({log}, {CurveMethod::majority, CurveMethod::best_of_n}, o);
    benchmark::DoNotOptimize(curves.back().models.back().accuracy.back());
  }
  state.SetItemsProcessed(state.iterations() * o.permutations * bench::CURVES_QUESTIONS);
  state.counters["levels"] = static_cast<double>(reference_theta_grid(bench::CURVES_SAMPLES).size());
}
BENCHMARK(BM_SampleCountCurves)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PermutationTallies(benchmark::State& state) {
  const SampleMatrix m = sample_matrix(benchmark_log(), bench::CURVES_SAMPLES);
  const std::vector<int> grid = reference_theta_grid(bench::CURVES_SAMPLES);
  const std::vector<std::int32_t> theta(grid.begin(), grid.end());
  const PermutationView v = m.view(theta, 0);
  omp_set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(permutation_tallies(v, bench::CURVES_PERMUTATIONS, Backend::cpu).trial_tokens.back());
  state.SetItemsProcessed(state.iterations() * bench::CURVES_PERMUTATIONS * bench::CURVES_QUESTIONS);
}
BENCHMARK(BM_PermutationTallies)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

//! Bytes one visit reads from device memory: the question's N samples' label (4), verdict (1), reward (8) and tokens
//! (8); its scratch (order, counts) is assumed to stay in cache, so this is a lower bound. The visits are integer
//! and Philox work: no FP64 rate is claimed.
constexpr double VISIT_BYTES = 21.0 * bench::CURVES_SAMPLES;

//! The permutation visits on the CUDA backend (the curves kernel); reports an error without a device.
void BM_PermutationTalliesCuda(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const SampleMatrix m = sample_matrix(benchmark_log(), bench::CURVES_SAMPLES);
  const std::vector<int> grid = reference_theta_grid(bench::CURVES_SAMPLES);
  const std::vector<std::int32_t> theta(grid.begin(), grid.end());
  const PermutationView v = m.view(theta, 0);
  for (auto _ : state)
    benchmark::DoNotOptimize(permutation_tallies(v, bench::CURVES_PERMUTATIONS, Backend::cuda).trial_tokens.back());
  state.SetItemsProcessed(state.iterations() * bench::CURVES_PERMUTATIONS * bench::CURVES_QUESTIONS);
  state.counters["fp64_per_item"] = 0.0;
  state.counters["bytes_per_item"] = VISIT_BYTES;
  state.SetLabel(cuda_device_description());
}
BENCHMARK(BM_PermutationTalliesCuda)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ExactBestOf(benchmark::State& state) {
  const RunLog& log = benchmark_log();
  CurveOptions o;
  o.estimator = Estimator::exact;
  o.bootstrap = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(sample_count_curves({log}, {CurveMethod::best_of_n}, o)[0].models[0].accuracy.back());
  state.SetItemsProcessed(state.iterations() * bench::CURVES_QUESTIONS);
}
BENCHMARK(BM_ExactBestOf)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
