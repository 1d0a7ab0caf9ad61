// Population throughput (population.hpp). The unit is the user-choice evaluation: ONE user's complete logit choice
// over the n providers and the outside option at one profile — the user's n + 1 log attractions, their maximum, the
// n + 1 exponentials, the normalization, and the user's shares, SW_u, value, price and per-provider profit added to
// the block sums (what PopulationEngine::demand does for every user). Items per second = user-choice evaluations per
// second. The market is the paper's GSM8K majority market (n = 9 providers × K = 6 levels) with heterogeneous users
// (lognormal β, uniform value scale, empirical v0); "curves" draws every query from the curves (one question),
// "questions" from 256 per-question rows (one table lookup per user and provider). The oracle pass (log u_i(k) of
// one provider for all K levels, one pass of the dynamics) and the realized outcomes (market and auction per user)
// are measured in the same units (users per second). BM_UserChoicesPerUser runs the per-user function (the kernels'
// code path) in a scalar loop: the ratio to BM_UserChoices is what the structure-of-arrays vectorization gains.
//
// Targets (issue 4): >= 1e8 user-choice evaluations per second on 2 CPU cores, near-linear scaling from 1 to 2
// threads; >= 2e10 per second on an H100 (BM_CudaUserChoices; it reports an error without a device). The CUDA
// benchmark reports the FP64 rate and the memory traffic implied by its throughput (counters, estimates from the
// operation count of one evaluation below) next to the H100 SXM peaks.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "bench_defaults.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/io/result_file.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/population/population_math.hpp"

namespace {

using namespace ttcg;

//! FP64 operations of one user-choice evaluation with n = 9 (an FMA counted as 2): 27 for the log attractions,
//! 10 × 35 for the portable exponentials, 10 + 1 + 2 for the normalization, 9 × 15 for the sums.
constexpr double FLOPS_PER_USER_CHOICE = 530.0;
//! Bytes read per user: α, β, v0 (f64) and the question index (i32); the per-profile tables stay in cache.
constexpr double BYTES_PER_USER_CHOICE = 28.0;
//! H100 SXM peaks: FP64 without tensor cores (FLOP/s) and HBM3 bandwidth (bytes/s).
constexpr double H100_FP64_PEAK = 33.5e12;
constexpr double H100_MEMORY_BANDWIDTH = 3.35e12;

Scenario bench_scenario(const std::string& benchmarks) {
  const std::string paper = std::string(TTCG_INPUTS_DIR) + "/paper";
  return parse_scenario(
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"bench\"\n[market]\nalpha = 0.008\n"
      "[providers]\ncurves = \"" +
          paper + "/curves/GSM8K_majority.csv\"\nprices = \"" + paper +
          "/prices.csv\"\n[population]\nusers = 1\nseed = 1\n"
          "beta = { kind = \"lognormal\", median = 1000.0, sigma = 1.0 }\n"
          "value_scale = { kind = \"uniform\", low = 0.5, high = 1.5 }\n"
          "v0 = { kind = \"empirical\", values = [0.0, 0.001, 0.004], weights = [8, 1, 1] }\n" +
          benchmarks,
      "");
}

//! A file removed when the program ends.
struct TemporaryFile {
  std::string path;
  ~TemporaryFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

//! Per-question tables around the GSM8K curves (accuracy ± a per-question offset), written once to a temporary file.
std::string question_file(const Scenario& curves) {
  static const TemporaryFile file{[&] {
    const std::string p =
        (std::filesystem::temp_directory_path() / ("ttcg_population_bench_" + std::to_string(::getpid()) + ".h5"))
            .string();
    h5::File f = h5::File::create(p);
    h5::Group root = f.root();
    write_root_attributes(root, RunInfo{}, 0, "");  // a curves file starts with them
    for (const ProviderCurves& c : curves.providers.providers) {
      QuestionTable t;
      t.model = c.name;
      t.method = "majority";
      t.theta = curves.providers.theta;
      for (int q = 0; q < bench::POPULATION_QUESTIONS; ++q) {
        t.qid.push_back("q" + std::to_string(q));
        const double shift = 0.4 * (q / static_cast<double>(bench::POPULATION_QUESTIONS) - 0.5);
        for (std::size_t k = 0; k < t.theta.size(); ++k) {
          t.p_correct.push_back(std::clamp(c.accuracy[k] + shift, 0.0, 1.0));
          t.tokens.push_back(c.tokens[k] * (0.5 + q / static_cast<double>(bench::POPULATION_QUESTIONS)));
        }
      }
      h5::Group g = root.create_group("curves/bench/majority/questions/" + c.name);
      write_question_table(g, t);
    }
    return p;
  }()};
  return file.path;
}

struct Fixture {
  Scenario scenario;
  QueryTables tables;
  PopulationSpec spec;
  std::unique_ptr<PopulationEngine> engine;
  Profile profile{5, 4, 5, 5, 5, 5, 4, 5, 4};  // the paper's equilibrium at beta = 1000

