#include "ttcgames/ensemble/ensemble_archive.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/tally_archive.hpp"

namespace ttcg {

namespace {

//! The members of EnsembleRecords and EnsembleTallies, in one order for writing and reading.
template <class R, class F>
void for_each_column(R& r, F&& f) {
  f(r.num_providers), f(r.providers), f(r.equilibrium_profile), f(r.optimal_profile), f(r.rounds);
  f(r.auction_winner), f(r.price_factor), f(r.beta), f(r.markup), f(r.alpha), f(r.v0), f(r.equilibrium_welfare);
  f(r.optimal_welfare), f(r.optimum_gap), f(r.price_of_anarchy), f(r.max_regret), f(r.max_relative_regret);
  f(r.auction_welfare), f(r.auction_price), f(r.converged), f(r.enumerated), f(r.num_equilibria);
  f(r.worst_equilibrium_welfare), f(r.best_equilibrium_welfare), f(r.price_of_anarchy_worst);
  f(r.price_of_stability);
}

template <class T, class F>
void for_each_tally(T& t, F&& f) {
  f(t.inefficiency), f(t.price_of_anarchy), f(t.auction_to_optimum), f(t.auction_to_equilibrium);
  f(t.worst_inefficiency), f(t.best_inefficiency), f(t.num_equilibria), f(t.max_relative_regret), f(t.rounds);
}

template <class T, class F>
void for_each_histogram(T& t, F&& f) {
  f(t.inefficiency_histogram), f(t.worst_inefficiency_histogram), f(t.auction_to_optimum_histogram);
  f(t.auction_to_equilibrium_histogram);
}

}  // namespace

Bytes encode_ensemble_block(const EnsembleBlockResult& b) {
  ArchiveWriter w;
  w.put(b.block);
  w.put(b.records.first);
  w.put(b.records.width);
  for_each_column(b.records, [&](const auto& column) { w.put(column); });
  const EnsembleTallies& t = b.tallies;
  for (const std::int64_t c :
       {t.markets, t.not_converged, t.infinite_poa, t.enumerated, t.no_equilibrium, t.auction_no_trade})
    w.put(c);
  for_each_tally(t, [&](const Tally& x) { put_tally(w, x); });
  for_each_histogram(t, [&](const Histogram& h) { put_histogram(w, h); });
  w.put(t.above_threshold);
  w.put<std::uint64_t>(t.worst.size());
  for (const WorstMarket& m : t.worst) {
    w.put(m.market);
    w.put(m.price_of_anarchy);
  }
  return w.take();
}

namespace {

//! Whether two histograms bin alike (what merging needs).
bool same_binning(const Histogram& a, const Histogram& b) {
  return std::memcmp(&a.lo, &b.lo, sizeof a.lo) == 0 && std::memcmp(&a.hi, &b.hi, sizeof a.hi) == 0 &&
         a.bins() == b.bins();
}

//! InputError unless `b` is block `block` of `problem`: its markets, columns, histograms and thresholds.
void check_block(const EnsembleBlockResult& b, const std::string& what, const EnsembleProblem& problem,
                 std::int64_t block) {
  const auto fail = [&](const std::string& m) { throw InputError(what + ": " + m); };
  if (b.block != block) fail("holds block " + std::to_string(b.block) + ", expected " + std::to_string(block));
  const std::int64_t first = problem.block_first(block), count = problem.block_count(block);
  const EnsembleTallies& t = b.tallies;
  if (t.markets != count) fail("tallies " + std::to_string(t.markets) + " markets, expected " + std::to_string(count));
  const EnsembleTallies expected(problem.spec());
  if (!same_binning(t.inefficiency_histogram, expected.inefficiency_histogram) ||
      !same_binning(t.worst_inefficiency_histogram, expected.worst_inefficiency_histogram) ||
      !same_binning(t.auction_to_optimum_histogram, expected.auction_to_optimum_histogram) ||
      !same_binning(t.auction_to_equilibrium_histogram, expected.auction_to_equilibrium_histogram))
    fail("has histograms binned differently from the ensemble's");
  if (t.above_threshold.size() != expected.above_threshold.size())
    fail("counts markets above " + std::to_string(t.above_threshold.size()) + " thresholds, expected " +
         std::to_string(expected.above_threshold.size()));
  // Every count is of the block's markets: between 0 and their number.
  bool counts = true;
  for (const std::int64_t c : {t.not_converged, t.infinite_poa, t.enumerated, t.no_equilibrium, t.auction_no_trade})
    counts = counts && c >= 0 && c <= count;
  for (const std::int64_t c : t.above_threshold) counts = counts && c >= 0 && c <= count;
  for_each_tally(t, [&](const Tally& x) { counts = counts && counts_within(x, count); });
  for_each_histogram(t, [&](const Histogram& h) { counts = counts && counts_within(h, count); });
  if (!counts) fail("has counts outside 0.." + std::to_string(count) + ", the block's markets");
  for (const WorstMarket& m : t.worst)
    if (m.market < first || m.market >= first + count)
      fail("lists market " + std::to_string(m.market) + " among its worst, outside the block");
  const EnsembleRecords& r = b.records;
  const bool stored = problem.spec().store_markets;
  if (r.first != first || r.width != problem.width())
    fail("records start at market " + std::to_string(r.first) + " with width " + std::to_string(r.width) +
         ", expected " + std::to_string(first) + " and " + std::to_string(problem.width()));
  const std::size_t rows = stored ? static_cast<std::size_t>(count) : 0;
  const std::size_t wide = rows * static_cast<std::size_t>(problem.width());
  const auto is_wide = [&](const void* column) {
    return column == &r.providers || column == &r.equilibrium_profile || column == &r.optimal_profile ||
           column == &r.price_factor;
  };
  for_each_column(r, [&](const auto& column) {
    const std::size_t want = is_wide(&column) ? wide : rows;
    if (column.size() != want)
      fail("has a record column of " + std::to_string(column.size()) + " values, expected " + std::to_string(want));
  });
}

}  // namespace

EnsembleBlockResult decode_ensemble_block(const Bytes& bytes, const std::string& what, const EnsembleProblem& problem,
                                          std::int64_t block) {
  ArchiveReader r(bytes, what);
  EnsembleBlockResult b;
  b.block = r.get<std::int64_t>();
  b.records.first = r.get<std::int64_t>();
  b.records.width = r.get<int>();
  for_each_column(b.records,
                  [&](auto& column) { column = r.get_vector<typename std::decay_t<decltype(column)>::value_type>(); });
  EnsembleTallies& t = b.tallies;
  for (std::int64_t* c :
       {&t.markets, &t.not_converged, &t.infinite_poa, &t.enumerated, &t.no_equilibrium, &t.auction_no_trade})
    *c = r.get<std::int64_t>();
  for_each_tally(t, [&](Tally& x) { x = get_tally(r); });
  for_each_histogram(t, [&](Histogram& h) { h = get_histogram(r); });
  t.above_threshold = r.get_vector<std::int64_t>();
  const std::uint64_t worst = r.get<std::uint64_t>();
  if (worst > static_cast<std::uint64_t>(ENSEMBLE_WORST_MARKETS))
    throw InputError(what + ": lists " + std::to_string(worst) + " worst markets, at most " +
                     std::to_string(ENSEMBLE_WORST_MARKETS) + " are kept");
  for (std::uint64_t j = 0; j < worst; ++j) {
    WorstMarket m;
    m.market = r.get<std::int64_t>();
    m.price_of_anarchy = r.get<double>();
    t.worst.push_back(m);
  }
  r.finish();
  check_block(b, what, problem, block);
  return b;
}

}  // namespace ttcg
