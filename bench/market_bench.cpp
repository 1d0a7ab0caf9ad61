// Market engine throughput: the paper's nine 100-point beta sweeps (dynamics + certificate + exact optimum + PoA +
// statistics), and the stages of one beta on a 9×6 market. Items are beta values solved (or stage calls).
#include <benchmark/benchmark.h>
#include <omp.h>

#include "bench_defaults.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/welfare.hpp"
#include "ttcgames/run/orchestrator.hpp"
#include "ttcgames/run/run.hpp"

namespace {

using namespace ttcg;

//! The nine sweeps of the paper, without the equilibrium enumeration, through the orchestrator (no file), on the
//! threads given as the argument.
void BM_PaperSweeps(benchmark::State& state) {
  std::vector<Scenario> scenarios;
  for (const std::string& name : bench::PAPER_SCENARIOS) scenarios.push_back(bench::paper_scenario(name));
  omp_set_num_threads(static_cast<int>(state.range(0)));
  std::size_t betas = 0;
  for (auto _ : state) {
    betas = 0;
    for (const Scenario& s : scenarios) {
      JobOptions o;
      o.enumerate = false;
      o.betas = s.sweep->values();
      o.ensembles = o.populations = false;
      const RunJob job({s}, o);
      const ScenarioResult r = std::move(run_job(job, JobSettings{}).results->markets.at(0));
      betas += r.betas.size();
      benchmark::DoNotOptimize(r.betas.back().price_of_anarchy);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * betas));
  state.counters["betas"] = static_cast<double>(betas);
}
BENCHMARK(BM_PaperSweeps)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SolveBeta(benchmark::State& state) {
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  DynamicsOptions o;
  o.order = ProviderOrder::reference;
  for (auto _ : state) benchmark::DoNotOptimize(solve_beta(t, bench::DEFAULT_BETA, o).price_of_anarchy);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SolveBeta)->Unit(benchmark::kMicrosecond);

void BM_Dynamics(benchmark::State& state) {
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  DynamicsOptions o;
  o.order = ProviderOrder::reference;
  for (auto _ : state) benchmark::DoNotOptimize(run_dynamics(game, o).turns);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Dynamics)->Unit(benchmark::kMicrosecond);

void BM_Certificate(benchmark::State& state) {
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, bench::DEFAULT_BETA);
  const Profile p(t.n, t.K - 1);
  for (auto _ : state) benchmark::DoNotOptimize(certify(game, p).max_regret);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Certificate)->Unit(benchmark::kMicrosecond);

void BM_ExactOptimum(benchmark::State& state) {
  const MarketTable t = bench::paper_table(bench::ENUMERATION_MARKET);
  const Game game(t, state.range(0) == 0 ? bench::DEFAULT_BETA : 1e6);
  for (auto _ : state) benchmark::DoNotOptimize(exact_optimum(game).welfare);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExactOptimum)->Arg(0)->Arg(1)->ArgName("beta1e6")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
