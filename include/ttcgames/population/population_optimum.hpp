// The social optimum SW* of a population's market under its mixed-logit demand (docs/model.md, populations): by
// enumeration of all K^n profiles when `optimum` = "enumeration" or the work K^n · users is within
// `max_enumeration`, else by coordinate ascent from the reached equilibrium, all-lowest and all-highest profiles,
// certified from above by mean_u of each user's own logit optimum (upper_bound; = welfare when enumerated). USD.
#pragma once

#include <span>

#include "ttcgames/population/population.hpp"

namespace ttcg {

//! SW* under population demand, with its profile, method and certified upper bound.
PopulationOptimum population_optimum(const PopulationEngine& engine, const PopulationSpec& spec,
                                     std::span<const int> equilibrium);

}  // namespace ttcg
