// All pure Nash equilibria. The structural search (market/aggregate_enumeration.hpp): the 9×6 paper markets at every β
// of their sweep (items are games; the counters give the median and the maximum time per β and the search nodes),
// a 16×6 market (2.8e12 profiles) and a 30×10 market (1e30 profiles). The exhaustive oracle over all K^n profiles of
// the 9×6 paper market (6^9 ≈ 1.0e7): the social optimum and all pure NE; items are profiles; the argument is the
// number of OpenMP threads (CUDA variants run when a device is present and report the same items).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "bench_defaults.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/welfare.hpp"

namespace {

using namespace ttcg;

//! Every β of a paper scenario's sweep per iteration (one thread); reports the median and maximum time of one β.
void BM_StructuralPaperSweep(benchmark::State& state) {
  const std::string& name = bench::PAPER_SCENARIOS[static_cast<std::size_t>(state.range(0))];
  const Scenario s = bench::paper_scenario(name);
  const MarketTable t = build_market_table(s.providers, s.market);
  const std::vector<double> betas = s.betas();
  std::vector<Game> games;
  for (const double beta : betas) games.emplace_back(t, beta);
  std::vector<double> seconds;
  std::int64_t nodes = 0;
  for (auto _ : state) {
    for (const Game& game : games) {
      const auto start = std::chrono::steady_clock::now();
      const EquilibriumSet set = enumerate_equilibria(game, s.enumeration);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      benchmark::DoNotOptimize(set.count);
      nodes += set.work;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  state.SetLabel(name + " " + std::to_string(t.n) + "x" + std::to_string(t.K));
  state.counters["median_us"] = 1e6 * seconds[seconds.size() / 2];
  state.counters["max_us"] = 1e6 * seconds.back();
  state.counters["nodes_per_beta"] = static_cast<double>(nodes) / static_cast<double>(seconds.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(games.size()));
}
BENCHMARK(BM_StructuralPaperSweep)->DenseRange(0, 8)->ArgName("scenario")->Unit(benchmark::kMillisecond);

//! One large market at several β: the argument is the β exponent (β = 10^arg).
void structural_large(benchmark::State& state, const MarketTable& t) {
  const Game game(t, std::pow(10.0, static_cast<double>(state.range(0))));
  std::int64_t nodes = 0, count = 0;
  for (auto _ : state) {
    const EquilibriumSet set = enumerate_equilibria(game);
    nodes = set.work;
    count = set.count;
  }
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["equilibria"] = static_cast<double>(count);
  state.SetItemsProcessed(state.iterations());
}

void BM_StructuralReplicatedPaper16x6(benchmark::State& state) {
  structural_large(state, bench::replicated_paper_table(bench::LARGE_PAPER_PROVIDERS, bench::LARGE_MARKET_SEED));
}
BENCHMARK(BM_StructuralReplicatedPaper16x6)->DenseRange(0, 6)->ArgName("log10_beta")->Unit(benchmark::kMicrosecond);

void BM_StructuralSynthetic30x10(benchmark::State& state) {
  structural_large(
      state, bench::synthetic_table(bench::SYNTHETIC_PROVIDERS, bench::SYNTHETIC_LEVELS, bench::LARGE_MARKET_SEED));
}
BENCHMARK(BM_StructuralSynthetic30x10)->DenseRange(0, 6)->ArgName("log10_beta")->Unit(benchmark::kMicrosecond);

void BM_ExhaustiveOptimum(benchmark::State& state) {
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  omp_set_num_threads(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(exhaustive_optimum(game, Backend::cpu).welfare);
  state.SetItemsProcessed(state.iterations() * profile_count(t.n, t.K));
}
BENCHMARK(BM_ExhaustiveOptimum)->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EnumerateEquilibria(benchmark::State& state) {
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  omp_set_num_threads(static_cast<int>(state.range(0)));
  EnumerationOptions o;
  o.algorithm = state.range(1) ? EnumerationAlgorithm::windows : EnumerationAlgorithm::direct;
  for (auto _ : state) benchmark::DoNotOptimize(enumerate_equilibria(game, o, Backend::cpu).count);
  state.SetItemsProcessed(state.iterations() * profile_count(t.n, t.K));
}
BENCHMARK(BM_EnumerateEquilibria)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "windows"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

//! Work models of the CUDA kernels, per profile, for scripts/gpu-check.sh's fraction of the device's peaks (FP64
//! operations with an FMA as 2 and a libm exp or log1p as about 20; bytes from device memory): estimates from the
//! operation counts of enumeration_math.hpp for the 9×6 market, not measurements. The optimum: 6 per completion
//! plus the prefix sum's 8 scaled adds (an exp and 4 operations each) shared by the 6 completions. The equilibria:
//! per prefix the last provider's aggregate and 6 log-utilities (≈ 420), and for its one best response the other 8
//! providers' aggregates and log-utilities (≈ 8 × 420), shared by the 6 completions. The game's arrays stay in
//! cache: the global traffic per profile is negligible (the masks, 4 bytes per prefix).
constexpr double OPTIMUM_FP64_PER_PROFILE = 6.0 + 8.0 * 24.0 / 6.0;
constexpr double EQUILIBRIA_FP64_PER_PROFILE = 9.0 * 420.0 / 6.0;
constexpr double EQUILIBRIA_BYTES_PER_PROFILE = 4.0 / 6.0;

//! The work-model counters read by scripts/gpu-check.sh.
void set_work_model(benchmark::State& state, double fp64_per_item, double bytes_per_item) {
  state.counters["fp64_per_item"] = fp64_per_item;
  state.counters["bytes_per_item"] = bytes_per_item;
  state.SetLabel(cuda_device_description());
}

void BM_ExhaustiveOptimumCuda(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  for (auto _ : state) benchmark::DoNotOptimize(exhaustive_optimum(game, Backend::cuda).welfare);
  state.SetItemsProcessed(state.iterations() * profile_count(t.n, t.K));
  set_work_model(state, OPTIMUM_FP64_PER_PROFILE, 0.0);
}
BENCHMARK(BM_ExhaustiveOptimumCuda)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EnumerateEquilibriaCuda(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  EnumerationOptions o;
  o.algorithm = EnumerationAlgorithm::exhaustive;
  for (auto _ : state) benchmark::DoNotOptimize(enumerate_equilibria(game, o, Backend::cuda).count);
  state.SetItemsProcessed(state.iterations() * profile_count(t.n, t.K));
  set_work_model(state, EQUILIBRIA_FP64_PER_PROFILE, EQUILIBRIA_BYTES_PER_PROFILE);
}
BENCHMARK(BM_EnumerateEquilibriaCuda)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
