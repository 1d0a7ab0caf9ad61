// Market ensembles: random 9×6 markets from the paper's GSM8K majority pool (all nine models per market, jittered
// prices, random markup and β; equilibrium + certificate + optimum + auction, no enumeration), per market and per
// block, on 1 and 2 threads, and on the GPU; and the shipped example ensemble (3 to 9 providers per market, every
// market's pure equilibria enumerated). Items are markets.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <memory>

#include "bench_defaults.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/run/ensemble_stage.hpp"

namespace {

using namespace ttcg;

//! The benchmark ensemble: the example scenario with every market 9×6 and no enumeration.
std::unique_ptr<EnsembleProblem> nine_by_six(std::int64_t markets) {
  Scenario s = load_scenario(std::string(TTCG_INPUTS_DIR) + "/ensembles/paper-gsm8k-ensemble.toml");
  s.ensemble->markets = markets;
  s.ensemble->min_providers = s.ensemble->max_providers = 9;
  s.ensemble->enumerate = false;
  s.ensemble->store_markets = false;
  return make_ensemble_problem(s);
}

//! One market at a time on one thread (the per-market cost of the hot path).
void BM_SolveMarket(benchmark::State& state) {
  const auto problem = nine_by_six(1 << 20);
  MarketOutcome out;
  std::uint32_t m = 0;
  for (auto _ : state) {
    solve_ensemble_market(problem->params(), m++ & ((1u << 20) - 1), out);
    benchmark::DoNotOptimize(out.price_of_anarchy);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SolveMarket)->Unit(benchmark::kMicrosecond);

//! Every block of the ensemble, `chunk` blocks per call (a GPU batch), merged in order: the ensemble stage's work
//! without the orchestrator's journal and envelopes.
EnsembleSummary all_blocks(const EnsembleProblem& problem, Backend backend = Backend::cpu, std::int64_t chunk = 16) {
  EnsembleSummary summary(problem);
  for (std::int64_t b = 0; b < problem.blocks(); b += chunk)
    for (const EnsembleBlockResult& r :
         compute_ensemble_blocks(problem, b, std::min(chunk, problem.blocks() - b), backend))
      summary.merge(r);
  return summary;
}

//! Every block of an ensemble of 65536 markets (16 blocks) on the threads given as the argument.
void BM_Ensemble(benchmark::State& state) {
  const std::int64_t markets = 1 << 16;
  const auto problem = nine_by_six(markets);
  omp_set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(all_blocks(*problem).tallies.inefficiency.sum);
  state.SetItemsProcessed(state.iterations() * markets);
}
BENCHMARK(BM_Ensemble)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();

//! The figure: 10^6 random 9×6 markets on 2 threads, one iteration.
void BM_MillionMarkets(benchmark::State& state) {
  const std::int64_t markets = 1'000'000;
  const auto problem = nine_by_six(markets);
  omp_set_num_threads(2);
  for (auto _ : state) benchmark::DoNotOptimize(all_blocks(*problem).tallies.inefficiency.sum);
  state.SetItemsProcessed(state.iterations() * markets);
}
BENCHMARK(BM_MillionMarkets)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

//! The shipped example ensemble: 10^6 markets of 3 to 9 providers, every market's pure equilibria enumerated by the
//! structural search (the figure), on 2 threads, one iteration.
void BM_MillionMarketsEnumerated(benchmark::State& state) {
  const std::int64_t markets = 1'000'000;
  Scenario s = load_scenario(std::string(TTCG_INPUTS_DIR) + "/ensembles/paper-gsm8k-ensemble.toml");
  s.ensemble->markets = markets;
  s.ensemble->store_markets = false;
  const auto problem = make_ensemble_problem(s);
  omp_set_num_threads(2);
  for (auto _ : state) benchmark::DoNotOptimize(all_blocks(*problem).tallies.enumerated);
  state.SetItemsProcessed(state.iterations() * markets);
}
BENCHMARK(BM_MillionMarketsEnumerated)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

//! Work model of one 9×6 market of the CUDA kernel, for scripts/gpu-check.sh (an estimate from the operation
//! counts, FMA = 2, exp/log1p ≈ 20): the dynamics' ≈ 3 rounds × 9 turns × 6 log-utilities with their aggregates
//! (≈ 400 each), the certificate (≈ 9 × 6 × 200), the optimum (≈ 5 × 54 × 30) and the draws and table (≈ 2000).
//! Bytes: the pool tables stay in cache; each market writes its MarketOutcome (≈ 1 KB).
constexpr double MARKET_FP64 = 3.0 * 9.0 * 6.0 * 400.0 + 9.0 * 6.0 * 200.0 + 5.0 * 54.0 * 30.0 + 2000.0;
constexpr double MARKET_BYTES = 1024.0;

//! 10^6 markets on the CUDA backend; reports an error without a device.
void BM_MillionMarketsCuda(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const std::int64_t markets = 1'000'000;
  const auto problem = nine_by_six(markets);
  constexpr std::int64_t GPU_CHUNK = 64;  // blocks per launch
  for (auto _ : state)
    benchmark::DoNotOptimize(all_blocks(*problem, Backend::cuda, GPU_CHUNK).tallies.inefficiency.sum);
  state.SetItemsProcessed(state.iterations() * markets);
  state.counters["fp64_per_item"] = MARKET_FP64;
  state.counters["bytes_per_item"] = MARKET_BYTES;
  state.SetLabel(cuda_device_description());
}
BENCHMARK(BM_MillionMarketsCuda)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
