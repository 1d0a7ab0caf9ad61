// Market ensembles (docs/scenario.md, [ensemble]; docs/hdf5-format.md, /ensemble/<name>): many random markets drawn
// from a pool of providers (n providers without replacement, jittered prices, β, markup and optionally α and v0
// from ranges), each solved by the single-market engine (ensemble_math.hpp), with distributions of the price of
// anarchy and of the auction's efficiency.
//
// Work is split into fixed blocks: block b holds markets [b·B, min((b+1)·B, M)) for the block size B. A block's
// result (per-market records and mergeable tallies, histograms and worst markets) depends only on the problem and
// b, never on threads, ranks or the backend's launch configuration; compute_ensemble_blocks computes blocks and
// EnsembleSummary::merge merges them in increasing block order (a different order is an error), so that another
// process can compute any subset of blocks (MPI ranks, restarts from per-block checkpoints; a block travels as the
// bit-exact archive of encode_ensemble_block) and the merged result is bitwise the one-shot run's. Per-market records
// are bitwise identical on every backend (draws) or within ENSEMBLE_BACKEND_TOLERANCE (solutions, where CUDA's libm
// differs from the host's in the last bits).
//
// Tallied quantities are dimensionless (ratios, percent, counts), so that sums of squares have units: inefficiency
// 100·(PoA − 1) %, PoA, auction welfare over SW* and over SW(reached), the worst-equilibrium and best-equilibrium
// inefficiencies, max relative regret, rounds, equilibrium counts. Non-finite values (PoA = +inf where SW ≤ 0 < SW*)
// are counted apart and left out of the tallies, never out of the histograms (overflow).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/tally.hpp"
#include "ttcgames/ensemble/ensemble_math.hpp"
#include "ttcgames/market/auction.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/market.hpp"

namespace ttcg {

struct Scenario;

//! Markets per block unless the scenario says otherwise.
constexpr std::int64_t ENSEMBLE_DEFAULT_BLOCK_SIZE = 4096;
//! Most markets in one ensemble (market indices are a 32-bit counter word of the draws).
constexpr std::int64_t ENSEMBLE_MAX_MARKETS = std::int64_t{1} << 32;
//! With the exhaustive algorithm, enumerate every pure NE of a market when K^n is at most this (unless the scenario
//! says otherwise); the structural algorithm enumerates every market.
constexpr std::int64_t ENSEMBLE_DEFAULT_ENUMERATION_PROFILES = 10'000;
//! Largest enumeration limit accepted (a market is enumerated by one thread).
constexpr std::int64_t ENSEMBLE_MAX_ENUMERATION_PROFILES = 10'000'000;
//! Markets kept in the list of worst markets (highest PoA).
constexpr int ENSEMBLE_WORST_MARKETS = 10;
//! Relative agreement of CUDA and CPU solutions of the same drawn market (welfare, optimum, PoA, auction).
constexpr double ENSEMBLE_BACKEND_TOLERANCE = 1e-9;
//! Histogram range and bins of the auction's welfare ratios (auction SW over SW* and over SW(reached)).
constexpr double ENSEMBLE_RATIO_HISTOGRAM_MAX = 4.0;
constexpr int ENSEMBLE_RATIO_HISTOGRAM_BINS = 400;

//! The [ensemble] section of a scenario, validated (docs/scenario.md).
struct EnsembleSpec {
  std::string name;  //!< /ensemble/<name>; default: the scenario's name
  std::int64_t markets = 0;
  std::uint64_t seed = 0;
  std::vector<std::string> pool;  //!< provider names drawn from; empty: every provider of the scenario
  int min_providers = 0;          //!< 0: the pool size
  int max_providers = 0;
  //! Each provider's price factor: fixed 1 (no jitter), uniform [low, high] or lognormal (mu = 0, sigma).
  dist::Distribution price_jitter = dist::Distribution::fixed_value(1.0);
  //! β per market: fixed, uniform or log-uniform (likewise markup, alpha and v0).
  dist::Distribution beta;
  std::optional<dist::Distribution> markup, alpha, v0;  //!< unset: the scenario's [market] value
  ProviderOrder order = ProviderOrder::random;          //!< random or fixed
  bool enumerate = true;
  std::int64_t enumeration_max_profiles = ENSEMBLE_DEFAULT_ENUMERATION_PROFILES;
  std::int64_t block_size = ENSEMBLE_DEFAULT_BLOCK_SIZE;
  bool store_markets = true;                  //!< write the per-market datasets
  double inefficiency_histogram_max = 100.0;  //!< percent
  int inefficiency_histogram_bins = 200;
  std::vector<double> thresholds{1.0, 5.0, 10.0, 25.0, 50.0};              //!< inefficiency, percent
  std::vector<double> quantiles{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};  //!< probabilities
};

//! A validated ensemble ready to run: the pool tables and the per-market parameters.
class EnsembleProblem {
 public:
  //! Validates the spec against the pool (InputError naming the [ensemble] key otherwise).
  EnsembleProblem(const ProviderSet& providers, const MarketParams& market, const DynamicsOptions& dynamics,
                  StartLevel start, const EnumerationOptions& enumeration, Reserve reserve, EnsembleSpec spec);

