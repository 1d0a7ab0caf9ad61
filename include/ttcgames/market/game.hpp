// The pay-per-compute market at one user rationality β (docs/model.md §2): a normal-form game among n providers
// each choosing a level k_i. Game owns the β-specific log-space arrays and exposes shares, utilities, welfare and
// the potential for a profile; the per-element math lives in game_math.hpp and is shared with the CUDA kernels.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "ttcgames/market/game_math.hpp"
#include "ttcgames/market/market.hpp"

namespace ttcg {

using Profile = std::vector<int>;

//! InputError unless every log attraction of the market at β (β·V_i(k) of each provider and level, and β·v0) lies
//! within ±LOG_ATTRACTION_LIMIT; `where` names the scenario (or market) in the message, with β and the quantity.
void check_log_space(const MarketTable& table, double beta, const std::string& where);

class Game {
 public:
  //! β ≥ 0; β = 0 is uniform random choice.
  Game(const MarketTable& table, double beta);

  const MarketTable& table() const { return *table_; }
  double beta() const { return beta_; }
  int n() const { return table_->n; }
  int K() const { return table_->K; }
  GameView view() const;

  //! Logit shares s_1..s_n of the providers (the outside option takes 1 − Σ s_i).
  std::vector<double> shares(std::span<const int> profile) const;
  //! Share of the outside option s_0.
  double outside_share(std::span<const int> profile) const;
  //! log u_i(k_i = level, k_{−i}).
  double log_utility(std::span<const int> profile, int i, int level) const;
  //! u_i at the profile (USD per query per user).
  double utility(std::span<const int> profile, int i) const;
  //! SW(k) = Σ s_i W_i + s_0 v0.
  double welfare(std::span<const int> profile) const;
  //! Φ(k) = Σ log(p_i − c_i) + Σ x_i − log A: an exact potential of the game in log-utilities.
  double potential(std::span<const int> profile) const;

  //! Index of the level maximizing W_i (first on ties): the provider's truthful auction level.
  int max_surplus_level(int i) const;

 private:
  const MarketTable* table_;
  double beta_;
  std::vector<double> x_;
  std::vector<double> log_margin_;
};

}  // namespace ttcg
