#include "ttcgames/population/population_archive.hpp"

#include <string>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/tally_archive.hpp"

namespace ttcg {

using population::OnlineLogSum;

Bytes encode_demand_block(const DemandSums& d) {
  ArchiveWriter w;
  w.put(d.users);
  w.put(d.shares);
  w.put(d.profit);
  for (const double x : {d.outside, d.welfare, d.value, d.price}) w.put(x);
  return w.take();
}

DemandSums decode_demand_block(const Bytes& bytes, int n) {
  const std::string what = "population demand block archive";
  ArchiveReader r(bytes, what);
  DemandSums d;
  d.users = r.get<std::int64_t>();
  d.shares = r.get_vector<double>();
  d.profit = r.get_vector<double>();
  for (double* x : {&d.outside, &d.welfare, &d.value, &d.price}) *x = r.get<double>();
  r.finish();
  if (d.shares.size() != static_cast<std::size_t>(n) || d.profit.size() != static_cast<std::size_t>(n))
    throw InputError(what + ": " + std::to_string(d.shares.size()) + " shares and " + std::to_string(d.profit.size()) +
                     " profits, expected " + std::to_string(n) + " providers");
  return d;
}

Bytes encode_utility_block(const UtilitySums& u) {
  ArchiveWriter w;
  w.put<std::uint64_t>(u.levels.size());
  for (const OnlineLogSum& s : u.levels) {
    w.put(s.max);
    w.put(s.sum);
  }
  return w.take();
}

UtilitySums decode_utility_block(const Bytes& bytes, std::size_t levels) {
  ArchiveReader r(bytes, "population utility block archive");
  UtilitySums u;
  const std::uint64_t K = r.get<std::uint64_t>();
  if (K != levels)
    throw InputError("population utility block archive: " + std::to_string(K) + " levels, expected " +
                     std::to_string(levels));
  for (std::uint64_t k = 0; k < K; ++k) {
    OnlineLogSum s;
    s.max = r.get<double>();
    s.sum = r.get<double>();
    u.levels.push_back(s);
  }
  r.finish();
  return u;
}

namespace {

template <class T, class F>
void for_each_regime_tally(T& t, F&& f) {
  f(t.welfare), f(t.user_surplus), f(t.payment), f(t.profit), f(t.tokens), f(t.expected_welfare), f(t.correct);
}
template <class T, class F>
void for_each_regime_histogram(T& t, F&& f) {
  f(t.welfare_hist), f(t.user_surplus_hist), f(t.payment_hist), f(t.profit_hist);
}

void put_regime(ArchiveWriter& w, const RegimeTallies& t) {
  for_each_regime_tally(t, [&](const Tally& x) { put_tally(w, x); });
  for_each_regime_histogram(t, [&](const Histogram& h) { put_histogram(w, h); });
  w.put(t.choices);
  w.put(t.provider_profit_sum);
  w.put(t.provider_profit_sum_sq);
}

RegimeTallies get_regime(ArchiveReader& r) {
  RegimeTallies t;
  for_each_regime_tally(t, [&](Tally& x) { x = get_tally(r); });
  for_each_regime_histogram(t, [&](Histogram& h) { h = get_histogram(r); });
  t.choices = r.get_vector<std::int64_t>();
  t.provider_profit_sum = r.get_vector<double>();
  t.provider_profit_sum_sq = r.get_vector<double>();
  return t;
}

}  // namespace

Bytes encode_outcome_block(const OutcomeTallies& t) {
  ArchiveWriter w;
  put_regime(w, t.market);
  put_regime(w, t.auction);
  put_tally(w, t.first_best);
  return w.take();
}

namespace {

//! InputError naming `what` unless `t` is shaped like `expected` (its vectors' sizes, its histograms' binnings) and
//! counts at most `users` users.
void check_regime(const RegimeTallies& t, const RegimeTallies& expected, std::int64_t users, const std::string& what) {
  const auto same = [](const Histogram& a, const Histogram& b) {
    return std::memcmp(&a.lo, &b.lo, sizeof a.lo) == 0 && std::memcmp(&a.hi, &b.hi, sizeof a.hi) == 0 &&
           a.bins() == b.bins();
  };
  if (t.choices.size() != expected.choices.size() ||
      t.provider_profit_sum.size() != expected.provider_profit_sum.size() ||
      t.provider_profit_sum_sq.size() != expected.provider_profit_sum_sq.size())
    throw InputError(what + ": " + std::to_string(t.choices.size()) + " choice counts and " +
                     std::to_string(t.provider_profit_sum.size()) + "/" +
                     std::to_string(t.provider_profit_sum_sq.size()) + " provider profit sums, expected " +
                     std::to_string(expected.choices.size()) + " and " +
                     std::to_string(expected.provider_profit_sum.size()));
  if (!same(t.welfare_hist, expected.welfare_hist) || !same(t.user_surplus_hist, expected.user_surplus_hist) ||
      !same(t.payment_hist, expected.payment_hist) || !same(t.profit_hist, expected.profit_hist))
    throw InputError(what + ": histograms binned differently from the population's");
  bool counts = true;
  for_each_regime_tally(t, [&](const Tally& x) { counts = counts && counts_within(x, users); });
  for_each_regime_histogram(t, [&](const Histogram& h) { counts = counts && counts_within(h, users); });
  std::int64_t chosen = 0;
  for (const std::int64_t c : t.choices) {
    counts = counts && c >= 0 && c <= users - chosen;
    if (counts) chosen += c;
  }
  if (!counts) throw InputError(what + ": counts outside 0.." + std::to_string(users) + ", the users tallied");
}

}  // namespace

OutcomeTallies decode_outcome_block(const Bytes& bytes, const std::string& what, int n, const HistogramRanges& ranges,
                                    std::int64_t users) {
  ArchiveReader r(bytes, what);
  OutcomeTallies t;
  t.market = get_regime(r);
  t.auction = get_regime(r);
  t.first_best = get_tally(r);
  r.finish();
  const OutcomeTallies expected = make_outcome_tallies(n, ranges);
  check_regime(t.market, expected.market, users, what + " (market)");
  check_regime(t.auction, expected.auction, users, what + " (auction)");
  if (!counts_within(t.first_best, users))
    throw InputError(what + ": counts outside 0.." + std::to_string(users) + ", the users tallied");
  return t;
}

}  // namespace ttcg
