// The reverse second-price auction: reference semantics, ties, reserve, few bidders, and, on random markets,
// dominant-strategy truthfulness and individual rationality.
#include <gtest/gtest.h>

#include <random>

#include "random_market.hpp"
#include "ttcgames/market/auction.hpp"

namespace {

using ttcg::Bid;
using ttcg::Reserve;

//! Utilities are differences of USD amounts ~1e-2: rounding stays far below this.
constexpr double UTILITY_TOLERANCE_USD = 1e-15;

TEST(Auction, HighestScoreWinsAndPaysTheSecondScore) {
  const std::vector<Bid> bids = {{0.010, 0.002}, {0.012, 0.001}, {0.009, 0.0005}};  // scores .008 .011 .0085
  const ttcg::Clearing c = ttcg::clear_auction(bids, Reserve::none, 0.0);
  EXPECT_EQ(c.winner, 1);
  EXPECT_EQ(c.runner_up, 2);
  EXPECT_DOUBLE_EQ(c.winning_score, 0.011);
  EXPECT_DOUBLE_EQ(c.second_score, 0.0085);
}

TEST(Auction, TiesGoToTheEarlierProvider) {
  const std::vector<Bid> bids = {{0.005, 0.001}, {0.006, 0.002}, {0.004, 0.0}};  // all score 0.004
  const ttcg::Clearing c = ttcg::clear_auction(bids, Reserve::none, 0.0);
  EXPECT_EQ(c.winner, 0);
  EXPECT_EQ(c.runner_up, 1);
  EXPECT_EQ(c.winning_score, c.second_score);
}

TEST(Auction, OutsideOptionActsAsAPhantomBidder) {
  const std::vector<Bid> bids = {{0.010, 0.002}, {0.006, 0.003}};  // scores .008 .003
  const ttcg::Clearing none = ttcg::clear_auction(bids, Reserve::none, 0.005);
  EXPECT_EQ(none.winner, 0);
  EXPECT_EQ(none.runner_up, 1);
  EXPECT_DOUBLE_EQ(none.second_score, 0.003);  // the reference ignores v0
  const ttcg::Clearing reserve = ttcg::clear_auction(bids, Reserve::outside_option, 0.005);
  EXPECT_EQ(reserve.winner, 0);
  EXPECT_EQ(reserve.runner_up, -1);
  EXPECT_DOUBLE_EQ(reserve.second_score, 0.005);  // price q_w − max(S_(2), v0)
  const ttcg::Clearing no_trade = ttcg::clear_auction(bids, Reserve::outside_option, 0.009);
  EXPECT_EQ(no_trade.winner, -1);
}

TEST(Auction, ZeroAndOneBidderHaveDefinedOutcomes) {
  const ttcg::Clearing empty = ttcg::clear_auction({}, Reserve::none, 0.001);
  EXPECT_EQ(empty.winner, -1);
  const ttcg::Clearing lone = ttcg::clear_auction({{0.01, 0.002}}, Reserve::none, 0.001);
  EXPECT_EQ(lone.winner, 0);
  EXPECT_EQ(lone.runner_up, -1);
  EXPECT_DOUBLE_EQ(lone.second_score, 0.001);  // paid as if the outside option were the runner-up

  ttcg::ProviderSet set{{1.0, 2.0}, {{"A", {0.5, 0.9}, {100.0, 400.0}, 0.1}}};
  ttcg::MarketParams m;
  m.alpha = 0.01;
  m.v0 = 0.002;
  const ttcg::AuctionOutcome a = ttcg::run_auction(ttcg::build_market_table(set, m), Reserve::none);
  ASSERT_TRUE(a.trade);
  EXPECT_DOUBLE_EQ(a.user_value, 0.002);
  EXPECT_NEAR(a.winner_utility, a.welfare - 0.002, UTILITY_TOLERANCE_USD);
}

TEST(Auction, NoTradeGivesTheOutsideOption) {
  ttcg::ProviderSet set{{1.0}, {{"A", {0.5}, {100.0}, 0.1}, {"B", {0.4}, {100.0}, 0.1}}};
  ttcg::MarketParams m;
  m.alpha = 0.01;
  m.v0 = 1.0;  // far above any score
  const ttcg::AuctionOutcome a = ttcg::run_auction(ttcg::build_market_table(set, m), Reserve::outside_option);
  EXPECT_FALSE(a.trade);
  EXPECT_EQ(a.welfare, 1.0);
  EXPECT_EQ(a.user_value, 1.0);
  EXPECT_EQ(a.price, 0.0);
}

TEST(Auction, TruthfulBidsAreTheMaxSurplusLevels) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const ttcg::MarketTable t = ttcg::testing_support::random_market(seed);
    const ttcg::AuctionOutcome a = ttcg::run_auction(t, Reserve::none);
    for (int i = 0; i < t.n; ++i)
      for (int k = 0; k < t.K; ++k) ASSERT_LE(t.W[t.at(i, k)], a.score[i]) << "seed " << seed;
    EXPECT_NEAR(a.welfare, a.user_value + a.winner_utility, UTILITY_TOLERANCE_USD) << "seed " << seed;
  }
}

TEST(Auction, TruthfulBiddingIsDominantAndIndividuallyRational) {
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    const ttcg::MarketTable t = ttcg::testing_support::random_market(seed);
    for (const Reserve reserve : {Reserve::none, Reserve::outside_option}) {
      // Everyone else bids arbitrary (not necessarily truthful) amounts: dominance must hold against any bids.
      std::vector<Bid> others(t.n);
      for (int j = 0; j < t.n; ++j) others[j] = {0.06 * u(rng), 0.01 * u(rng)};
      for (int i = 0; i < t.n; ++i) {
        int truthful_level = 0;
        for (int k = 1; k < t.K; ++k)
          if (t.W[t.at(i, k)] > t.W[t.at(i, truthful_level)]) truthful_level = k;
        const std::size_t at = t.at(i, truthful_level);
        const Bid truthful{t.q[at], t.c[at]};
        const double honest = ttcg::provider_auction_utility(t, i, truthful, truthful_level, others, reserve);
        ASSERT_GE(honest, -UTILITY_TOLERANCE_USD) << "individual rationality, seed " << seed;
        for (int trial = 0; trial < 20; ++trial) {
          const int served = static_cast<int>(rng() % t.K);
          const Bid lie{t.q[t.at(i, served)] * (0.5 + u(rng)), t.c[t.at(i, served)] * (2.0 * u(rng))};
          const double deviant = ttcg::provider_auction_utility(t, i, lie, served, others, reserve);
          ASSERT_LE(deviant, honest + UTILITY_TOLERANCE_USD)
              << "seed " << seed << " provider " << i << " misreport raised utility";
        }
      }
    }
  }
}

}  // namespace
