// The summary of a population as read back from /population/<scenario> of a result file (format 1 or 2): the
// settings, the reached profile, the converged / non_converged replicate counts and every statistic group (over
// converged replicates, and per user in the market, the auction and the first best) with its Student-t interval.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ttcgames/io/h5.hpp"
#include "ttcgames/io/statistic_group.hpp"

namespace ttcg {

//! A statistic of a population or an ensemble with where it lives: group "replicates" (over replicates), "market",
//! "auction" (per user), "first_best" (populations) or "markets" (ensembles).
struct NamedStatistic {
  std::string group, quantity, label;
  h5::Statistic statistic;
};

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
  double max_regret = 0.0, max_relative_regret = 0.0, optimum_gap = 0.0;
  std::int64_t converged = 0, non_converged = 0;
  bool realized = false;
  std::vector<NamedStatistic> statistics;
  double seconds = 0.0;

  //! The statistic `quantity` of `group`, or nullptr.
  const NamedStatistic* find(const std::string& group, const std::string& quantity) const;
};

//! One summary per /population group of an open file of format major version `format_major`.
std::vector<PopulationSummary> read_population_summaries(const h5::Group& root, int format_major);
void print_population_summary(std::ostream& out, const PopulationSummary& s);

}  // namespace ttcg