  const EnsembleSpec& spec() const { return spec_; }
  //! The device-copyable parameters; pointers into this object's arrays (keep it alive and unmoved).
  const EnsembleParams& params() const { return params_; }
  std::int64_t markets() const { return spec_.markets; }
  std::int64_t block_size() const { return spec_.block_size; }
  std::int64_t blocks() const { return (spec_.markets + spec_.block_size - 1) / spec_.block_size; }
  //! Markets [first, first + count) of block b.
  std::int64_t block_first(std::int64_t b) const { return b * spec_.block_size; }
  std::int64_t block_count(std::int64_t b) const;
  int width() const { return params_.max_providers; }  //!< provider columns of the per-market records
  const std::vector<std::string>& pool_names() const { return pool_names_; }
  const std::vector<double>& pool_usd_per_million() const { return pool_price_; }
  const std::vector<double>& theta() const { return theta_; }
  const MarketParams& market() const { return market_; }
  const DynamicsOptions& dynamics() const { return dynamics_; }
  double enumeration_tolerance() const { return enumeration_.relative_tolerance; }
  //! structural: every market's equilibria from the aggregate; exhaustive: markets with K^n ≤ the spec's limit.
  EnumerationAlgorithm enumeration_algorithm() const { return enumeration_.algorithm; }

  //! The drawn market m as a provider set and market parameters, for the single-market engine: build_market_table,
  //! then solve_beta(table, draw.beta, market_dynamics(m, draw.n)) reproduces the ensemble's record of market m.
  ProviderSet market_providers(const MarketDraw& draw) const;
  MarketParams market_params(const MarketDraw& draw) const;
  DynamicsOptions market_dynamics(std::int64_t market, int n) const;

  EnsembleProblem(const EnsembleProblem&) = delete;
  EnsembleProblem& operator=(const EnsembleProblem&) = delete;

 private:
  EnsembleSpec spec_;
  MarketParams market_;
  DynamicsOptions dynamics_;
  EnumerationOptions enumeration_;
  std::vector<std::string> pool_names_;
  std::vector<double> theta_;
  std::vector<std::vector<double>> pool_accuracy_;
  std::vector<double> pool_value_, pool_tokens_, pool_price_;
  EnsembleParams params_;
};

//! Per-market results of a range of markets, one row per market; provider columns padded to width() with −1 (indices)
//! or NaN (factors).
struct EnsembleRecords {
  std::int64_t first = 0;  //!< market index of row 0
  int width = 0;
  std::vector<std::int32_t> num_providers, providers, equilibrium_profile, optimal_profile, rounds, auction_winner;
  std::vector<double> price_factor, beta, markup, alpha, v0;
  std::vector<double> equilibrium_welfare, optimal_welfare, optimum_gap, price_of_anarchy, max_regret,
      max_relative_regret, auction_welfare, auction_price;
  std::vector<std::uint8_t> converged, enumerated;
  std::vector<std::int64_t> num_equilibria;  //!< −1 where not enumerated
  std::vector<double> worst_equilibrium_welfare, best_equilibrium_welfare, price_of_anarchy_worst, price_of_stability;