  Fixture(bool per_question, std::int64_t users, Backend backend) {
    const Scenario plain = bench_scenario("");
    scenario = per_question ? bench_scenario("[[population.benchmarks]]\nname = \"q\"\nquestions = \"" +
                                             question_file(plain) + "\"\ndataset = \"bench\"\nmethod = \"majority\"\n")
                            : plain;
    spec = *scenario.population;
    spec.users = users;
    spec.block_size = bench::POPULATION_BLOCK_SIZE;
    tables = build_query_tables(spec, scenario.providers, scenario.market);
    engine = std::make_unique<PopulationEngine>(tables, spec, 0, backend);
  }
};

void BM_UserChoices(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(1)));
  const Fixture f(state.range(0) != 0, bench::POPULATION_CPU_USERS, Backend::cpu);
  for (auto _ : state) benchmark::DoNotOptimize(f.engine->demand(f.profile).welfare);
  state.SetItemsProcessed(state.iterations() * f.engine->users());
  state.SetLabel(state.range(0) ? "questions" : "curves");
}
BENCHMARK(BM_UserChoices)
    ->ArgNames({"questions", "threads"})
    ->Args({0, 1})
    ->Args({0, 2})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define TTCG_BENCH_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TTCG_BENCH_CLONES
#endif

//! One pass of the per-user TTCG_HD function (population::user_welfare, the kernels' code path) over the users,
//! scalar, with hardware FMA where the CPU has it (the same instruction-set clones as the library's tiles).
TTCG_BENCH_CLONES double per_user_pass(const population::ProfileView& t, const population::UsersView& u,
                                       double* shares) {
  double e[population::MAX_PROVIDERS];
  double welfare = 0.0, inv = 0.0;
  for (std::int64_t j = 0; j < u.count; ++j) {
    welfare += population::user_welfare(t, u.alpha[j], u.beta[j], u.v0[j], u.question[j], e, inv);
    for (int i = 0; i < t.n; ++i) shares[i] += e[i] * inv;
  }
  return welfare;
}

//! The same evaluations through the per-user function in a plain loop on one thread, with the shares summed: the
//! reference that the vectorized structure-of-arrays tiles (BM_UserChoices) are measured against.
void BM_UserChoicesPerUser(benchmark::State& state) {
  const Fixture f(false, bench::POPULATION_CPU_USERS, Backend::cpu);
  const ProfileTables at(f.tables, f.profile);
  const population::ProfileView t = at.view(f.tables.n, f.tables.Q);
  const population::UsersView u = f.engine->population().view();
  std::vector<double> shares(f.tables.n);
  for (auto _ : state) {
    benchmark::DoNotOptimize(per_user_pass(t, u, shares.data()));
    benchmark::DoNotOptimize(shares.data());
  }
  state.SetItemsProcessed(state.iterations() * u.count);
}
BENCHMARK(BM_UserChoicesPerUser)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_OraclePass(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  const Fixture f(false, bench::POPULATION_CPU_USERS, Backend::cpu);
  std::vector<double> log_u(f.tables.K);
  for (auto _ : state) {
    f.engine->log_utilities(f.profile, 3, log_u);
    benchmark::DoNotOptimize(log_u[0]);
  }
  state.SetItemsProcessed(state.iterations() * f.engine->users());
}
BENCHMARK(BM_OraclePass)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RealizedOutcomes(benchmark::State& state) {
  omp_set_num_threads(static_cast<int>(state.range(0)));
  const Fixture f(false, bench::POPULATION_CPU_USERS / 4, Backend::cpu);
  const HistogramRanges ranges = histogram_ranges(f.tables, f.spec);
  for (auto _ : state)
    benchmark::DoNotOptimize(f.engine->outcomes(f.profile, Reserve::none, ranges).market.welfare.sum);
  state.SetItemsProcessed(state.iterations() * f.engine->users());
}
BENCHMARK(BM_RealizedOutcomes)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CudaUserChoices(benchmark::State& state) {
  if (!cuda_device_available()) {
    state.SkipWithError(("no CUDA device: " + cuda_device_description()).c_str());
    return;
  }
  const Fixture f(state.range(0) != 0, bench::POPULATION_GPU_USERS, Backend::cuda);
  for (auto _ : state) benchmark::DoNotOptimize(f.engine->demand(f.profile).welfare);
  const double users = static_cast<double>(f.engine->users());
  state.SetItemsProcessed(state.iterations() * f.engine->users());
  state.counters["fp64_fraction_of_h100_peak"] =
      benchmark::Counter(users * FLOPS_PER_USER_CHOICE / H100_FP64_PEAK, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["memory_fraction_of_h100_peak"] = benchmark::Counter(
      users * BYTES_PER_USER_CHOICE / H100_MEMORY_BANDWIDTH, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["fp64_per_item"] = FLOPS_PER_USER_CHOICE;  // the work model scripts/gpu-check.sh reads
  state.counters["bytes_per_item"] = BYTES_PER_USER_CHOICE;
  state.SetLabel(cuda_device_description());
}
BENCHMARK(BM_CudaUserChoices)->ArgName("questions")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
