// Closed forms of the per-user steps of population_math.hpp, which the CPU tiles and the per-user functions (the
// CUDA kernels' bodies) share; population_test.cpp checks the tiles against the per-user functions bit for bit.
#include "ttcgames/population/population_math.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace ttcg {
namespace {

//! Relative error allowed for a handful of roundings in sums of a few terms of one sign.
constexpr double ROUNDING = 1e-14;

struct Offer {
  double value_fraction, price, cost;
};
constexpr int N = 4;
constexpr Offer OFFERS[N] = {{0.9, 0.004, 0.002}, {0.7, 0.001, 0.0005}, {0.95, 0.008, 0.006}, {0.5, 0.0, 0.0}};
constexpr double ALPHA = 0.008, BETA = 1000.0, V0 = 0.001;

//! One user's logit choice over OFFERS, step by step as user_choice takes it.
struct Steps {
  double x0 = 0.0, m = 0.0, e0 = 0.0, total = 0.0;
  double x[N] = {}, e[N] = {};
  Steps() {
    x0 = population::outside_attraction(BETA, V0);
    m = x0;
    for (int i = 0; i < N; ++i)
      population::add_attraction(BETA, ALPHA, OFFERS[i].value_fraction, OFFERS[i].price, x[i], m);
    e0 = population::shifted_weight(x0, m);
    total = e0;
    for (int i = 0; i < N; ++i) e[i] = population::add_weight(x[i], m, total);
  }
};

TEST(PopulationMath, DemandTermsAreTheLogitSharesAndAddUpToTheWelfare) {
  const Steps c;
  double denominator = std::exp(c.x0);
  for (int i = 0; i < N; ++i) denominator += std::exp(c.x[i]);
  EXPECT_NEAR(population::shifted_log_sum(c.m, c.total), std::log(denominator), ROUNDING * std::log(denominator));

  double inv = 0.0, outside = 0.0;
  double welfare = population::start_welfare(c.e0, c.total, V0, inv, outside);
  EXPECT_NEAR(outside, std::exp(c.x0) / denominator, ROUNDING);
  double value = 0.0, paid = 0.0, shares = outside, margins = 0.0;
  for (int i = 0; i < N; ++i) {
    const Offer& o = OFFERS[i];
    double share = 0.0, profit = 0.0;
    population::add_demand_terms(c.e[i], inv, ALPHA, o.value_fraction, o.price, o.cost, welfare, value, paid, share,
                                 profit);
    EXPECT_NEAR(share, std::exp(c.x[i]) / denominator, ROUNDING) << "provider " << i;
    EXPECT_NEAR(profit, share * (o.price - o.cost), ROUNDING * o.price) << "provider " << i;
    shares += share;
    margins += profit;
  }
  EXPECT_NEAR(shares, 1.0, ROUNDING);
  // W_i = (α·φ_i − p_i) + (p_i − c_i): the welfare is the outside term plus the value plus the margins.
  EXPECT_NEAR(welfare, outside * V0 + value + margins, ROUNDING * ALPHA);

  // The per-user function (the CUDA demand kernel's body) runs the same steps: the same bits.
  double vf[N], price[N], cost[N], e[N], share[N], profit[N];
  for (int i = 0; i < N; ++i) vf[i] = OFFERS[i].value_fraction, price[i] = OFFERS[i].price, cost[i] = OFFERS[i].cost;
  const population::ProfileView t{N, 1, vf, price, cost};
  const population::UserDemand d = population::user_demand(t, ALPHA, BETA, V0, 0, e, N, share, profit);
  EXPECT_EQ(d.outside, outside);
  EXPECT_EQ(d.welfare, welfare);
  EXPECT_EQ(d.value, value);
  EXPECT_EQ(d.price, paid);
}

TEST(PopulationMath, DeviationStepsAgreeWithTheWholeChoice) {
  const Steps c;
  for (int i = 0; i < N; ++i) {
    // The others' side: their aggregate, and their weights and welfare shifted by their own maximum.
    double m = c.x0;
    for (int j = 0; j < N; ++j)
      if (j != i) population::raise_max(m, c.x[j]);
    double total = population::shifted_weight(c.x0, m), num = total * V0;
    for (int j = 0; j < N; ++j)
      if (j != i)
        population::add_weighted_surplus(c.x[j], m, ALPHA, OFFERS[j].value_fraction, OFFERS[j].cost, total, num);
    const double log_a_minus_i = population::shifted_log_sum(m, total);

    // log u_i from the others' aggregate equals log u_i from the share in the whole choice.
    const double log_margin = std::log(OFFERS[i].price - OFFERS[i].cost);
    const double whole = population::shifted_log_sum(c.m, c.total);
    if (OFFERS[i].price > OFFERS[i].cost) {
      EXPECT_NEAR(population::log_profit(log_margin, c.x[i], log_a_minus_i),
                  population::log_profit_in(log_margin, c.x[i], whole), ROUNDING * std::fabs(log_margin))
          << "provider " << i;
    }

    // Provider i joining the others gives the whole choice's welfare.
    double inv = 0.0, outside = 0.0;
    double welfare = population::start_welfare(c.e0, c.total, V0, inv, outside);
    for (int j = 0; j < N; ++j)
      population::add_welfare_term(c.e[j], inv, ALPHA, OFFERS[j].value_fraction, OFFERS[j].cost, welfare);
    const double w_i = population::surplus(ALPHA, OFFERS[i].value_fraction, OFFERS[i].cost);
    EXPECT_NEAR(population::join_level_welfare(num, total, m, c.x[i], w_i), welfare, ROUNDING * ALPHA)
        << "provider " << i;
  }
}

}  // namespace
}  // namespace ttcg
