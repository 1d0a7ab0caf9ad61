// Monte Carlo over heterogeneous users and queries (docs/model.md §7): the pay-per-compute market under the
// population's mixed-logit demand and the per-query reverse second-price auction, with realized outcomes per user.
//
// Model. A replicate draws U users (population_spec.hpp, population_math.hpp): user u has α_u (USD), β_u (1/USD),
// v0_u (USD) and a question q_u. Demand at a profile k is the population average of the users' logit choices:
//   s_i(k) = mean_u s_iu(k),   u_i(k) = mean_u s_iu(k)·(p_iu − c_iu),   SW(k) = mean_u [Σ_i s_iu W_iu + s_0u v0_u].
// The equilibrium is reached by the market engine's dynamics (equilibrium_math.hpp, same rules and provider orders)
// through a population utility oracle, one pass over the users per visit, and certified by the maximum regret over
// unilateral deviations computed by an independent function (full aggregates, not the oracle's A_{−i}). The social
// optimum SW* = max_k SW(k) is a sum of ratios (Dinkelbach does not apply): exact by enumerating the K^n profiles
// when K^n·U is affordable, otherwise a local search certified by an upper bound. The first best
// FB = mean_u max(v0_u, max_{i,k} W_iu(k)) serves every query at its best level.
//
// Work is split into fixed blocks of users (PopulationSpec::block_size; block b holds users [b·B, min((b+1)·B, U))).
// Every pass computes one partial result per block and merges them in block order, so results are bitwise identical
// for any thread count; the *_block functions and merge functions below are public so that blocks can be spread
// over MPI ranks and checkpointed. Per-user values are bitwise identical on the CPU and CUDA backends (portable math,
// Philox); the backends' sums over users differ only by rounding (POPULATION_BACKEND_TOLERANCE).
//
// Money is USD per query (per user), β is 1/USD, tokens are billed output tokens.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ttcgames/core/archive.hpp"
#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/tally.hpp"
#include "ttcgames/inference/runlog_source.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/market.hpp"
#include "ttcgames/population/population_math.hpp"
#include "ttcgames/population/population_spec.hpp"
#include "ttcgames/population/query_tables.hpp"

namespace ttcg {

struct Scenario;

//! Relative difference allowed between the CPU and CUDA sums over users (rounding of differently ordered sums).
constexpr double POPULATION_BACKEND_TOLERANCE = 1e-12;
//! Tail probability at which the histogram range of an unbounded (lognormal) distribution is cut.
constexpr double POPULATION_HISTOGRAM_TAIL = 1e-4;
//! Probabilities of the reported quantiles.
inline const std::vector<double> POPULATION_QUANTILES = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99};
//! Relative improvement of SW a local-search move needs (against cycling on rounding).
constexpr double POPULATION_LOCAL_SEARCH_TOLERANCE = 1e-12;

//! One replicate's users, structure of arrays.
struct Population {
  std::int64_t replicate = 0;
  std::vector<double> alpha, beta, v0;  //!< [U] USD, 1/USD, USD
  std::vector<std::int32_t> question;   //!< [U]
  std::int64_t size() const { return static_cast<std::int64_t>(alpha.size()); }
  population::UsersView view() const;
};

//! Users [begin, end) of block b.
struct BlockRange {
  std::int64_t begin = 0, end = 0;
};
BlockRange block_range(std::int64_t users, std::int64_t block_size, std::int64_t b);

//! Host storage behind a SamplingView.
struct PopulationSampler {
  dist::PreparedDistribution value_scale, beta, v0;
  dist::AliasTable benchmark;
  std::vector<std::int64_t> benchmark_offset;
  std::vector<double> benchmark_alpha;
  std::uint64_t seed = 0;
  PopulationSampler(const PopulationSpec& spec, const QueryTables& tables);
  population::SamplingView view() const;
};

//! Draws the users of block b of a replicate into `out` (already sized to U).
void sample_block(const PopulationSampler& sampler, std::int64_t replicate, std::int64_t block_size, std::int64_t b,
                  Population& out);
//! Draws a whole replicate on the CPU (blocks in parallel).
Population sample_population(const PopulationSampler& sampler, std::int64_t users, std::int64_t replicate,
                             std::int64_t block_size);

//! Expected demand at one profile (population means).
struct Demand {
  std::vector<double> shares;   //!< [n] mean_u s_iu
  double outside_share = 0.0;   //!< mean_u s_0u
  std::vector<double> profit;   //!< [n] provider utility u_i = mean_u s_iu (p − c) (USD)
  double welfare = 0.0;         //!< SW (USD)
  double weighted_value = 0.0;  //!< mean_u Σ_i s_iu V_iu (USD)
  double weighted_price = 0.0;  //!< mean_u Σ_i s_iu p_iu (USD)
};

//! Sums over the users of one block (what Demand averages), 8-lane fixed order inside the block.
struct DemandSums {
  std::int64_t users = 0;
  std::vector<double> shares, profit;  //!< [n]
  double outside = 0.0, welfare = 0.0, value = 0.0, price = 0.0;
  void merge(const DemandSums& next);  //!< adds the next block's sums
  Demand mean() const;
};

