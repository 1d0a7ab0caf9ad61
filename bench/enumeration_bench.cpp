// Exhaustive enumeration over all K^n profiles of the 9×6 paper market (6^9 ≈ 1.0e7): the social-optimum oracle and
// the enumeration of all pure Nash equilibria. Items are profiles; the argument is the number of OpenMP threads
// (CUDA variants run when a device is present and report the same items).
#include <benchmark/benchmark.h>
#include <omp.h>

#include "bench_defaults.hpp"
#include "ttcgames/backend.hpp"
#include "ttcgames/enumeration.hpp"
#include "ttcgames/welfare.hpp"

namespace {

using namespace ttcg;

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

void BM_ExhaustiveOptimumCuda(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  for (auto _ : state) benchmark::DoNotOptimize(exhaustive_optimum(game, Backend::cuda).welfare);
  state.SetItemsProcessed(state.iterations() * profile_count(t.n, t.K));
}
BENCHMARK(BM_ExhaustiveOptimumCuda)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_EnumerateEquilibriaCuda(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  for (auto _ : state) benchmark::DoNotOptimize(enumerate_equilibria(game, {}, Backend::cuda).count);
  state.SetItemsProcessed(state.iterations() * profile_count(t.n, t.K));
}
BENCHMARK(BM_EnumerateEquilibriaCuda)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