  std::int64_t size() const { return static_cast<std::int64_t>(beta.size()); }
  //! Appends a market's outcome (pool indices for providers and the auction winner).
  void push_back(const MarketOutcome& outcome);
  //! Appends the rows of a later range.
  void append(const EnsembleRecords& later);
};

//! A market in the list of worst markets.
struct WorstMarket {
  std::int64_t market = -1;
  double price_of_anarchy = 0.0;
};

//! Mergeable statistics of a set of markets.
struct EnsembleTallies {
  std::int64_t markets = 0;
  std::int64_t not_converged = 0;     //!< dynamics stopped by max_rounds
  std::int64_t infinite_poa = 0;      //!< SW ≤ 0 < SW*: left out of the PoA tallies
  std::int64_t enumerated = 0;        //!< markets whose equilibria were all enumerated
  std::int64_t no_equilibrium = 0;    //!< enumerated markets without a pure NE at the tolerance
  std::int64_t auction_no_trade = 0;  //!< auctions without trade
  Tally inefficiency, price_of_anarchy, auction_to_optimum, auction_to_equilibrium, worst_inefficiency,
      best_inefficiency, num_equilibria, max_relative_regret, rounds;
  Histogram inefficiency_histogram, worst_inefficiency_histogram, auction_to_optimum_histogram,
      auction_to_equilibrium_histogram;
  std::vector<std::int64_t> above_threshold;  //!< markets with inefficiency > thresholds[t] (inf included)
  std::vector<WorstMarket> worst;             //!< highest PoA first (ties: lower market index)

  explicit EnsembleTallies(const EnsembleSpec& spec);
  EnsembleTallies() = default;
  //! Adds market m (call in increasing market order).
  void add(std::int64_t market, const MarketOutcome& outcome, const EnsembleSpec& spec);
  //! Adds the tallies of later markets (call in increasing block order).
  void merge(const EnsembleTallies& later);
};

//! One block's results.
struct EnsembleBlockResult {
  std::int64_t block = 0;
  EnsembleRecords records;  //!< empty unless the spec stores markets
  EnsembleTallies tallies;
};

//! Blocks [first_block, first_block + count): OpenMP over markets (CPU) or one thread per market (CUDA), then each
//! block's tallies in market order. InputError for blocks outside the ensemble or a CUDA backend without a device.
std::vector<EnsembleBlockResult> compute_ensemble_blocks(const EnsembleProblem& problem, std::int64_t first_block,
                                                         std::int64_t count, Backend backend);
//! One block.
EnsembleBlockResult compute_ensemble_block(const EnsembleProblem& problem, std::int64_t block, Backend backend);

//! Market outcomes [first, first + count) on a backend, in market order (what the blocks are made of).
std::vector<MarketOutcome> solve_ensemble_markets(const EnsembleProblem& problem, std::int64_t first,
                                                  std::int64_t count, Backend backend);

//! The merged results of blocks 0..next_block−1.
struct EnsembleSummary {
  std::int64_t next_block = 0;
  EnsembleRecords records;
  EnsembleTallies tallies;

  EnsembleSummary() = default;
  explicit EnsembleSummary(const EnsembleProblem& problem);
  //! Merges the next block (std::invalid_argument if block != next_block).
  void merge(const EnsembleBlockResult& block);
  bool complete(const EnsembleProblem& problem) const { return next_block == problem.blocks(); }
};

//! Merges block results given in any order (sorted by block index first); they must be blocks 0..k−1.
EnsembleSummary merge_ensemble_blocks(const EnsembleProblem& problem, std::vector<EnsembleBlockResult> blocks);

//! A whole ensemble, as written to /ensemble/<name>.
struct EnsembleResult {
  std::string name;
  std::string scenario_toml;  //!< the resolved scenario
  EnsembleSummary summary;
  Backend backend = Backend::cpu;
  int threads = 1;
  double seconds = 0.0;
  const EnsembleProblem* problem = nullptr;  //!< the problem it solved (kept alive by the caller)
};

}  // namespace ttcg
