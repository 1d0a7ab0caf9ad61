// Run logs as a source of provider curves: a scenario's [providers] runlogs = [...] (docs/scenario.md): the files,
// how to read them and which curve estimator turns them into the market's accuracy and token curves (curves.hpp).
// This header is light (no reader, no HDF5, no estimator types) so that scenario.hpp can hold a RunLogCurvesSource.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ttcg {

//! Random permutations per question by default: DEFAULT_PERMUTATIONS of curves.hpp (checked in curves_source.cpp).
constexpr std::int64_t RUNLOG_SOURCE_PERMUTATIONS = 1000;

//! A scenario's run-log provider source. Names as in the curves command: method "majority" | "best-of-n" |
//! "pass@k" | "relative-effort", estimator "permutations" | "exact" | "logged-order", jitter "philox" | "numpy".
struct RunLogCurvesSource {
  std::vector<std::string> files;   //!< run-log files (paths resolved)
  std::string mapping;              //!< field-mapping file ("" = the reference layout)
  std::string method = "majority";  //!< the curve method
  std::string estimator = "permutations";
  std::int64_t permutations = RUNLOG_SOURCE_PERMUTATIONS;
  std::uint64_t seed = 0;
  std::vector<int> theta;  //!< levels of the sample-count methods (empty: the reference grid)
  std::string jitter = "philox";
  bool strict = false;  //!< a malformed record fails the read instead of being skipped
};

struct MethodCurves;  // curves.hpp

//! Where the providers came from (kept for the resolved scenario text).
struct ProviderSource {
  std::string curves;  //!< curves CSV path ("" for inline providers and run logs)
  std::string prices;  //!< prices CSV path
  std::vector<std::string> models;
  std::optional<RunLogCurvesSource> runlogs;  //!< curves computed from run logs
  //! With `runlogs`: the curves and per-question tables derived from the run logs (inference stage), computed once
  //! by the loader; the providers are priced from them and the population's runlogs benchmarks take their tables.
  std::shared_ptr<const MethodCurves> runlog_curves;
};

}  // namespace ttcg