//! Per-block partial of the oracle pass: for every level k, log Σ_u e^{t_u(k)} as an online log-sum.
struct UtilitySums {
  std::vector<population::OnlineLogSum> levels;  //!< [K]
  void merge(const UtilitySums& next);
};

//! Per-block partial of a welfare pass over the K deviations of one provider.
struct WelfareSums {
  std::vector<double> levels;  //!< [K] Σ_u SW_u
  void merge(const WelfareSums& next);
};

//! The query tables at a profile ([Q][n] arrays).
struct ProfileTables {
  std::vector<double> value_fraction, price, cost;
  ProfileTables(const QueryTables& t, std::span<const int> profile);
  population::ProfileView view(int n, std::int64_t Q) const;
};

//! CPU block kernels (src/population/population_cpu.cpp). Each reads users [range.begin, range.end) of `users`.
DemandSums demand_block(const population::QueryView& g, const population::ProfileView& t,
                        const population::UsersView& users, BlockRange range);
UtilitySums utilities_block(const population::QueryView& g, const population::ProfileView& t,
                            const population::UsersView& users, int provider, BlockRange range);
//! Independent of utilities_block: log u_i(level, k_{−i}) for every provider and level from full aggregates,
//! [n·K] (provider-major), as online log-sums of this block.
std::vector<population::OnlineLogSum> deviations_block(const population::QueryView& g, std::span<const int> profile,
                                                       const population::UsersView& users, BlockRange range);
WelfareSums welfare_deviations_block(const population::QueryView& g, const population::ProfileView& t,
                                     const population::UsersView& users, int provider, BlockRange range);
//! Σ_u SW_u at every profile index in [first, first + count) (base-K digits, provider 0 most significant).
std::vector<double> welfare_profiles_block(const population::QueryView& g, const population::UsersView& users,
                                           std::int64_t first, std::int64_t count, BlockRange range);

//! Per-user realized outcomes of one regime, tallied.
struct RegimeTallies {
  Tally welfare, user_surplus, payment, profit, tokens, expected_welfare;
  Tally correct;                               //!< 0/1 over served users
  std::vector<std::int64_t> choices;           //!< [n + 1] users served by provider i; the outside option last
  std::vector<double> provider_profit_sum;     //!< [n] Σ over the users provider i served of its profit (USD)
  std::vector<double> provider_profit_sum_sq;  //!< [n] Σ of the squares (USD²); per user: divide by welfare.count
  Histogram welfare_hist, user_surplus_hist, payment_hist, profit_hist;
  void merge(const RegimeTallies& next);
};

//! Histogram ranges of the per-user quantities (fixed before any block runs, so that blocks merge exactly).
struct HistogramRanges {
  double welfare_lo, welfare_hi, surplus_lo, surplus_hi, payment_lo, payment_hi, profit_lo, profit_hi;
  int bins;
};
HistogramRanges histogram_ranges(const QueryTables& t, const PopulationSpec& spec);

enum class Regime { market, auction };

//! Realized outcomes of one block of users: the market at `profile`, and the auction.
struct OutcomeTallies {
  RegimeTallies market, auction;
  Tally first_best;  //!< per-user first best (USD)
  void merge(const OutcomeTallies& next);
};
OutcomeTallies make_outcome_tallies(int n, const HistogramRanges& ranges);

//! Per-user outcomes of one block (CPU): the market at `profile` and the auction with `reserve`.
OutcomeTallies outcome_block(const population::QueryView& g, const ProfileTables& at_profile,
                             std::span<const int> profile, const population::UsersView& users, Reserve reserve,
                             std::uint64_t seed, std::int64_t replicate, BlockRange range,
                             const HistogramRanges& ranges);

//! The per-user outcome records of users [range.begin, range.end) (for tests and the CUDA parity check).
struct UserOutcomes {
  std::vector<population::Outcome> market, auction;
  std::vector<double> first_best;
};
UserOutcomes user_outcomes(const population::QueryView& g, const ProfileTables& at_profile,
                           std::span<const int> profile, const population::UsersView& users, Reserve reserve,
                           std::uint64_t seed, std::int64_t replicate, BlockRange range);
//! Adds per-user records to tallies in user order (the CUDA path tallies device records with it).
void tally_outcomes(const UserOutcomes& records, const population::UsersView& users, BlockRange range,
                    OutcomeTallies& out);

//! The population market of one replicate on one backend: users resident (on the device for cuda), passes over
//! them with fixed blocks. Not thread-safe; one engine per replicate.
class PopulationEngine {
 public:
  PopulationEngine(const QueryTables& tables, const PopulationSpec& spec, std::int64_t replicate, Backend backend);
  ~PopulationEngine();
  PopulationEngine(const PopulationEngine&) = delete;
  PopulationEngine& operator=(const PopulationEngine&) = delete;

