// The query mix of a population (docs/model.md §7, docs/scenario.md [population]): every question of its
// benchmarks with, for every provider and level, the probability of a correct answer, the billed tokens and the
// economics derived from them (value fraction, price, cost, log margin). The tables are built once per run, on the
// host, from the scenario's providers and the benchmarks' curves, question tables or run logs, and are read by the
// per-user kernels through population::QueryView. Money is USD per query.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ttcgames/inference/runlog_source.hpp"
#include "ttcgames/market/market.hpp"
#include "ttcgames/population/population_math.hpp"
#include "ttcgames/population/population_spec.hpp"

namespace ttcg {

struct MethodCurves;  // inference/curves.hpp

//! The economics of every (question, provider, level) of the query mix; arrays row-major [Q][n][K].
struct QueryTables {
  int n = 0;
  int K = 0;
  std::int64_t Q = 0;
  std::vector<std::string> providers;  //!< [n]
  std::vector<double> theta;           //!< [K]
  std::vector<double> usd_per_token;   //!< [n]
  MarketParams market;                 //!< baseline, markup and value curve used

  std::vector<std::string> benchmarks;          //!< [B]
  std::vector<double> benchmark_weight;         //!< [B]
  std::vector<double> benchmark_alpha;          //!< [B] USD
  std::vector<std::string> benchmark_source;    //!< [B] "providers", "curves" or "questions"
  std::vector<std::int64_t> benchmark_offset;   //!< [B + 1]: questions of benchmark b
  std::vector<std::int64_t> questions_dropped;  //!< [B]: qids missing from some provider's table
  std::vector<std::string> qid;                 //!< [Q]

  std::vector<double> p_correct, tokens, value_fraction, price, cost, log_margin;  //!< [Q·n·K]

  std::size_t at(std::int64_t q, int i, int k) const {
    return static_cast<std::size_t>((q * n + i) * static_cast<std::int64_t>(K) + k);
  }
  population::QueryView view() const;
};

//! Builds the query tables of a scenario's population: providers (names, prices, θ) from [providers], questions
//! from [population] benchmarks. InputError for a provider without a table, θ grids that differ, questions whose
//! intersection across providers is empty, or invalid probabilities/tokens.
//! `runlog_curves` are the curves and per-question tables of the providers' run logs, as the scenario loader derived
//! them (needed by benchmarks with runlogs = true; the run logs are not read again).
QueryTables build_query_tables(const PopulationSpec& spec, const ProviderSet& providers, const MarketParams& market,
                               const MethodCurves* runlog_curves = nullptr);

}  // namespace ttcg
