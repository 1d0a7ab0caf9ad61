// The population results in a result file (HDF5 group /population/<scenario>, specified in docs/hdf5-format.md)
// and the short summary `ttcgames run` and `ttcgames summary` print for it. Tallies are stored as count, sum, sum of
// squares, min and max (so that files, runs and MPI ranks merge exactly), with the derived mean, standard deviation
// and 95% confidence interval of the mean next to them; histograms with their quantiles.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/io/h5.hpp"
#include "ttcgames/population/population.hpp"

namespace ttcg {

//! Writes /population/<name> (InputError when the name is taken).
void write_population_group(h5::Group& root, const PopulationResult& result, const std::string& scenario_toml,
                            const std::string& scenario_file, const std::string& description);

//! A mean with its 95% confidence interval (normal approximation) and standard deviation.
struct MeanCI {
  double mean = 0.0, sd = 0.0, lo = 0.0, hi = 0.0;
  std::int64_t count = 0;
};
MeanCI mean_ci(const Tally& t);

//! What the summary prints for one population.
struct PopulationSummary {
  std::string name, description, backend, optimum_method, beta_text, value_scale_text, v0_text;
  std::int64_t users = 0, replicates = 0, questions = 0;
  std::uint64_t seed = 0;
  int n = 0, K = 0;
  std::vector<std::string> providers;
  std::vector<double> theta;
  std::vector<int> first_profile;   //!< the first replicate's reached profile
  std::vector<double> mean_shares;  //!< [n] over replicates
  double outside_share = 0.0;
  MeanCI equilibrium_welfare, optimal_welfare, first_best, price_of_anarchy;
  double max_regret = 0.0, max_relative_regret = 0.0, optimum_gap = 0.0;
  std::int64_t converged = 0;
  bool realized = false;
  MeanCI market_welfare, market_surplus, market_payment, market_profit;
  MeanCI auction_welfare, auction_surplus, auction_payment, auction_profit;
  double market_welfare_median = 0.0, auction_welfare_median = 0.0;
  double seconds = 0.0;
};

PopulationSummary summarize_population(const PopulationResult& result);
//! One summary per /population group of a result file.
std::vector<PopulationSummary> read_population_summaries(const std::string& path);
void print_population_summary(std::ostream& out, const PopulationSummary& s);

}  // namespace ttcg
