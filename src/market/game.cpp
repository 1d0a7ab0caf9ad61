#include "ttcgames/market/game.hpp"
#include "ttcgames/core/text.hpp"

#include <cassert>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/market/auction_math.hpp"
#include "ttcgames/market/market_math.hpp"

namespace ttcg {

namespace {}  // namespace

void check_log_space(const MarketTable& table, double beta, const std::string& where) {
  const auto refuse = [&](const std::string& quantity, double x) {
    throw InputError(where + ": at beta = " + number_text(beta, 6) + ", " + quantity + " = " + number_text(x, 6) +
                     " is outside +-" + number_text(LOG_ATTRACTION_LIMIT, 6) +
                     ", the range of log attractions computed exactly in double precision; lower beta or the "
                     "market's values (valid: |beta*V| and |beta*v0| <= " +
                     number_text(LOG_ATTRACTION_LIMIT, 6) + ")");
  };
  if (!(beta >= 0.0) || !std::isfinite(beta)) refuse("beta", beta);
  const double x0 = log_attraction(beta, table.params.v0);
  if (!(std::fabs(x0) <= LOG_ATTRACTION_LIMIT)) refuse("beta*v0", x0);
  for (int i = 0; i < table.n; ++i)
    for (int k = 0; k < table.K; ++k) {
      const double x = log_attraction(beta, table.V[table.at(i, k)]);
      if (!(std::fabs(x) <= LOG_ATTRACTION_LIMIT))
        refuse("beta*V of " + table.providers[i] + " at theta = " + number_text(table.theta[k], 6), x);
    }
}

Game::Game(const MarketTable& table, double beta) : table_(&table), beta_(beta) {
  assert(beta >= 0.0 && std::isfinite(beta));
  const std::size_t size = table.V.size();
  x_.resize(size);
  log_margin_.resize(size);
  for (std::size_t a = 0; a < size; ++a) {
    x_[a] = log_attraction(beta, table.V[a]);
    log_margin_[a] = log_margin(table.margin[a]);
  }
}

GameView Game::view() const {
  GameView g;
  g.n = table_->n;
  g.K = table_->K;
  g.x = x_.data();
  g.log_margin = log_margin_.data();
  g.W = table_->W.data();
  g.x0 = beta_ * table_->params.v0;
  g.v0 = table_->params.v0;
  return g;
}

std::vector<double> Game::shares(std::span<const int> profile) const {
  const GameView g = view();
  const double log_a = log_aggregate(g, profile.data(), -1);
  std::vector<double> s(g.n);
  for (int i = 0; i < g.n; ++i) s[i] = std::exp(g.xs(i, profile[i]) - log_a);
  return s;
}

double Game::outside_share(std::span<const int> profile) const {
  const GameView g = view();
  return std::exp(g.x0 - log_aggregate(g, profile.data(), -1));
}

double Game::log_utility(std::span<const int> profile, int i, int level) const {
  const GameView g = view();
  return ttcg::log_utility(g, i, level, log_aggregate(g, profile.data(), i));
}

double Game::utility(std::span<const int> profile, int i) const {
  return std::exp(log_utility(profile, i, profile[i]));
}

double Game::welfare(std::span<const int> profile) const {
  return social_welfare(view(), profile.data());
}

double Game::potential(std::span<const int> profile) const {
  const GameView g = view();
  double phi = -log_aggregate(g, profile.data(), -1);
  for (int i = 0; i < g.n; ++i) phi += g.lm(i, profile[i]) + g.xs(i, profile[i]);
  return phi;
}

int Game::max_surplus_level(int i) const {
  return truthful_level(table_->W.data() + table_->at(i, 0), table_->K);
}

}  // namespace ttcg
