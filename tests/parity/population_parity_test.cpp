// CPU (OpenMP) vs CUDA parity of the Monte Carlo building blocks: Philox4x32-10 known answers and Random123 on the
// device, the portable elementary functions and the normal quantile bit for bit, the users of a population drawn bit
// for bit, the per-user outcome records and their tallies bit for bit, and the sums over users (demand, utilities)
// within POPULATION_BACKEND_TOLERANCE; the dynamics reach the same profile. Every comparison skips without a device
// (and in a build without CUDA).
#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/ensemble/cuda_ensemble.hpp"
#include "ttcgames/inference/cuda_curves.hpp"
#include "ttcgames/market/cuda_market.hpp"
#include "ttcgames/population/cuda_population.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg {
namespace {

#define TTCG_SKIP_WITHOUT_DEVICE() \
  if (!cuda_device_available()) GTEST_SKIP() << cuda_device_description()

constexpr std::uint64_t SEED = 77;
const std::string PAPER = std::string(TTCG_INPUTS_DIR) + "/paper";

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

//! Relative agreement of two sums over users computed in different orders.
bool agree(double cpu, double gpu) {
  return std::fabs(cpu - gpu) <= POPULATION_BACKEND_TOLERANCE * std::max(std::fabs(cpu), std::fabs(gpu)) + 1e-300;
}

Scenario heterogeneous_mix() {
  const std::string text =
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"parity\"\n[market]\nalpha = 0.008\n"
      "[providers]\ncurves = \"" +
      PAPER + "/curves/GSM8K_majority.csv\"\nprices = \"" + PAPER +
      "/prices.csv\"\n[population]\nusers = 30000\nblock_size = 2048\nseed = 77\n"
      "beta = { kind = \"lognormal\", median = 1000.0, sigma = 1.0 }\n"
      "value_scale = { kind = \"uniform\", low = 0.5, high = 1.5 }\n"
      "v0 = { kind = \"empirical\", values = [0.0, 0.001, 0.004], weights = [3, 1, 1] }\n"
      "[[population.benchmarks]]\nname = \"gsm8k\"\nweight = 3.0\ncurves = \"" +
      PAPER +
      "/curves/GSM8K_majority.csv\"\n[[population.benchmarks]]\nname = \"aime\"\n"
      "weight = 1.0\nalpha = 0.05\ncurves = \"" +
      PAPER + "/curves/AIME_majority.csv\"\n";
  return parse_scenario(text, "");
}

TEST(PopulationParity, PhiloxKnownAnswersOnTheDevice) {
  TTCG_SKIP_WITHOUT_DEVICE();
  // Random123 kat_vectors, philox4x32 with 10 rounds, and random counters against Random123 itself.
  std::vector<rng::Philox4x32Ctr> counters{{{0, 0, 0, 0}}, {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}};
  std::mt19937_64 gen(SEED);
  for (int j = 0; j < 4096; ++j)
    counters.push_back({{static_cast<std::uint32_t>(gen()), static_cast<std::uint32_t>(gen()),
                         static_cast<std::uint32_t>(gen()), static_cast<std::uint32_t>(gen())}});
  const rng::Philox4x32Key zero{{0, 0}};
  std::vector<rng::Philox4x32Ctr> out(counters.size());
  cuda::philox_draws(zero, counters.data(), 1, out.data());
  EXPECT_EQ(out[0].v[0], 0x6627e8d5u);
  EXPECT_EQ(out[0].v[3], 0x9b00dbd8u);
  const rng::Philox4x32Key key = rng::make_key(SEED, population::USERS_STREAM);
  cuda::philox_draws(key, counters.data(), static_cast<std::int64_t>(counters.size()), out.data());
  r123::Philox4x32 reference;
  for (std::size_t j = 0; j < counters.size(); ++j) {
    const auto expected =
        reference({{counters[j].v[0], counters[j].v[1], counters[j].v[2], counters[j].v[3]}}, {{key.v[0], key.v[1]}});
    for (int w = 0; w < 4; ++w) ASSERT_EQ(out[j].v[w], expected[w]) << "counter " << j;
  }
}

TEST(PopulationParity, PortableMathIsBitwiseIdentical) {
  TTCG_SKIP_WITHOUT_DEVICE();
  std::mt19937_64 gen(SEED);
  std::uniform_real_distribution<double> wide(-745.0, 709.0), unit(0.0, 1.0);
  std::vector<double> x;
  for (int j = 0; j < 20000; ++j) x.push_back(wide(gen));
  for (int j = 0; j < 20000; ++j) x.push_back(unit(gen));
  for (const double v : std::initializer_list<double>{0.0, -0.0, 1.0, 1e-310, 1e300, -1.0, INFINITY, -INFINITY, NAN})
    x.push_back(v);
  std::vector<double> e(x.size()), l(x.size()), z(x.size());
  cuda::portable_math(x.data(), static_cast<std::int64_t>(x.size()), e.data(), l.data(), z.data());
  for (std::size_t j = 0; j < x.size(); ++j) {
    ASSERT_TRUE(same_bits(e[j], portable::exp(x[j]))) << "exp(" << x[j] << ")";
    ASSERT_TRUE(same_bits(l[j], portable::log(x[j]))) << "log(" << x[j] << ")";
    ASSERT_TRUE(same_bits(z[j], dist::standard_normal_quantile(x[j])) || (std::isnan(z[j]) && std::isnan(x[j])))
        << "quantile(" << x[j] << ")";
  }
}

class PopulationBackends : public testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_device_available()) GTEST_SKIP() << cuda_device_description();
    scenario_ = heterogeneous_mix();
    tables_ = build_query_tables(*scenario_.population, scenario_.providers, scenario_.market);
    cpu_ = std::make_unique<PopulationEngine>(tables_, *scenario_.population, 1, Backend::cpu);
    gpu_ = std::make_unique<PopulationEngine>(tables_, *scenario_.population, 1, Backend::cuda);
  }
  Scenario scenario_;
  QueryTables tables_;
  std::unique_ptr<PopulationEngine> cpu_, gpu_;
};

