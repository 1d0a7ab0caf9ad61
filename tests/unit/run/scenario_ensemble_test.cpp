// The [ensemble] section of scenario files (src/run/scenario.cpp, docs/scenario.md): defaults, every key form, the
// resolved-TOML round trip, and one test per kind of bad input, each checking that the InputError names the key,
// the file (with the line where the reader knows it) and what would be valid.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/ensemble_stage.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

using ttcg::InputError;
using ttcg::Scenario;

//! Three inline providers on two levels and an ensemble of two-provider markets; tests edit it with `replace`.
const std::string ENSEMBLE_SCENARIO = R"(format = "ttcgames-scenario"
version = 1
name = "pool"

[market]
alpha = 0.01

[providers]
theta = [1, 4]

[[providers.inline]]
name = "A"
usd_per_million_tokens = 0.1
accuracy = [0.5, 0.7]
tokens = [100, 400]

[[providers.inline]]
name = "B"
usd_per_million_tokens = 0.2
accuracy = [0.4, 0.8]
tokens = [150, 600]

[[providers.inline]]
name = "C"
usd_per_million_tokens = 0.15
accuracy = [0.45, 0.75]
tokens = [120, 500]

[ensemble]
markets = 100
beta = 500.0
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the scenario text";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

//! The scenario with extra lines appended to its [ensemble] table.
std::string with_ensemble(const std::string& lines) {
  return ENSEMBLE_SCENARIO + lines;
}

