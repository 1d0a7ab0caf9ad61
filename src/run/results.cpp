#include "ttcgames/run/results.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/version.hpp"
#include "ttcgames/io/h5.hpp"

namespace ttcg {

std::string combined_scenario_toml(const std::vector<const Scenario*>& scenarios) {
  std::string text;
  for (const Scenario* s : scenarios) {
    if (scenarios.size() > 1) text += "# ---- scenario " + s->name + " ----\n";
    text += s->resolved_toml();
  }
  return text;
}

}  // namespace ttcg
