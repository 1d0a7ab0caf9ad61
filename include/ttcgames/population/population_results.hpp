// The population results in a result file (HDF5 group /population/<scenario>, specified in docs/hdf5-format.md).
// Statistics are statistic groups (io/statistic_group.hpp): count, sum, sum of squares, min and max (so that files,
// runs and MPI ranks merge exactly) with the derived mean, standard deviation, standard error and Student-t 95%
// interval of the mean next to them; per-user quantities with their histograms and quantiles. Replicates whose
// dynamics did not converge keep their row in replicates/ but are left out of every statistic (counted in
// non_converged). The summary printed from the file is run/population_summary.hpp.
#pragma once

#include <string>

#include "ttcgames/io/h5.hpp"
#include "ttcgames/population/population.hpp"

namespace ttcg {

//! Writes /population/<name> (InputError when the name is taken).
void write_population_group(h5::Group& root, const PopulationResult& result, const std::string& scenario_toml,
                            const std::string& scenario_file, const std::string& description);

}  // namespace ttcg
