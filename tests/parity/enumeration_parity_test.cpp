// CPU (OpenMP) vs CUDA parity of the exhaustive enumerations: the social optimum (ttcg::exhaustive_optimum)
// and all pure Nash equilibria (ttcg::enumerate_equilibria) on small random markets with n = 2..7 providers,
// K = 2..6 levels and β = 1, 100, 1e4, 1e6, plus one game large enough to need several kernel launches.
// Both backends evaluate the same TTCG_HD math and differ at most in the last bit of libm functions (exp,
// log1p), hence the welfare tolerances. The comparisons skip without a device (and in a build without
// CUDA); the backend selection tests run everywhere.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/game.hpp"
#include "ttcgames/market/market.hpp"
#include "ttcgames/market/welfare.hpp"

namespace {

//! Relative welfare difference allowed between the backends (libm last-bit differences only).
constexpr double WELFARE_RELATIVE_TOLERANCE = 1e-12;
//! Two profiles whose welfare agrees this closely are a tie that last-bit differences may break either way.
constexpr double WELFARE_TIE_TOLERANCE = 1e-14;
//! Absolute slack (USD) on top of either relative tolerance: W_i or v0 of either sign can cancel in SW, and
//! the rounding error of the terms (~1e-18 USD at welfares of ~1e-2 USD) then dominates a near-zero result.
constexpr double WELFARE_ABSOLUTE_FLOOR = 1e-16;
constexpr std::uint64_t SEED = 20260121;
constexpr double BETAS[] = {1.0, 100.0, 1e4, 1e6};

bool welfare_close(double a, double b, double relative) {
  if (a == b) return true;
  return std::fabs(a - b) <= relative * std::max(std::fabs(a), std::fabs(b)) + WELFARE_ABSOLUTE_FLOOR;
}

//! A random market shaped like real test-time-compute curves: accuracy increasing and saturating in the
//! level (within [0.2, 0.95]), tokens growing geometrically, 0.05..0.3 USD per 1M tokens, α in [0.01, 0.05]
//! USD. At large β the top levels are often overpriced: equilibria and optima are not all at the top.
ttcg::MarketTable random_market(std::mt19937_64& rng, int n, int K) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  ttcg::ProviderSet set;
  for (int k = 0; k < K; ++k) set.theta.push_back(k + 1.0);
  for (int i = 0; i < n; ++i) {
    ttcg::ProviderCurves c;
    c.name = "provider_" + std::to_string(i);
    const double first_accuracy = 0.2 + 0.3 * u(rng);
    const double saturation = 0.6 + 0.35 * u(rng);
    const double decay = 0.3 + 0.5 * u(rng);
    double tokens = 500.0 + 2500.0 * u(rng);
    for (int k = 0; k < K; ++k, tokens *= 1.5 + 1.5 * u(rng)) {
      c.accuracy.push_back(saturation - (saturation - first_accuracy) * std::pow(decay, k));
      c.tokens.push_back(tokens);
    }
    c.usd_per_million_tokens = 0.05 + 0.25 * u(rng);
    set.providers.push_back(std::move(c));
  }
  ttcg::MarketParams params;
  params.alpha = 0.01 + 0.04 * u(rng);
  // A third of the markets get a nonzero outside option (x_0 = β·v0 then takes part in every comparison).
  if (u(rng) < 1.0 / 3.0) params.v0 = -0.003 + 0.01 * u(rng);
  return ttcg::build_market_table(set, params);
}

//! The welfare of a profile index, evaluated on the host.
double welfare_at(const ttcg::Game& game, std::int64_t index) {
  if (index < 0) return std::nan("");
  ttcg::Profile profile(game.n());
  ttcg::decode_profile(index, game.n(), game.K(), profile.data());
  return game.welfare(profile);
}

std::string describe(std::uint64_t seed, int n, int K, double beta) {
  return "seed " + std::to_string(seed) + ", n = " + std::to_string(n) + ", K = " + std::to_string(K) +
         ", beta = " + std::to_string(beta);
}

//! Same argmax profile, or (reported, and accepted) a different one whose welfare ties the CPU's.
void expect_same_argmax(const ttcg::Game& game, std::int64_t cpu, std::int64_t gpu, const char* what) {
  if (cpu == gpu) return;
  const double w_cpu = welfare_at(game, cpu);
  const double w_gpu = welfare_at(game, gpu);
  EXPECT_TRUE(welfare_close(w_cpu, w_gpu, WELFARE_TIE_TOLERANCE))
      << what << ": cpu index " << cpu << " (welfare " << w_cpu << "), cuda index " << gpu << " (welfare " << w_gpu
      << ")";
  std::cout << "note: " << what << " tie broken differently: cpu index " << cpu << ", cuda index " << gpu << "\n";
}

