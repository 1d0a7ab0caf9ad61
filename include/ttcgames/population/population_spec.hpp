// The [population] section of a scenario (docs/scenario.md): a Monte Carlo population of U users, each with its
// own value scale, rationality β_u (1/USD) and outside option v0_u (USD), drawn from distributions, and a query
// drawn from a benchmark's questions (per-question tables of a curves HDF5 file), from a weighted mix of
// benchmarks, or, when only curves exist, from the curves' average accuracy. The user's dollar value of its query
// is α_u = value_scale_u · α_b, with α_b the α (USD) of the query's benchmark. Plain settings: what the engine does
// with them is population.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ttcgames/core/distributions.hpp"

namespace ttcg {

//! Where one benchmark's queries come from.
enum class QuerySourceKind {
  providers,  //!< the scenario's [providers] curves: one "average question" per benchmark (average accuracy)
  curves,     //!< a curves CSV: average accuracy and tokens per (model, level)
  questions,  //!< per-question tables /curves/<dataset>/<method>/questions/<model> of a curves HDF5 file
  runlogs,    //!< the per-question tables of the scenario's run-log providers ([providers] runlogs)
};
const char* to_string(QuerySourceKind kind);

//! One benchmark of the query mix.
struct BenchmarkSpec {
  std::string name;     //!< label (unique)
  double weight = 1.0;  //!< relative probability that a user's query comes from this benchmark
  double alpha = 0.0;   //!< α_b, dollar value of a query of this benchmark (USD)
  QuerySourceKind source = QuerySourceKind::providers;
  std::string file;     //!< curves CSV or curves HDF5 (resolved path); "" for providers
  std::string dataset;  //!< questions: the curves file's dataset group
  std::string method;   //!< questions: the method group ("majority", "best-of-n", ...)
};

enum class OptimumMethod {
  automatic,     //!< enumeration when K^n·U ≤ max_enumeration, else local search
  enumeration,   //!< every profile, one pass over the users each
  local_search,  //!< coordinate ascent on SW from several starts, certified by an upper bound
};
const char* to_string(OptimumMethod method);

//! Defaults of [population].
constexpr std::int64_t POPULATION_DEFAULT_USERS = 100'000;
constexpr std::int64_t POPULATION_DEFAULT_BLOCK_SIZE = 4096;
constexpr std::int64_t POPULATION_MAX_USERS = 4'000'000'000;  //!< user indices are 32-bit Philox counters
constexpr std::int64_t POPULATION_MAX_REPLICATES = 1'000'000;
constexpr double POPULATION_DEFAULT_MAX_ENUMERATION = 2e8;  //!< K^n·U user evaluations for the exact optimum
constexpr int POPULATION_DEFAULT_HISTOGRAM_BINS = 200;

struct PopulationSpec {
  std::int64_t users = POPULATION_DEFAULT_USERS;                          //!< U, per replicate
  std::int64_t replicates = 1;                                            //!< independent populations
  std::uint64_t seed = 0;                                                 //!< Philox seed of every population stream
  std::int64_t block_size = POPULATION_DEFAULT_BLOCK_SIZE;                //!< users per fixed work block
  dist::Distribution value_scale = dist::Distribution::fixed_value(1.0);  //!< α_u / α_b (dimensionless)
  dist::Distribution beta = dist::Distribution::fixed_value(0.0);         //!< β_u (1/USD)
  dist::Distribution v0 = dist::Distribution::fixed_value(0.0);           //!< v0_u (USD)
  std::vector<BenchmarkSpec> benchmarks;  //!< the query mix (at least one after loading)
  OptimumMethod optimum = OptimumMethod::automatic;
  double max_enumeration = POPULATION_DEFAULT_MAX_ENUMERATION;
  int histogram_bins = POPULATION_DEFAULT_HISTOGRAM_BINS;
  bool realize = true;  //!< sample realized outcomes (market and auction) per user

  std::int64_t blocks() const { return (users + block_size - 1) / block_size; }
};

}  // namespace ttcg
