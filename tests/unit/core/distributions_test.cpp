// Samplers and distributions (distributions.hpp): the normal quantile against published values, and statistical
// tests of every sampler (estimates within K_SIGMA standard errors of the closed forms; the seed is printed on
// failure), the alias table's exact probabilities, and the host-side descriptions (mean, variance, quantiles).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "ttcgames/core/distributions.hpp"

namespace {

using namespace ttcg;

//! Standard errors an estimate may lie from its closed form (a false alarm once in ~1.7 million per check).
constexpr double K_SIGMA = 5.0;
constexpr std::uint64_t SEED = 977;
constexpr int DRAWS = 200000;

rng::Philox4x32Ctr words(std::uint64_t stream, std::uint32_t j) {
  return rng::draw(rng::make_key(SEED, stream), 0, 0, j, 0);
}

struct Moments {
  double mean = 0.0, var = 0.0;
};
template <class F>
Moments moments(F draw) {
  double s = 0.0, s2 = 0.0;
  for (int j = 0; j < DRAWS; ++j) {
    const double x = draw(static_cast<std::uint32_t>(j));
    s += x;
    s2 += x * x;
  }
  Moments m;
  m.mean = s / DRAWS;
  m.var = (s2 - DRAWS * m.mean * m.mean) / (DRAWS - 1);
  return m;
}

TEST(Distributions, NormalQuantileMatchesPublishedValues) {
  // Φ^{-1}(p) computed to 30 digits with mpmath (ncdf root), rounded to 16.
  EXPECT_NEAR(dist::standard_normal_quantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(dist::standard_normal_quantile(0.5), 0.0, 0.0);
  EXPECT_NEAR(dist::standard_normal_quantile(0.25), -0.6744897501960817, 1e-15);
  EXPECT_NEAR(dist::standard_normal_quantile(1e-10), -6.361340902404056, 1e-13);
  EXPECT_NEAR(dist::standard_normal_quantile(1e-300), -37.0470962993612, 1e-12);
  EXPECT_NEAR(dist::standard_normal_quantile(0.9), 1.2815515655446004, 1e-15);
  EXPECT_EQ(dist::standard_normal_quantile(0.0), -INFINITY);
  EXPECT_EQ(dist::standard_normal_quantile(1.0), INFINITY);
  EXPECT_TRUE(std::isnan(dist::standard_normal_quantile(1.5)));
  for (const double p : {0.01, 0.2, 0.6, 0.999})
    EXPECT_NEAR(dist::standard_normal_quantile(p), -dist::standard_normal_quantile(1.0 - p), 1e-15);
}

TEST(Distributions, OpenUnitDoublesAreNeverZeroOrOne) {
  EXPECT_EQ(rng::to_open_unit_double(0, 0), 0x1p-53);
  EXPECT_EQ(rng::to_open_unit_double(0xffffffffu, 0xffffffffu), 1.0 - 0x1p-53);
  EXPECT_GT(std::log(rng::to_open_unit_double(0, 0)), -37.0);
}

TEST(Distributions, StandardNormalMoments) {
  const Moments m = moments([](std::uint32_t j) {
    const auto w = words(1, j);
    return dist::standard_normal(w.v[0], w.v[1]);
  });
  EXPECT_NEAR(m.mean, 0.0, K_SIGMA / std::sqrt(DRAWS)) << "seed " << SEED;
  EXPECT_NEAR(m.var, 1.0, K_SIGMA * std::sqrt(2.0 / DRAWS)) << "seed " << SEED;
}

TEST(Distributions, LognormalMomentsAndMedian) {
  const double mu = std::log(1000.0), sigma = 0.5;
  std::vector<double> x;
  const Moments m = moments([&](std::uint32_t j) {
    const auto w = words(2, j);
    x.push_back(dist::lognormal(w.v[0], w.v[1], mu, sigma));
    return x.back();
  });
  dist::Distribution d;
  d.kind = dist::DistributionKind::lognormal;
  d.mu = mu;
  d.sigma = sigma;
  EXPECT_NEAR(m.mean, d.mean(), K_SIGMA * std::sqrt(d.variance() / DRAWS)) << "seed " << SEED;
  // The median: the fraction below e^mu is 1/2 within K_SIGMA binomial standard errors.
  const double below = static_cast<double>(std::count_if(x.begin(), x.end(), [](double v) { return v < 1000.0; }));
  EXPECT_NEAR(below / DRAWS, 0.5, K_SIGMA * 0.5 / std::sqrt(DRAWS)) << "seed " << SEED;
  EXPECT_NEAR(d.quantile(0.5), 1000.0, 1e-9);
}

TEST(Distributions, UniformMoments) {
  const Moments m = moments([](std::uint32_t j) {
    const auto w = words(3, j);
    return dist::uniform(w.v[0], w.v[1], -2.0, 6.0);
  });
  EXPECT_NEAR(m.mean, 2.0, K_SIGMA * std::sqrt(64.0 / 12.0 / DRAWS)) << "seed " << SEED;
  EXPECT_NEAR(m.var, 64.0 / 12.0, K_SIGMA * 64.0 / 12.0 * std::sqrt(0.8 / DRAWS)) << "seed " << SEED;
}

// Log-uniform on [a, b): log X uniform on [log a, log b), so E[X] = (b − a)/log(b/a),
// E[X²] = (b² − a²)/(2 log(b/a)); the host-side description gives the same moments and quantiles.
TEST(Distributions, LogUniformMomentsAndQuantiles) {
  constexpr double LOW = 50.0, HIGH = 2e5;
  const dist::Distribution d = dist::Distribution::range(LOW, HIGH, true);
  const dist::PreparedDistribution prepared(d);
  const Moments m = moments([&](std::uint32_t j) { return dist::sample(prepared.view(), words(8, j)); });
  const double log_ratio = std::log(HIGH / LOW);
  const double mean = (HIGH - LOW) / log_ratio;
  const double var = (HIGH * HIGH - LOW * LOW) / (2.0 * log_ratio) - mean * mean;
  EXPECT_NEAR(d.mean(), mean, 1e-12 * mean);
  EXPECT_NEAR(d.variance(), var, 1e-12 * var);
  EXPECT_NEAR(m.mean, mean, K_SIGMA * std::sqrt(var / DRAWS)) << "seed " << SEED;
  // The median is the geometric mean; the draws below it are half of all.
  EXPECT_NEAR(d.quantile(0.5), std::sqrt(LOW * HIGH), 1e-9 * std::sqrt(LOW * HIGH));
  int below = 0;
  for (int j = 0; j < DRAWS; ++j) {
    const double x = dist::sample(prepared.view(), words(8, static_cast<std::uint32_t>(j)));
    ASSERT_GE(x, LOW);
    ASSERT_LT(x, HIGH * (1.0 + 1e-15));
    below += x < std::sqrt(LOW * HIGH);
  }
  EXPECT_NEAR(static_cast<double>(below) / DRAWS, 0.5, K_SIGMA * 0.5 / std::sqrt(DRAWS)) << "seed " << SEED;
  EXPECT_EQ(d.lower_bound(0.0), LOW);
  EXPECT_EQ(d.upper_bound(0.0), HIGH);
  EXPECT_EQ(d.describe(), "log-uniform [50, 200000)");
}

// The sampler is exp(log a + (log b − log a)·u) with the portable functions and u = to_unit_double of the first two
// words: the formula the ensemble's per-market ranges have always drawn with, so their markets are unchanged.
TEST(Distributions, LogUniformIsTheFormulaOfOneUniform) {
  for (std::uint32_t j = 0; j < 1000; ++j) {
    const auto w = words(9, j);
    const double u = rng::to_unit_double(w.v[0], w.v[1]);
    const double a = portable::log(0.3);
    const double expected = portable::exp(a + (portable::log(7.0) - a) * u);
    EXPECT_EQ(dist::log_uniform(w.v[0], w.v[1], 0.3, 7.0), expected);
  }
}

TEST(Distributions, ConstantDistributions) {
  EXPECT_TRUE(dist::Distribution::fixed_value(2.0).constant());
  EXPECT_TRUE(dist::Distribution::range(2.0, 2.0, true).constant());
  EXPECT_FALSE(dist::Distribution::range(2.0, 3.0).constant());
  dist::Distribution ln;
  ln.kind = dist::DistributionKind::lognormal;
  EXPECT_TRUE(ln.constant()) << "sigma 0";
  ln.sigma = 0.1;
  EXPECT_FALSE(ln.constant());
}

TEST(Distributions, AliasTableHoldsTheExactProbabilities) {
  const std::vector<double> weights{0.1, 0.0, 3.0, 1.9, 5.0};
  const dist::AliasTable t = dist::build_alias_table(weights);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> p(weights.size(), 0.0);
  for (std::size_t c = 0; c < weights.size(); ++c) {
    p[c] += t.prob[c] / static_cast<double>(weights.size());
    p[t.alias[c]] += (1.0 - t.prob[c]) / static_cast<double>(weights.size());
  }
  for (std::size_t j = 0; j < weights.size(); ++j) EXPECT_NEAR(p[j], weights[j] / total, 1e-15) << "outcome " << j;
  EXPECT_THROW(dist::build_alias_table({}), std::invalid_argument);
  EXPECT_THROW(dist::build_alias_table({0.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(dist::build_alias_table({1.0, -1.0}), std::invalid_argument);
}

TEST(Distributions, AliasSamplingFrequencies) {
  const std::vector<double> weights{1.0, 2.0, 0.0, 7.0};
  const dist::AliasTable t = dist::build_alias_table(weights);
  std::vector<int> counts(weights.size(), 0);
  for (int j = 0; j < DRAWS; ++j) ++counts[dist::sample_alias(t.view(), words(4, static_cast<std::uint32_t>(j)))];
  for (std::size_t j = 0; j < weights.size(); ++j) {
    const double p = weights[j] / 10.0;
    EXPECT_NEAR(counts[j], DRAWS * p, K_SIGMA * std::sqrt(DRAWS * p * (1.0 - p)) + 1e-9)
        << "outcome " << j << ", seed " << SEED;
  }
  EXPECT_EQ(counts[2], 0);
}

TEST(Distributions, EmpiricalDistributionSamplesItsValues) {
  dist::Distribution d;
  d.kind = dist::DistributionKind::empirical;
  d.values = {10.0, 20.0, 40.0};
  d.weights = {1.0, 1.0, 2.0};
  const dist::PreparedDistribution prepared(d);
  const Moments m = moments([&](std::uint32_t j) { return dist::sample(prepared.view(), words(5, j)); });
  EXPECT_NEAR(d.mean(), 27.5, 1e-12);
  EXPECT_NEAR(m.mean, d.mean(), K_SIGMA * std::sqrt(d.variance() / DRAWS)) << "seed " << SEED;
  EXPECT_EQ(d.quantile(0.0), 10.0);
  EXPECT_EQ(d.quantile(0.5), 20.0);
  EXPECT_EQ(d.quantile(0.51), 40.0);
  EXPECT_EQ(d.lower_bound(0.0), 10.0);
  EXPECT_EQ(d.upper_bound(0.0), 40.0);
}

TEST(Distributions, FixedAndDescriptions) {
  const dist::Distribution f = dist::Distribution::fixed_value(3.5);
  const dist::PreparedDistribution p(f);
  EXPECT_EQ(dist::sample(p.view(), words(6, 0)), 3.5);
  EXPECT_EQ(f.mean(), 3.5);
  EXPECT_EQ(f.variance(), 0.0);
  EXPECT_EQ(f.describe(), "fixed 3.5");
  dist::Distribution u;
  u.kind = dist::DistributionKind::uniform;
  u.low = 1.0;
  u.high = 3.0;
  EXPECT_EQ(u.quantile(0.25), 1.5);
  EXPECT_EQ(u.upper_bound(0.0), 3.0);
}

}  // namespace
