// CPU (OpenMP) vs CUDA parity of market ensembles: the same seed draws bitwise the same markets on both backends
// (providers, price factors, β, markup, α, v0: distributions.hpp and portable_math.hpp), and the solutions agree within
// ENSEMBLE_BACKEND_TOLERANCE (the backends differ in the last bits of exp/log, which can also flip a near-tie of the
// dynamics; such markets are counted and must be rare). The tallies agree within the same tolerance. Skips without
// a device (and in a build without CUDA); the no-device error is tested everywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/run/ensemble_stage.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

using namespace ttcg;

//! Markets whose dynamics end elsewhere on the two backends (a near-tie broken by a last-bit difference).
constexpr double MAX_DIVERGENT_FRACTION = 1e-3;

std::unique_ptr<EnsembleProblem> problem(std::int64_t markets,
                                         EnumerationAlgorithm algorithm = EnumerationAlgorithm::structural) {
  Scenario s = load_scenario(std::string(TTCG_INPUTS_DIR) + "/ensembles/paper-gsm8k-ensemble.toml");
  s.enumeration.algorithm = algorithm;
  s.ensemble->markets = markets;
  s.ensemble->min_providers = 2;
  s.ensemble->v0 = dist::Distribution::range(-0.001, 0.002);
  s.ensemble->enumeration_max_profiles = 1296;
  return make_ensemble_problem(s);
}

bool close(double a, double b) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return true;
  return std::fabs(a - b) <= ENSEMBLE_BACKEND_TOLERANCE * std::fmax(std::fabs(a), std::fabs(b)) + 1e-16;
}

TEST(EnsembleParity, SameDrawsAndCloseSolutions) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  const auto p = problem(20000);
  const auto cpu = solve_ensemble_markets(*p, 0, p->markets(), Backend::cpu);
  const auto gpu = solve_ensemble_markets(*p, 0, p->markets(), Backend::cuda);
  std::int64_t divergent = 0;
  for (std::size_t m = 0; m < cpu.size(); ++m) {
    const MarketDraw &a = cpu[m].draw, &b = gpu[m].draw;
    ASSERT_EQ(a.n, b.n) << "market " << m;
    ASSERT_EQ(std::memcmp(a.providers, b.providers, sizeof(int) * a.n), 0) << "market " << m;
    ASSERT_EQ(std::memcmp(a.price_factor, b.price_factor, sizeof(double) * a.n), 0) << "market " << m;
    ASSERT_EQ(std::memcmp(&a.beta, &b.beta, sizeof(double)), 0) << "market " << m;
    ASSERT_EQ(std::memcmp(&a.markup, &b.markup, sizeof(double)), 0) << "market " << m;
    ASSERT_EQ(std::memcmp(&a.v0, &b.v0, sizeof(double)), 0) << "market " << m;
    EXPECT_TRUE(close(cpu[m].optimum.welfare, gpu[m].optimum.welfare)) << "market " << m;
    EXPECT_TRUE(close(cpu[m].auction.welfare, gpu[m].auction.welfare)) << "market " << m;
    EXPECT_EQ(cpu[m].enumerated, gpu[m].enumerated);
    if (std::memcmp(cpu[m].equilibrium_profile, gpu[m].equilibrium_profile, sizeof(int) * a.n) != 0) {
      ++divergent;
      continue;
    }
    EXPECT_TRUE(close(cpu[m].welfare, gpu[m].welfare)) << "market " << m;
    EXPECT_TRUE(close(cpu[m].price_of_anarchy, gpu[m].price_of_anarchy)) << "market " << m;
    EXPECT_EQ(cpu[m].dynamics.rounds, gpu[m].dynamics.rounds) << "market " << m;
    if (cpu[m].enumerated) {
      EXPECT_EQ(cpu[m].equilibria.count, gpu[m].equilibria.count) << "market " << m;
    }
  }
  EXPECT_LE(static_cast<double>(divergent), MAX_DIVERGENT_FRACTION * static_cast<double>(cpu.size()));
}

//! On the GPU, the structural search (every market) and the exhaustive scan (K^n ≤ 1296) find the same equilibria.
TEST(EnsembleParity, StructuralAndExhaustiveAgreeOnTheDevice) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  const auto structural = problem(5000);
  const auto exhaustive = problem(5000, EnumerationAlgorithm::exhaustive);
  const auto a = solve_ensemble_markets(*structural, 0, structural->markets(), Backend::cuda);
  const auto b = solve_ensemble_markets(*exhaustive, 0, exhaustive->markets(), Backend::cuda);
  std::int64_t compared = 0;
  for (std::size_t m = 0; m < a.size(); ++m) {
    EXPECT_TRUE(a[m].enumerated) << "market " << m;
    if (!b[m].enumerated) continue;
    EXPECT_EQ(a[m].equilibria.count, b[m].equilibria.count) << "market " << m;
    EXPECT_EQ(a[m].equilibria.worst_index, b[m].equilibria.worst_index) << "market " << m;
    EXPECT_EQ(a[m].equilibria.best_index, b[m].equilibria.best_index) << "market " << m;
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

//! Every block of the ensemble on a backend, `chunk` blocks per call (as a GPU batch), merged in order.
EnsembleSummary all_blocks(const EnsembleProblem& problem, Backend backend, std::int64_t chunk) {
  EnsembleSummary summary(problem);
  for (std::int64_t b = 0; b < problem.blocks(); b += chunk)
    for (const EnsembleBlockResult& r :
         compute_ensemble_blocks(problem, b, std::min(chunk, problem.blocks() - b), backend))
      summary.merge(r);
  return summary;
}

TEST(EnsembleParity, TalliesAgree) {
  if (!cuda_device_available()) GTEST_SKIP() << "no CUDA device: " << cuda_device_description();
  const auto p = problem(50000);
  constexpr std::int64_t CPU_CHUNK = 16, GPU_CHUNK = 64;  // blocks per call
  const EnsembleSummary cpu = all_blocks(*p, Backend::cpu, CPU_CHUNK);
  const EnsembleSummary gpu = all_blocks(*p, Backend::cuda, GPU_CHUNK);
  const EnsembleTallies &a = cpu.tallies, &b = gpu.tallies;
  EXPECT_EQ(a.markets, b.markets);
  EXPECT_EQ(a.enumerated, b.enumerated);
  EXPECT_NEAR(a.inefficiency.mean(), b.inefficiency.mean(), 1e-3 * a.inefficiency.stddev());
  EXPECT_NEAR(a.auction_to_optimum.mean(), b.auction_to_optimum.mean(), 1e-9);
  EXPECT_TRUE(close(a.auction_to_optimum.sum, b.auction_to_optimum.sum));
}

TEST(EnsembleParity, CudaWithoutDeviceIsAnInputError) {
  if (cuda_device_available()) GTEST_SKIP() << "a CUDA device is present";
  const auto p = problem(10);
  EXPECT_THROW(solve_ensemble_markets(*p, 0, 10, Backend::cuda), InputError);
}

}  // namespace
