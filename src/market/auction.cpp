#include "ttcgames/market/auction.hpp"

#include <cmath>

#include "ttcgames/core/error.hpp"

namespace ttcg {

const char* to_string(Reserve reserve) {
  return reserve == Reserve::none ? "none" : "outside-option";
}

Clearing clear_auction(const std::vector<Bid>& bids, Reserve reserve, double v0) {
  std::vector<double> scores(bids.size());
  for (std::size_t i = 0; i < bids.size(); ++i) scores[i] = bids[i].score();
  return clear_scores(scores.data(), static_cast<int>(scores.size()), reserve, v0);
}

AuctionOutcome run_auction(const MarketTable& t, Reserve reserve) {
  AuctionOutcome out;
  out.level.resize(t.n);
  out.score.resize(t.n);
  const AuctionValues v = truthful_auction(t.n, t.K, t.q.data(), t.c.data(), t.W.data(), reserve, t.params.v0,
                                           out.level.data(), out.score.data());
  out.clearing = v.clearing;
  out.trade = v.trade;
  out.welfare = v.welfare;
  out.user_value = v.user_value;
  out.price = v.price;
  out.winner_utility = v.winner_utility;
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