void expect_optimum_parity(const ttcg::Game& game) {
  const ttcg::Optimum cpu = ttcg::exhaustive_optimum(game, ttcg::Backend::cpu);
  const ttcg::Optimum gpu = ttcg::exhaustive_optimum(game, ttcg::Backend::cuda);
  EXPECT_EQ(gpu.profiles_evaluated, cpu.profiles_evaluated);
  ASSERT_EQ(gpu.profile.size(), cpu.profile.size());
  const std::int64_t cpu_index = ttcg::encode_profile(cpu.profile.data(), game.n(), game.K());
  const std::int64_t gpu_index = ttcg::encode_profile(gpu.profile.data(), game.n(), game.K());
  expect_same_argmax(game, cpu_index, gpu_index, "optimum");
  EXPECT_TRUE(welfare_close(gpu.welfare, cpu.welfare, WELFARE_RELATIVE_TOLERANCE))
      << "optimum welfare: cpu " << cpu.welfare << ", cuda " << gpu.welfare;
}

std::int64_t index_of(const ttcg::Profile& p, int K) {
  return p.empty() ? -1 : ttcg::encode_profile(p.data(), static_cast<int>(p.size()), K);
}

//! The GPU runs the exhaustive kernel; the CPU runs the structural search (the default) and the exhaustive oracle.
void expect_equilibria_parity(const ttcg::Game& game, ttcg::EnumerationOptions options) {
  options.algorithm = ttcg::EnumerationAlgorithm::exhaustive;
  const ttcg::EquilibriumSet oracle = ttcg::enumerate_equilibria(game, options, ttcg::Backend::cpu);
  const ttcg::EquilibriumSet gpu = ttcg::enumerate_equilibria(game, options, ttcg::Backend::cuda);
  options.algorithm = ttcg::EnumerationAlgorithm::structural;
  const ttcg::EquilibriumSet cpu = ttcg::enumerate_equilibria(game, options, ttcg::Backend::cpu);
  EXPECT_EQ(cpu.stored, oracle.stored);
  EXPECT_EQ(cpu.count, oracle.count);
  EXPECT_EQ(cpu.worst_profile, oracle.worst_profile);
  EXPECT_EQ(cpu.best_profile, oracle.best_profile);
  // --backend cuda with the structural search runs it on the host: the same set.
  const ttcg::EquilibriumSet host = ttcg::enumerate_equilibria(game, options, ttcg::Backend::cuda);
  EXPECT_EQ(host.stored, cpu.stored);
  EXPECT_EQ(host.count, cpu.count);
  EXPECT_EQ(gpu.profiles, cpu.profiles);
  EXPECT_EQ(gpu.count, cpu.count);
  EXPECT_EQ(gpu.stored, cpu.stored);
  if (cpu.count == 0) {
    EXPECT_TRUE(std::isnan(gpu.worst_welfare) && std::isnan(gpu.best_welfare));
    EXPECT_TRUE(gpu.worst_profile.empty());
    EXPECT_TRUE(gpu.best_profile.empty());
    return;
  }
  expect_same_argmax(game, index_of(cpu.worst_profile, game.K()), index_of(gpu.worst_profile, game.K()),
                     "worst equilibrium");
  expect_same_argmax(game, index_of(cpu.best_profile, game.K()), index_of(gpu.best_profile, game.K()),
                     "best equilibrium");
  EXPECT_TRUE(welfare_close(gpu.worst_welfare, cpu.worst_welfare, WELFARE_RELATIVE_TOLERANCE))
      << "worst equilibrium welfare: cpu " << cpu.worst_welfare << ", cuda " << gpu.worst_welfare;
  EXPECT_TRUE(welfare_close(gpu.best_welfare, cpu.best_welfare, WELFARE_RELATIVE_TOLERANCE))
      << "best equilibrium welfare: cpu " << cpu.best_welfare << ", cuda " << gpu.best_welfare;
}

#define TTCG_SKIP_WITHOUT_DEVICE() \
  if (!ttcg::cuda_device_available()) GTEST_SKIP() << ttcg::cuda_device_description()

}  // namespace

TEST(EnumerationParity, OptimumOnRandomMarkets) {
  TTCG_SKIP_WITHOUT_DEVICE();
  std::mt19937_64 rng(SEED);
  for (int n = 2; n <= 7; ++n)
    for (int K = 2; K <= 6; ++K) {
      const ttcg::MarketTable table = random_market(rng, n, K);
      for (const double beta : BETAS) {
        SCOPED_TRACE(describe(SEED, n, K, beta));
        expect_optimum_parity(ttcg::Game(table, beta));
      }
    }
}