std::string parse_error(const std::string& text) {
  try {
    ttcg::parse_scenario(text, "bad.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

void expect_contains(const std::string& message, std::initializer_list<std::string> parts) {
  for (const std::string& p : parts)
    EXPECT_NE(message.find(p), std::string::npos) << "missing '" << p << "' in: " << message;
}

TEST(ScenarioEnsemble, DefaultsAndNoMarketWithoutBeta) {
  const Scenario s = ttcg::parse_scenario(ENSEMBLE_SCENARIO, "pool.toml");
  ASSERT_TRUE(s.ensemble);
  EXPECT_FALSE(s.has_market());
  const ttcg::EnsembleSpec& e = *s.ensemble;
  EXPECT_EQ(e.markets, 100);
  EXPECT_EQ(e.seed, 0u);
  EXPECT_EQ(e.min_providers, 0);  // 0: the whole pool, resolved by the problem
  EXPECT_EQ(e.beta.kind, ttcg::dist::DistributionKind::fixed);
  EXPECT_EQ(e.beta.value, 500.0);
  EXPECT_FALSE(e.markup);
  EXPECT_EQ(e.order, ttcg::ProviderOrder::random);
  EXPECT_TRUE(e.enumerate);
  EXPECT_EQ(e.block_size, ttcg::ENSEMBLE_DEFAULT_BLOCK_SIZE);
  const auto problem = ttcg::make_ensemble_problem(s);
  EXPECT_EQ(problem->spec().name, "pool");
  EXPECT_EQ(problem->spec().min_providers, 3);
  EXPECT_EQ(problem->spec().markup->value, 0.25) << "the [market] markup";
}

const std::string EVERY_KEY = R"(name = "custom"
seed = 9
pool = ["C", "A"]
providers = { min = 1, max = 2 }
price_jitter = { kind = "uniform", low = 0.9, high = 1.2 }
markup = { low = 0.1, high = 0.4 }
alpha = { low = 0.005, high = 0.02, spacing = "log" }
v0 = -0.001
order = "fixed"
enumerate = false
enumeration_max_profiles = 77
block_size = 33
store_markets = false
histogram = { max = 50.0, bins = 25 }
thresholds = [2.0, 20.0]
quantiles = [0.1, 0.9]
)";

TEST(ScenarioEnsemble, EveryKeyAndTheResolvedRoundTrip) {
  const std::string text =
      replace(with_ensemble(EVERY_KEY), "beta = 500.0", "beta = { low = 10, high = 1e4, spacing = \"log\" }");
  const Scenario s = ttcg::parse_scenario(text, "pool.toml");
  const ttcg::EnsembleSpec& e = *s.ensemble;
  EXPECT_EQ(e.name, "custom");
  EXPECT_EQ(e.seed, 9u);
  EXPECT_EQ(e.pool, (std::vector<std::string>{"C", "A"}));
  EXPECT_EQ(e.min_providers, 1);
  EXPECT_EQ(e.max_providers, 2);
  EXPECT_EQ(e.price_jitter.kind, ttcg::dist::DistributionKind::uniform);
  EXPECT_EQ(e.price_jitter.high, 1.2);
  EXPECT_EQ(e.beta.kind, ttcg::dist::DistributionKind::log_uniform);
  EXPECT_EQ(e.markup->kind, ttcg::dist::DistributionKind::uniform);
  EXPECT_EQ(e.alpha->high, 0.02);
  EXPECT_EQ(e.v0->kind, ttcg::dist::DistributionKind::fixed);
  EXPECT_EQ(e.order, ttcg::ProviderOrder::fixed);
  EXPECT_FALSE(e.enumerate);
  EXPECT_EQ(e.enumeration_max_profiles, 77);
  EXPECT_EQ(e.block_size, 33);
  EXPECT_FALSE(e.store_markets);
  EXPECT_EQ(e.inefficiency_histogram_bins, 25);
  EXPECT_EQ(e.thresholds, (std::vector<double>{2.0, 20.0}));
  EXPECT_EQ(e.quantiles, (std::vector<double>{0.1, 0.9}));

  const std::string resolved = s.resolved_toml();
  const Scenario r = ttcg::parse_scenario(resolved, "resolved.toml");
  ASSERT_TRUE(r.ensemble);
  EXPECT_EQ(r.ensemble->pool, e.pool);
  EXPECT_EQ(r.ensemble->beta.high, e.beta.high);
  EXPECT_EQ(r.ensemble->price_jitter.low, e.price_jitter.low);
  EXPECT_EQ(r.resolved_toml(), resolved) << "resolving is idempotent";
  EXPECT_FALSE(r.has_market());
}

TEST(ScenarioEnsemble, LognormalJitterAndMarketAlongside) {
  const std::string text = replace(with_ensemble("price_jitter = { kind = \"lognormal\", sigma = 0.25 }\n"),
                                   "[ensemble]", "[beta]\nvalues = [100.0]\n\n[ensemble]");
  const Scenario s = ttcg::parse_scenario(text, "pool.toml");
  EXPECT_TRUE(s.has_market());
  EXPECT_EQ(s.ensemble->price_jitter.kind, ttcg::dist::DistributionKind::lognormal);
  EXPECT_EQ(s.ensemble->price_jitter.sigma, 0.25);
}

// ---- bad input, one test each

TEST(ScenarioEnsembleErrors, NeitherBetaNorEnsemble) {
  const std::string text = replace(ENSEMBLE_SCENARIO, "[ensemble]\nmarkets = 100\nbeta = 500.0\n", "");
  expect_contains(parse_error(text), {"bad.toml", "missing key 'beta'", "[ensemble]"});
}

TEST(ScenarioEnsembleErrors, MissingMarkets) {
  expect_contains(parse_error(replace(ENSEMBLE_SCENARIO, "markets = 100\n", "")),
                  {"bad.toml:", "missing key 'ensemble.markets'"});
}

TEST(ScenarioEnsembleErrors, MarketsNotPositive) {
  expect_contains(parse_error(replace(ENSEMBLE_SCENARIO, "markets = 100", "markets = 0")),
                  {"bad.toml:", "'ensemble.markets'", "must lie in 1.."});
}

TEST(ScenarioEnsembleErrors, UnknownKeyNamesTheClosest) {
  expect_contains(parse_error(with_ensemble("block_sise = 10\n")),
                  {"bad.toml:", "unknown key 'ensemble.block_sise'", "did you mean 'ensemble.block_size'"});
}

TEST(ScenarioEnsembleErrors, PoolNamesAnUnknownProvider) {
  expect_contains(parse_error(with_ensemble("pool = [\"A\", \"D\"]\n")),
                  {"bad.toml", "'ensemble.pool'", "'D'", "not a provider"});
}

TEST(ScenarioEnsembleErrors, PoolListsAProviderTwice) {
  expect_contains(parse_error(with_ensemble("pool = [\"A\", \"A\"]\n")), {"bad.toml", "'ensemble.pool'", "twice"});
}

TEST(ScenarioEnsembleErrors, ProvidersMinAboveMax) {
  expect_contains(parse_error(with_ensemble("providers = { min = 3, max = 2 }\n")),
                  {"bad.toml:", "'ensemble.providers'", "1 <= min <= max"});
}

TEST(ScenarioEnsembleErrors, ProvidersAboveThePoolSize) {
  expect_contains(parse_error(with_ensemble("providers = 4\n")),
                  {"bad.toml", "'ensemble.providers'", "<= 3 (the pool size)"});
}

TEST(ScenarioEnsembleErrors, UnknownJitterKind) {
  expect_contains(parse_error(with_ensemble("price_jitter = { kind = \"normal\" }\n")),
                  {"bad.toml:", "'ensemble.price_jitter.kind'", "\"lognormal\""});
}

TEST(ScenarioEnsembleErrors, NegativeLognormalSigma) {
  expect_contains(parse_error(with_ensemble("price_jitter = { kind = \"lognormal\", sigma = -0.1 }\n")),
                  {"bad.toml:", "'ensemble.price_jitter.sigma'", "[0, 10]"});
}

TEST(ScenarioEnsembleErrors, UniformJitterWithoutPositiveLow) {
  expect_contains(parse_error(with_ensemble("price_jitter = { kind = \"uniform\", low = 0.0, high = 1.0 }\n")),
                  {"bad.toml:", "'ensemble.price_jitter.low'", "> 0"});
}

TEST(ScenarioEnsembleErrors, MissingBeta) {
  expect_contains(parse_error(replace(ENSEMBLE_SCENARIO, "beta = 500.0\n", "")),
                  {"bad.toml:", "missing key 'ensemble.beta'"});
}

TEST(ScenarioEnsembleErrors, NegativeBeta) {
  expect_contains(parse_error(replace(ENSEMBLE_SCENARIO, "beta = 500.0", "beta = -1.0")),
                  {"bad.toml:", "'ensemble.beta'", ">= 0"});
}

TEST(ScenarioEnsembleErrors, LogSpacingNeedsPositiveLow) {
  expect_contains(
      parse_error(replace(ENSEMBLE_SCENARIO, "beta = 500.0", "beta = { low = 0, high = 10, spacing = \"log\" }")),
      {"bad.toml:", "'ensemble.beta.low'", "> 0 with spacing = \"log\""});
}

TEST(ScenarioEnsembleErrors, RangeHighBelowLow) {
  expect_contains(parse_error(with_ensemble("alpha = { low = 0.02, high = 0.01 }\n")),
                  {"bad.toml:", "'ensemble.alpha.high'", ">= low"});
}

TEST(ScenarioEnsembleErrors, RangeWithAnUnknownKey) {
  expect_contains(parse_error(with_ensemble("markup = { low = 0.1, hi = 0.2 }\n")),
                  {"bad.toml:", "unknown key 'ensemble.markup.hi'", "did you mean 'ensemble.markup.high'"});
}

TEST(ScenarioEnsembleErrors, MarkupNotAboveMinusOne) {
  expect_contains(parse_error(with_ensemble("markup = { low = -1.0, high = 0.5 }\n")),
                  {"bad.toml:", "'ensemble.markup'", "> -1"});
}

TEST(ScenarioEnsembleErrors, ReferenceOrderIsRefused) {
  expect_contains(parse_error(with_ensemble("order = \"reference\"\n")),
                  {"bad.toml:", "'ensemble.order'", "\"random\", \"fixed\""});
}

TEST(ScenarioEnsembleErrors, EnumerationLimitOutOfRange) {
  expect_contains(parse_error(with_ensemble("enumeration_max_profiles = 0\n")),
                  {"bad.toml:", "'ensemble.enumeration_max_profiles'", "must lie in 1.."});
}

TEST(ScenarioEnsembleErrors, BlockSizeOutOfRange) {
  expect_contains(parse_error(with_ensemble("block_size = 0\n")),
                  {"bad.toml:", "'ensemble.block_size'", "must lie in 1.."});
}

TEST(ScenarioEnsembleErrors, HistogramWithoutBins) {
  expect_contains(parse_error(with_ensemble("histogram = { max = 50.0, bins = 0 }\n")),
                  {"bad.toml:", "'ensemble.histogram.bins'", "1..1000000"});
}

TEST(ScenarioEnsembleErrors, QuantileOutsideTheUnitInterval) {
  expect_contains(parse_error(with_ensemble("quantiles = [0.5, 1.5]\n")),
                  {"bad.toml:", "'ensemble.quantiles'", "[0, 1]"});
}

TEST(ScenarioEnsembleErrors, ThresholdsNotNumbers) {
  expect_contains(parse_error(with_ensemble("thresholds = [\"ten\"]\n")),
                  {"bad.toml:", "'ensemble.thresholds'", "finite numbers"});
}

TEST(ScenarioEnsembleErrors, ExplicitStartProfile) {
  const std::string text = replace(ENSEMBLE_SCENARIO, "[ensemble]", "[dynamics]\nstart = [0, 1, 1]\n\n[ensemble]");
  expect_contains(parse_error(text), {"bad.toml", "'dynamics.start'", "\"lowest\" or \"highest\""});
}

//! A scenario of `n` inline providers on `K` levels with an [ensemble].
std::string pool_scenario(int n, int K) {
  std::string theta, values;
  for (int k = 0; k < K; ++k) {
    theta += (k ? ", " : "") + std::to_string(k + 1);
    values += (k ? ", " : "") + std::to_string(0.3 + 0.02 * k);
  }
  std::string text =
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"big\"\n\n[market]\nalpha = 0.01\n\n"
      "[providers]\ntheta = [" +
      theta + "]\n";
  for (int i = 0; i < n; ++i)
    text += "\n[[providers.inline]]\nname = \"P" + std::to_string(i) +
            "\"\nusd_per_million_tokens = 0.1\naccuracy = [" + values + "]\ntokens = [" + theta + "]\n";
  return text + "\n[ensemble]\nmarkets = 10\nbeta = 100.0\n";
}

TEST(ScenarioEnsembleErrors, TooManyLevels) {
  EXPECT_NO_THROW(ttcg::parse_scenario(pool_scenario(2, ttcg::ENSEMBLE_MAX_LEVELS), "ok.toml"));
  expect_contains(parse_error(pool_scenario(2, ttcg::ENSEMBLE_MAX_LEVELS + 1)),
                  {"bad.toml", "17 levels", "at most 16"});
}

TEST(ScenarioEnsembleErrors, TooManyProvidersPerMarket) {
  EXPECT_NO_THROW(ttcg::parse_scenario(pool_scenario(30, 2) + "providers = 16\n", "ok.toml"));
  expect_contains(parse_error(pool_scenario(30, 2) + "providers = 17\n"),
                  {"bad.toml", "'ensemble.providers'", "at most 16 providers per market"});
}

}  // namespace

namespace {

//! Command-line overrides go through the loader: they replace the file's values before validation.
TEST(ScenarioOverrides, ReplaceTheFileValuesBeforeValidation) {
  ttcg::ScenarioOverrides o;
  o.seed = 7;
  o.ensemble_markets = 40;
  o.ensemble_enumerate = false;
  o.algorithm = "exhaustive";
  o.reserve = "outside-option";
  const Scenario s = ttcg::parse_scenario(with_ensemble("seed = 3\n"), "pool.toml", o);
  EXPECT_EQ(s.dynamics.seed, 7u);
  ASSERT_TRUE(s.ensemble);
  EXPECT_EQ(s.ensemble->seed, 7u);
  EXPECT_EQ(s.ensemble->markets, 40);
  EXPECT_FALSE(s.ensemble->enumerate);
  EXPECT_EQ(s.enumeration.algorithm, ttcg::EnumerationAlgorithm::exhaustive);
  EXPECT_EQ(s.reserve, ttcg::Reserve::outside_option);
  EXPECT_FALSE(s.population) << "no section is added for a population override";
  const Scenario same = ttcg::parse_scenario(s.resolved_toml(), "pool.toml");
  EXPECT_EQ(same.resolved_toml(), s.resolved_toml()) << "the resolved scenario records the overridden values";
}

TEST(ScenarioOverrides, AnOverrideGetsTheChecksAndMessageOfItsKey) {
  ttcg::ScenarioOverrides o;
  o.ensemble_markets = 0;
  std::string from_override;
  try {
    ttcg::parse_scenario(ENSEMBLE_SCENARIO, "pool.toml", o);
  } catch (const InputError& e) {
    from_override = e.what();
  }
  const std::string from_file = parse_error(replace(ENSEMBLE_SCENARIO, "markets = 100", "markets = 0"));
  expect_contains(from_override, {"pool.toml", "'ensemble.markets'"});
  const auto key = [](const std::string& m) { return m.substr(m.find("'ensemble.markets'")); };
  EXPECT_EQ(key(from_override), key(from_file));
}

}  // namespace
