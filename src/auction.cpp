#include "ttcgames/auction.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ttcgames/error.hpp"

namespace ttcg {

const char* to_string(Reserve reserve) {
  return reserve == Reserve::none ? "none" : "outside-option";
}

Clearing clear_auction(const std::vector<Bid>& bids, Reserve reserve, double v0) {
  Clearing c;
  // Highest score first; ties keep input order.
  std::vector<int> order(bids.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return bids[a].score() > bids[b].score(); });
  if (order.empty()) {
    c.winning_score = v0;
    c.second_score = v0;
    return c;
  }
  const double top = bids[order[0]].score();
  if (reserve == Reserve::outside_option && top < v0) {  // the phantom bidder (the outside option) wins
    c.winning_score = v0;
    c.second_score = v0;
    return c;
  }
  c.winner = order[0];
  c.winning_score = top;
  if (order.size() >= 2) {
    c.runner_up = order[1];
    c.second_score = bids[order[1]].score();
    if (reserve == Reserve::outside_option && c.second_score < v0) {
      c.runner_up = -1;
      c.second_score = v0;
    }
  } else {
    c.second_score = v0;  // a lone bidder is paid as if the outside option were the runner-up
  }
  return c;
}

AuctionOutcome run_auction(const MarketTable& t, Reserve reserve) {
  AuctionOutcome out;
  std::vector<Bid> bids(t.n);
  for (int i = 0; i < t.n; ++i) {
    int best = 0;
    for (int k = 1; k < t.K; ++k)
      if (t.W[t.at(i, k)] > t.W[t.at(i, best)]) best = k;
    out.level.push_back(best);
    bids[i] = Bid{t.q[t.at(i, best)], t.c[t.at(i, best)]};
    out.score.push_back(t.W[t.at(i, best)]);
  }
  out.clearing = clear_auction(bids, reserve, t.params.v0);
  const Clearing& c = out.clearing;
  out.trade = c.winner >= 0;
  if (!out.trade) {
    out.welfare = t.params.v0;
    out.user_value = t.params.v0;
    return out;
  }
  const std::size_t w = t.at(c.winner, out.level[c.winner]);
  out.welfare = out.score[c.winner];
  out.user_value = c.second_score;
  out.price = t.q[w] - c.second_score;
  out.winner_utility = out.price - t.c[w];
  return out;
}

double provider_auction_utility(const MarketTable& t, int i, const Bid& bid, int served, const std::vector<Bid>& others,
                                Reserve reserve) {
  std::vector<Bid> bids = others;
  bids[i] = bid;
  const Clearing c = clear_auction(bids, reserve, t.params.v0);
  if (c.winner != i) return 0.0;
  const std::size_t at = t.at(i, served);
  return (t.q[at] - c.second_score) - t.c[at];
}

MarketStats market_stats(const Game& game, const Profile& profile) {
  const MarketTable& t = game.table();
  const std::vector<double> s = game.shares(profile);
  MarketStats m;
  for (int i = 0; i < t.n; ++i) {
    const std::size_t at = t.at(i, profile[i]);
    m.weighted_value += s[i] * t.V[at];
    m.mean_value += t.V[at];
    m.weighted_price += s[i] * t.p[at];
    m.mean_price += t.p[at];
    m.weighted_utility += s[i] * t.margin[at];
    m.mean_utility += t.margin[at];
  }
  m.mean_value /= t.n;
  m.mean_price /= t.n;
  m.mean_utility /= t.n;
  return m;
}

}  // namespace ttcg
