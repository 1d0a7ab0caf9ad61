// Clearing of the reverse second-price (score) auction under truthful bidding (docs/model.md §3), written once for
// the host (src/market/auction.cpp, src/ensemble/ensemble.cpp) and the CUDA kernels (cuda/ensemble/ensemble.cu). C++17,
// no std:: containers.
//
// Each provider bids at its truthful level argmax_k W_i(k) (first index on ties) with score S_i = W_i(level); the
// highest score wins (ties: the earlier provider), the user pays q_w − S_(2). The reserve and lone-bidder rules are
// those of auction.hpp. All money is USD per query.
#pragma once

#include "ttcgames/core/hd.hpp"

namespace ttcg {

enum class Reserve { none, outside_option };

//! Allocation of a set of bids: who wins and the score the winner must beat.
struct Clearing {
  int winner = -1;             //!< −1: no trade
  int runner_up = -1;          //!< −1: the runner-up is the outside option (or absent)
  double winning_score = 0.0;  //!< S_(1)
  double second_score = 0.0;   //!< S_(2), or v0 in its place (see auction.hpp)
};

//! Clears scores[0..n): the first highest score wins, the first highest among the others is the runner-up (a
//! stable sort by decreasing score); the reserve and the lone-bidder rule as in auction.hpp.
TTCG_HD inline Clearing clear_scores(const double* scores, int n, Reserve reserve, double v0) {
  Clearing c;
  if (n == 0) {
    c.winning_score = v0;
    c.second_score = v0;
    return c;
  }
  int top = 0;
  for (int i = 1; i < n; ++i)
    if (scores[i] > scores[top]) top = i;
  if (reserve == Reserve::outside_option && scores[top] < v0) {  // the phantom bidder (the outside option) wins
    c.winning_score = v0;
    c.second_score = v0;
    return c;
  }
  c.winner = top;
  c.winning_score = scores[top];
  if (n >= 2) {
    int second = top == 0 ? 1 : 0;
    for (int i = second + 1; i < n; ++i)
      if (i != top && scores[i] > scores[second]) second = i;
    c.runner_up = second;
    c.second_score = scores[second];
    if (reserve == Reserve::outside_option && c.second_score < v0) {
      c.runner_up = -1;
      c.second_score = v0;
    }
  } else {
    c.second_score = v0;  // a lone bidder is paid as if the outside option were the runner-up
  }
  return c;
}

//! The level maximizing W over row[0..K) (first index on ties): the provider's truthful bid.
TTCG_HD inline int truthful_level(const double* surplus_row, int K) {
  int best = 0;
  for (int k = 1; k < K; ++k)
    if (surplus_row[k] > surplus_row[best]) best = k;
  return best;
}

//! The outcome of the truthful auction.
struct AuctionValues {
  Clearing clearing;
  bool trade = false;
  double welfare = 0.0;         //!< S_(1) (v0 without trade)
  double user_value = 0.0;      //!< q_w − price = S_(2) (v0 without trade)
  double price = 0.0;           //!< paid by the user to the winner
  double winner_utility = 0.0;  //!< price − c_w = S_(1) − S_(2)
};

//! The truthful auction on a market table (q, c, W row-major [n][K]); writes each provider's truthful level and
//! score to level[0..n) and score[0..n).
TTCG_HD inline AuctionValues truthful_auction(int n, int K, const double* q, const double* c, const double* W,
                                              Reserve reserve, double v0, int* level, double* score) {
  for (int i = 0; i < n; ++i) {
    level[i] = truthful_level(W + i * K, K);
    score[i] = W[i * K + level[i]];
  }
  AuctionValues out;
  out.clearing = clear_scores(score, n, reserve, v0);
  out.trade = out.clearing.winner >= 0;
  if (!out.trade) {
    out.welfare = v0;
    out.user_value = v0;
    return out;
  }
  const int w = out.clearing.winner * K + level[out.clearing.winner];
  out.welfare = score[out.clearing.winner];
  out.user_value = out.clearing.second_score;
  out.price = q[w] - out.clearing.second_score;
  out.winner_utility = out.price - c[w];
  return out;
}

}  // namespace ttcg
