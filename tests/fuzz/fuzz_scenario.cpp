// Fuzz target: the scenario loader (docs/scenario.md). The input is a scenario's TOML text, loaded as if it lay in
// inputs/paper/ (so that curves = "curves/GSM8K_majority.csv" and prices = "prices.csv" resolve). A scenario that
// loads must load again from its resolved TOML (what the result file records) to the same resolved TOML.
#include <cstdio>
#include <cstdlib>

#include "fuzz_support.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string origin = std::string(TTCG_INPUTS_DIR) + "/paper/fuzz-input.toml";
  ttcg::Scenario scenario;
  try {
    scenario = ttcg::parse_scenario(ttcg::fuzz::text_of(data, size), origin);
  } catch (const ttcg::InputError&) {
    return 0;
  }
  const std::string resolved = scenario.resolved_toml();
  try {
    if (ttcg::parse_scenario(resolved, origin).resolved_toml() == resolved) return 0;
    std::fprintf(stderr, "the resolved TOML loads to another resolved TOML:\n%s\n", resolved.c_str());
  } catch (const ttcg::InputError& e) {
    std::fprintf(stderr, "the resolved TOML of a loaded scenario does not load: %s\n%s\n", e.what(), resolved.c_str());
  }
  std::abort();
}