TEST_F(PopulationBackends, UsersAreDrawnBitwiseIdentically) {
  const Population &a = cpu_->population(), &b = gpu_->population();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.alpha.data(), b.alpha.data(), a.alpha.size() * sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(a.beta.data(), b.beta.data(), a.beta.size() * sizeof(double)), 0);
  EXPECT_EQ(std::memcmp(a.v0.data(), b.v0.data(), a.v0.size() * sizeof(double)), 0);
  EXPECT_EQ(a.question, b.question);
}

TEST_F(PopulationBackends, DemandAndUtilitiesAgreeWithinTheTolerance) {
  for (const Profile& profile : {Profile(9, 0), Profile{5, 4, 3, 2, 1, 0, 1, 2, 3}, Profile(9, 5)}) {
    const Demand a = cpu_->demand(profile), b = gpu_->demand(profile);
    EXPECT_TRUE(agree(a.welfare, b.welfare)) << a.welfare << " vs " << b.welfare;
    EXPECT_TRUE(agree(a.outside_share, b.outside_share));
    for (int i = 0; i < 9; ++i) {
      EXPECT_TRUE(agree(a.shares[i], b.shares[i])) << "share " << i;
      EXPECT_TRUE(agree(a.profit[i], b.profit[i])) << "profit " << i;
    }
    std::vector<double> la(tables_.K), lb(tables_.K);
    for (int i : {0, 4, 8}) {
      cpu_->log_utilities(profile, i, la);
      gpu_->log_utilities(profile, i, lb);
      for (int k = 0; k < tables_.K; ++k)
        EXPECT_NEAR(la[k], lb[k], POPULATION_BACKEND_TOLERANCE * std::fabs(la[k]) + 1e-13) << "provider " << i;
    }
  }
}

TEST_F(PopulationBackends, OutcomeRecordsAndTalliesAreBitwiseIdentical) {
  const Profile profile{5, 4, 5, 5, 5, 5, 4, 5, 4};
  const BlockRange all{0, cpu_->users()};
  const UserOutcomes a = cpu_->user_outcome_records(profile, Reserve::outside_option, all);
  const UserOutcomes b = gpu_->user_outcome_records(profile, Reserve::outside_option, all);
  for (std::size_t u = 0; u < a.market.size(); ++u) {
    for (const auto& [x, y] : {std::pair{a.market[u], b.market[u]}, std::pair{a.auction[u], b.auction[u]}}) {
      ASSERT_EQ(x.provider, y.provider) << "user " << u;
      ASSERT_EQ(x.level, y.level) << "user " << u;
      ASSERT_EQ(x.correct, y.correct) << "user " << u;
      ASSERT_TRUE(same_bits(x.payment, y.payment) && same_bits(x.welfare, y.welfare) &&
                  same_bits(x.user_surplus, y.user_surplus) && same_bits(x.expected_welfare, y.expected_welfare))
          << "user " << u;
    }
    ASSERT_TRUE(same_bits(a.first_best[u], b.first_best[u])) << "user " << u;
  }
  const HistogramRanges ranges = histogram_ranges(tables_, *scenario_.population);
  const OutcomeTallies ta = cpu_->outcomes(profile, Reserve::outside_option, ranges);
  const OutcomeTallies tb = gpu_->outcomes(profile, Reserve::outside_option, ranges);
  EXPECT_TRUE(same_bits(ta.market.welfare.sum, tb.market.welfare.sum));
  EXPECT_TRUE(same_bits(ta.auction.user_surplus.sum_sq, tb.auction.user_surplus.sum_sq));
  EXPECT_EQ(ta.market.choices, tb.market.choices);
  EXPECT_EQ(ta.auction.welfare_hist.counts, tb.auction.welfare_hist.counts);
}

TEST_F(PopulationBackends, DynamicsReachTheSameProfile) {
  PopulationOracle a(*cpu_), b(*gpu_);
  const DynamicsResult da = run_oracle_dynamics(a, scenario_.dynamics, PotentialFunction{});
  const DynamicsResult db = run_oracle_dynamics(b, scenario_.dynamics, PotentialFunction{});
  EXPECT_EQ(da.profile, db.profile);
  EXPECT_EQ(da.turns, db.turns);
}

}  // namespace
}  // namespace ttcg
