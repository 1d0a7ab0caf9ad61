// The per-market records and the ensemble's tallies (ensemble.hpp): what one block of markets keeps, and how blocks
// merge in block order into the ensemble's statistics, histograms and worst markets.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ttcgames/ensemble/ensemble.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

namespace {
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void EnsembleRecords::push_back(const MarketOutcome& o) {
  const MarketDraw& d = o.draw;
  num_providers.push_back(d.n);
  for (int s = 0; s < width; ++s) {
    const bool in = s < d.n;
    providers.push_back(in ? d.providers[s] : -1);
    price_factor.push_back(in ? d.price_factor[s] : NaN);
    equilibrium_profile.push_back(in ? o.equilibrium_profile[s] : -1);
    optimal_profile.push_back(in ? o.optimal_profile[s] : -1);
  }
  beta.push_back(d.beta);
  markup.push_back(d.markup);
  alpha.push_back(d.alpha);
  v0.push_back(d.v0);
  equilibrium_welfare.push_back(o.welfare);
  optimal_welfare.push_back(o.optimum.welfare);
  optimum_gap.push_back(o.optimum.gap);
  price_of_anarchy.push_back(o.price_of_anarchy);
  max_regret.push_back(o.certificate.max_regret);
  max_relative_regret.push_back(o.certificate.max_relative_regret);
  rounds.push_back(o.dynamics.rounds);
  converged.push_back(o.dynamics.converged ? 1 : 0);
  auction_winner.push_back(o.auction.clearing.winner >= 0 ? d.providers[o.auction.clearing.winner] : -1);
  auction_welfare.push_back(o.auction.welfare);
  auction_price.push_back(o.auction.price);
  enumerated.push_back(o.enumerated ? 1 : 0);
  const bool have = o.enumerated && o.equilibria.count > 0;
  num_equilibria.push_back(o.enumerated ? o.equilibria.count : -1);
  worst_equilibrium_welfare.push_back(have ? o.equilibria.worst_welfare : NaN);
  best_equilibrium_welfare.push_back(have ? o.equilibria.best_welfare : NaN);
  price_of_anarchy_worst.push_back(have ? welfare_ratio(o.optimum.welfare, o.equilibria.worst_welfare) : NaN);
  price_of_stability.push_back(have ? welfare_ratio(o.optimum.welfare, o.equilibria.best_welfare) : NaN);
}

void EnsembleRecords::append(const EnsembleRecords& r) {
  if (size() == 0) {
    first = r.first;
    width = r.width;
  }
  auto cat = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  cat(num_providers, r.num_providers);
  cat(providers, r.providers);
  cat(equilibrium_profile, r.equilibrium_profile);
  cat(optimal_profile, r.optimal_profile);
  cat(rounds, r.rounds);
  cat(auction_winner, r.auction_winner);
  cat(price_factor, r.price_factor);
  cat(beta, r.beta);
  cat(markup, r.markup);
  cat(alpha, r.alpha);
  cat(v0, r.v0);
  cat(equilibrium_welfare, r.equilibrium_welfare);
  cat(optimal_welfare, r.optimal_welfare);
  cat(optimum_gap, r.optimum_gap);
  cat(price_of_anarchy, r.price_of_anarchy);
  cat(max_regret, r.max_regret);
  cat(max_relative_regret, r.max_relative_regret);
  cat(auction_welfare, r.auction_welfare);
  cat(auction_price, r.auction_price);
  cat(converged, r.converged);
  cat(enumerated, r.enumerated);
  cat(num_equilibria, r.num_equilibria);
  cat(worst_equilibrium_welfare, r.worst_equilibrium_welfare);
  cat(best_equilibrium_welfare, r.best_equilibrium_welfare);
  cat(price_of_anarchy_worst, r.price_of_anarchy_worst);
  cat(price_of_stability, r.price_of_stability);
}

EnsembleTallies::EnsembleTallies(const EnsembleSpec& spec)
    : inefficiency_histogram(0.0, spec.inefficiency_histogram_max, spec.inefficiency_histogram_bins),
      worst_inefficiency_histogram(0.0, spec.inefficiency_histogram_max, spec.inefficiency_histogram_bins),
      auction_to_optimum_histogram(0.0, ENSEMBLE_RATIO_HISTOGRAM_MAX, ENSEMBLE_RATIO_HISTOGRAM_BINS),
      auction_to_equilibrium_histogram(0.0, ENSEMBLE_RATIO_HISTOGRAM_MAX, ENSEMBLE_RATIO_HISTOGRAM_BINS),
      above_threshold(spec.thresholds.size(), 0) {}

namespace {

void add_finite(Tally& t, double x) {
  if (std::isfinite(x)) t.add(x);
}

double percent_above_one(double ratio) {
  return 100.0 * (ratio - 1.0);
}

bool worse(const WorstMarket& a, const WorstMarket& b) {
  if (a.price_of_anarchy != b.price_of_anarchy) return a.price_of_anarchy > b.price_of_anarchy;
  return a.market < b.market;
}

void keep_worst(std::vector<WorstMarket>& list) {
  std::sort(list.begin(), list.end(), worse);
  if (list.size() > static_cast<std::size_t>(ENSEMBLE_WORST_MARKETS)) list.resize(ENSEMBLE_WORST_MARKETS);
}

}  // namespace

void EnsembleTallies::add(std::int64_t market, const MarketOutcome& o, const EnsembleSpec& spec) {
  ++markets;
  rounds.add(o.dynamics.rounds);
  add_finite(max_relative_regret, o.certificate.max_relative_regret);
  // Independent of the dynamics: the auction against the optimum and the enumerated equilibria.
  if (!o.auction.trade) ++auction_no_trade;
  const double to_optimum = welfare_ratio(o.auction.welfare, o.optimum.welfare);
  add_finite(auction_to_optimum, to_optimum);
  auction_to_optimum_histogram.add(to_optimum);
  if (o.enumerated) {
    ++enumerated;
    num_equilibria.add(static_cast<double>(o.equilibria.count));
    if (o.equilibria.count == 0) {
      ++no_equilibrium;
    } else {
      const double worst_ineff = percent_above_one(welfare_ratio(o.optimum.welfare, o.equilibria.worst_welfare));
      add_finite(worst_inefficiency, worst_ineff);
      add_finite(best_inefficiency, percent_above_one(welfare_ratio(o.optimum.welfare, o.equilibria.best_welfare)));
      worst_inefficiency_histogram.add(worst_ineff);
    }
  }
  // Of the profile the dynamics reached: only where it is an equilibrium. A market stopped by max_rounds is counted
  // and left out, as a population's non-converged replicate is.
  if (!o.dynamics.converged) {
    ++not_converged;
    return;
  }
  const double poa = o.price_of_anarchy;
  const double ineff = percent_above_one(poa);
  if (std::isfinite(poa)) {
    price_of_anarchy.add(poa);
    inefficiency.add(ineff);
  } else {
    ++infinite_poa;
  }
  inefficiency_histogram.add(ineff);
  for (std::size_t t = 0; t < spec.thresholds.size(); ++t)
    if (ineff > spec.thresholds[t]) ++above_threshold[t];
  const double to_equilibrium = welfare_ratio(o.auction.welfare, o.welfare);
  add_finite(auction_to_equilibrium, to_equilibrium);
  auction_to_equilibrium_histogram.add(to_equilibrium);
  if (!std::isnan(poa)) {
    const WorstMarket w{market, poa};
    if (worst.size() < static_cast<std::size_t>(ENSEMBLE_WORST_MARKETS) || worse(w, worst.back())) {
      worst.push_back(w);
      keep_worst(worst);
    }
  }
}

void EnsembleTallies::merge(const EnsembleTallies& o) {
  markets += o.markets;
  not_converged += o.not_converged;
  infinite_poa += o.infinite_poa;
  enumerated += o.enumerated;
  no_equilibrium += o.no_equilibrium;
  auction_no_trade += o.auction_no_trade;
  for (auto [a, b] :
       {std::pair{&inefficiency, &o.inefficiency}, std::pair{&price_of_anarchy, &o.price_of_anarchy},
        std::pair{&auction_to_optimum, &o.auction_to_optimum},
        std::pair{&auction_to_equilibrium, &o.auction_to_equilibrium},
        std::pair{&worst_inefficiency, &o.worst_inefficiency}, std::pair{&best_inefficiency, &o.best_inefficiency},
        std::pair{&num_equilibria, &o.num_equilibria}, std::pair{&max_relative_regret, &o.max_relative_regret},
        std::pair{&rounds, &o.rounds}})
    a->merge(*b);
  inefficiency_histogram.merge(o.inefficiency_histogram);
  worst_inefficiency_histogram.merge(o.worst_inefficiency_histogram);
  auction_to_optimum_histogram.merge(o.auction_to_optimum_histogram);
  auction_to_equilibrium_histogram.merge(o.auction_to_equilibrium_histogram);
  if (above_threshold.size() != o.above_threshold.size())
    throw std::invalid_argument("EnsembleTallies::merge: different thresholds");
  for (std::size_t t = 0; t < above_threshold.size(); ++t) above_threshold[t] += o.above_threshold[t];
  worst.insert(worst.end(), o.worst.begin(), o.worst.end());
  keep_worst(worst);
}

}  // namespace ttcg