TEST(EnumerationParity, EquilibriaOnRandomMarkets) {
  TTCG_SKIP_WITHOUT_DEVICE();
  std::mt19937_64 rng(SEED);
  for (int n = 2; n <= 7; ++n)
    for (int K = 2; K <= 6; ++K) {
      const ttcg::MarketTable table = random_market(rng, n, K);
      for (const double beta : BETAS) {
        SCOPED_TRACE(describe(SEED, n, K, beta));
        expect_equilibria_parity(ttcg::Game(table, beta), ttcg::EnumerationOptions{});
      }
    }
}

//! Loose tolerances make many profiles equilibria: exercises the stored-index truncation and the compaction.
TEST(EnumerationParity, ManyEquilibriaAndStorageLimits) {
  TTCG_SKIP_WITHOUT_DEVICE();
  std::mt19937_64 rng(SEED + 1);
  const double tolerances[] = {1e-2, 1.0, 1e300};
  const std::int64_t limits[] = {0, 1, 7, 1000, 100000};
  for (const int n : {3, 5, 6})
    for (const int K : {2, 4, 6}) {
      const ttcg::MarketTable table = random_market(rng, n, K);
      for (const double beta : BETAS)
        for (const double tolerance : tolerances)
          for (const std::int64_t limit : limits) {
            SCOPED_TRACE(describe(SEED + 1, n, K, beta) + ", tolerance = " + std::to_string(tolerance) +
                         ", max_stored = " + std::to_string(limit));
            ttcg::EnumerationOptions options;
            options.relative_tolerance = tolerance;
            options.max_stored = limit;
            expect_equilibria_parity(ttcg::Game(table, beta), options);
          }
    }
}

//! 7^8 = 5.8M prefixes: more than one kernel launch per enumeration (the CPU oracle takes a few seconds).
TEST(EnumerationParity, GameNeedingSeveralLaunches) {
  TTCG_SKIP_WITHOUT_DEVICE();
  std::mt19937_64 rng(SEED + 2);
  const int n = 9;
  const int K = 7;
  const double beta = 1e4;
  const ttcg::MarketTable table = random_market(rng, n, K);
  SCOPED_TRACE(describe(SEED + 2, n, K, beta));
  const ttcg::Game game(table, beta);
  expect_optimum_parity(game);
  expect_equilibria_parity(game, ttcg::EnumerationOptions{});
}

TEST(EnumerationParity, SingleProvider) {
  TTCG_SKIP_WITHOUT_DEVICE();
  std::mt19937_64 rng(SEED + 3);
  const ttcg::MarketTable table = random_market(rng, 1, 5);
  for (const double beta : BETAS) {
    SCOPED_TRACE(describe(SEED + 3, 1, 5, beta));
    const ttcg::Game game(table, beta);
    expect_optimum_parity(game);
    expect_equilibria_parity(game, ttcg::EnumerationOptions{});
  }
}

// Backend selection: runs with or without a device, and in a build without CUDA.
TEST(BackendSelectionParity, ResolvesAccordingToDevice) {
  EXPECT_FALSE(ttcg::cuda_device_description().empty());
  EXPECT_EQ(ttcg::resolve_backend(ttcg::BackendRequest::cpu), ttcg::Backend::cpu);
  if (ttcg::cuda_device_available()) {
    EXPECT_TRUE(ttcg::cuda_built());
    EXPECT_EQ(ttcg::resolve_backend(ttcg::BackendRequest::automatic), ttcg::Backend::cuda);
    EXPECT_EQ(ttcg::resolve_backend(ttcg::BackendRequest::cuda), ttcg::Backend::cuda);
  } else {
    EXPECT_EQ(ttcg::resolve_backend(ttcg::BackendRequest::automatic), ttcg::Backend::cpu);
    EXPECT_THROW(ttcg::resolve_backend(ttcg::BackendRequest::cuda), ttcg::InputError);
  }
}

TEST(BackendSelectionParity, CudaEntryPointsWithoutDeviceAreInputErrors) {
  if (ttcg::cuda_device_available()) GTEST_SKIP() << "a CUDA device is present: " << ttcg::cuda_device_description();
  std::mt19937_64 rng(SEED + 4);
  const ttcg::MarketTable table = random_market(rng, 3, 3);
  const ttcg::Game game(table, 100.0);
  EXPECT_THROW(ttcg::exhaustive_optimum(game, ttcg::Backend::cuda), ttcg::InputError);
  ttcg::EnumerationOptions exhaustive;
  exhaustive.algorithm = ttcg::EnumerationAlgorithm::exhaustive;
  EXPECT_THROW(ttcg::enumerate_equilibria(game, exhaustive, ttcg::Backend::cuda), ttcg::InputError);
  // The structural search runs on the host whatever the backend.
  EXPECT_EQ(ttcg::enumerate_equilibria(game, {}, ttcg::Backend::cuda).stored,
            ttcg::enumerate_equilibria(game, exhaustive, ttcg::Backend::cpu).stored);
}