  int providers() const { return tables_->n; }
  int levels() const { return tables_->K; }
  std::int64_t users() const { return users_.size(); }
  std::int64_t blocks() const;
  Backend backend() const { return backend_; }
  const Population& population() const { return users_; }
  const QueryTables& tables() const { return *tables_; }

  Demand demand(std::span<const int> profile) const;
  //! log u_i(k, k_{−i}) for every level k (one pass); out has K entries.
  void log_utilities(std::span<const int> profile, int i, std::span<double> out) const;
  //! SW(k, k_{−i}) for every level k of provider i (one pass).
  void welfare_deviations(std::span<const int> profile, int i, std::span<double> out) const;
  //! SW of `count` consecutive profile indices from `first`.
  std::vector<double> welfare_of_profiles(std::int64_t first, std::int64_t count) const;
  //! Maximum regret over unilateral deviations, from full aggregates (independent of log_utilities).
  Certificate certify(std::span<const int> profile) const;
  //! mean_u first best (USD).
  double first_best() const;
  //! Realized outcomes of every user (tallied in block order).
  OutcomeTallies outcomes(std::span<const int> profile, Reserve reserve, const HistogramRanges& ranges) const;
  //! Per-user outcome records of users [range.begin, range.end).
  UserOutcomes user_outcome_records(std::span<const int> profile, Reserve reserve, BlockRange range) const;

  //! Number of user passes run so far (one per demand/oracle/deviation call, per profile for enumeration).
  std::int64_t passes() const { return passes_; }

 private:
  const QueryTables* tables_;
  PopulationSpec spec_;
  Backend backend_;
  Population users_;
  struct Device;
  std::unique_ptr<Device> device_;
  mutable std::int64_t passes_ = 0;
};

//! The mixed-logit utility oracle of equilibrium_math.hpp over an engine: prepare() runs one pass over the users and
//! caches log u_i(k) for every k. The passes are memoized by (i, k_{−i}) (log u_i depends on nothing else): mixed-logit
//! demand has no potential, the dynamics can cycle until max_rounds, and a cycle then costs no further passes.
class PopulationOracle {
 public:
  //! At most this many (provider, others' levels) entries are memoized (K doubles each); later ones are recomputed.
  static constexpr std::size_t MAX_MEMO = 1 << 16;

  explicit PopulationOracle(const PopulationEngine& engine);
  int providers() const { return engine_->providers(); }
  int levels() const { return engine_->levels(); }
  void reset(const int*) {}
  void prepare(const int* profile, int i);
  double log_utility(int, int k) const { return (*current_)[k]; }
  void moved(const int*, int) {}
  //! Passes run (memoized visits excluded).
  std::int64_t passes() const { return passes_; }

 private:
  const PopulationEngine* engine_;
  std::map<std::vector<int>, std::vector<double>> memo_;
  std::vector<double> scratch_;
  const std::vector<double>* current_ = nullptr;
  std::int64_t passes_ = 0;
};

//! The social optimum under population demand.
struct PopulationOptimum {
  Profile profile;
  double welfare = 0.0;      //!< SW at profile (USD)
  double upper_bound = 0.0;  //!< certified SW* ≤ upper_bound (USD): = welfare when enumerated
  std::string method;        //!< "enumeration" or "local-search"
  std::int64_t profiles_evaluated = 0;
  int starts = 0;  //!< local search: starting profiles
};

//! One replicate's results.
struct ReplicateResult {
  std::int64_t replicate = 0;
  DynamicsResult dynamics;
  Certificate certificate;
  Demand demand;  //!< at the reached profile
  double equilibrium_welfare = 0.0;
  PopulationOptimum optimum;
  double first_best = 0.0;
  double price_of_anarchy = 0.0;  //!< SW*/SW(reached) (SW* the optimum found; see optimum.method)
  OutcomeTallies outcomes;        //!< empty when realize = false
  std::int64_t passes = 0;
  double seconds = 0.0;
};

struct PopulationResult {
  std::string name;
  PopulationSpec spec;
  QueryTables tables;
  DynamicsOptions dynamics;
  Reserve reserve = Reserve::none;
  HistogramRanges ranges{};
  std::vector<ReplicateResult> replicates;
  OutcomeTallies outcomes;  //!< all replicates merged in order
  Backend backend = Backend::cpu;
  double seconds = 0.0;
};

//! The replicate-independent part of a population run (query tables, histogram ranges, settings) with no replicate
//! yet: a run is prepare_population, then solve_replicate and add_replicate for r = 0, 1, ... The
//! replicates are the work units of a run (run/population_stage.hpp): replicate r depends only on the setup and r.
//! Replicate r of a prepared population (its users are drawn from the Philox streams at replicate r).
ReplicateResult solve_replicate(const PopulationResult& setup, std::int64_t replicate, Backend backend);
//! Appends the next replicate (replicate.replicate must equal the number already added) and merges its outcomes
//! when its dynamics converged (a non-converged replicate is kept out of every statistic).
void add_replicate(PopulationResult& result, ReplicateResult replicate);

}  // namespace ttcg
