#include "ttcgames/game.hpp"

#include <cassert>
#include <cmath>

#include "ttcgames/auction_math.hpp"
#include "ttcgames/market_math.hpp"

namespace ttcg {

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
