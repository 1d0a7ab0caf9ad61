// The reverse second-price (score) auction (docs/model.md §3). Providers bid (expected quality q̂, price ĉ) for the
// right to serve a query; the score is S = q̂ − ĉ. The highest score wins (ties: the earlier provider in input
// order); the user pays the winner q_w − S_(2), where q_w is the winner's verified quality and S_(2) the second
// score. Truthful bidding (the level maximizing W = q − c, bidding its cost) is weakly dominant.
//
// Extensions beyond the reference implementation (documented in docs/scenario.md, section [auction]):
// - Reserve::outside_option adds a phantom bidder with score v0: no trade when S_(1) < v0, and the runner-up score
//   is max(S_(2), v0).
// - Fewer than two bidders: with no reserve a lone bidder is paid as if the outside option v0 were the runner-up;
//   with no bidders there is no trade. Either way welfare and user value are v0 when nothing is traded.
#pragma once

#include <string>
#include <vector>

#include "ttcgames/market/auction_math.hpp"
#include "ttcgames/market/game.hpp"
#include "ttcgames/market/market.hpp"

namespace ttcg {

const char* to_string(Reserve reserve);

struct Bid {
  double quality = 0.0;  //!< reported expected quality q̂ (USD)
  double price = 0.0;    //!< reported price (cost) ĉ (USD)
  double score() const { return quality - price; }
};

//! Clears a set of bids by their scores (clear_scores of auction_math.hpp).
Clearing clear_auction(const std::vector<Bid>& bids, Reserve reserve, double v0);

struct AuctionOutcome {
  std::vector<int> level;     //!< [n] each provider's truthful level argmax_k W_i(k)
  std::vector<double> score;  //!< [n] its score W_i(level)
  Clearing clearing;
  bool trade = false;
  double welfare = 0.0;         //!< S_(1) (v0 without trade)
  double user_value = 0.0;      //!< q_w − price = S_(2) (v0 without trade)
  double price = 0.0;           //!< paid by the user to the winner
  double winner_utility = 0.0;  //!< price − c_w = S_(1) − S_(2)
};

//! The auction under truthful bidding on a market table (truthful_auction of auction_math.hpp).
AuctionOutcome run_auction(const MarketTable& table, Reserve reserve);

//! Utility of provider i when it bids `bid` but serves level `served` (quality verified, so it is paid
//! q_i(served) − S_(2)) and everyone else bids `others` (others[i] is ignored).
double provider_auction_utility(const MarketTable& table, int i, const Bid& bid, int served,
                                const std::vector<Bid>& others, Reserve reserve);

//! Comparison statistics of the market at a profile (reference calculate_market_stats).
struct MarketStats {
  double weighted_value = 0.0;  //!< Σ s_i V_i
  double mean_value = 0.0;      //!< mean_i V_i
  double weighted_price = 0.0;  //!< Σ s_i p_i
  double mean_price = 0.0;
  double weighted_utility = 0.0;  //!< Σ s_i (p_i − c_i)
  double mean_utility = 0.0;
};
MarketStats market_stats(const Game& game, const Profile& profile);

}  // namespace ttcg
