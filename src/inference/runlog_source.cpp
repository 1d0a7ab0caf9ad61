#include <algorithm>
#include <set>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/runlog_source.hpp"

namespace ttcg {

static_assert(RUNLOG_SOURCE_PERMUTATIONS == DEFAULT_PERMUTATIONS);

std::vector<RunLog> read_model_logs(const std::vector<std::string>& files, const RunLogOptions& options) {
  if (files.empty()) throw InputError("no run-log files given");
  std::vector<std::string> models;
  std::vector<std::vector<std::string>> groups;
  for (const std::string& f : files) {
    const std::string m = model_from_file_name(f);
    const auto it = std::find(models.begin(), models.end(), m);
    if (it == models.end()) {
      models.push_back(m);
      groups.push_back({f});
    } else {
      groups[static_cast<std::size_t>(it - models.begin())].push_back(f);
    }
  }
  std::vector<RunLog> logs;
  for (const auto& g : groups) logs.push_back(read_runlog(g, options));
  return logs;
}

MethodCurves curves_from_runlogs(const RunLogCurvesSource& s, const std::vector<std::string>& models) {
  RunLogOptions read;
  if (!s.mapping.empty()) read.mapping = load_field_mapping(s.mapping);
  read.strictness = s.strict ? Strictness::strict : Strictness::skip_malformed;
  std::vector<RunLog> logs = read_model_logs(s.files, read);
  if (!models.empty()) {
    std::vector<RunLog> chosen;
    std::set<std::string> listed;
    for (const std::string& m : models) {
      if (!listed.insert(m).second) throw InputError("models: model '" + m + "' is listed twice");
      const auto it = std::find_if(logs.begin(), logs.end(), [&](const RunLog& l) { return l.model == m; });
      if (it == logs.end()) {
        std::string have;
        for (const RunLog& l : logs) have += (have.empty() ? "" : ", ") + l.model;
        throw InputError("models: no run log of model '" + m + "' (models in the logs: " + have + ")");
      }
      chosen.push_back(std::move(*it));
    }
    logs = std::move(chosen);
  }
  CurveOptions o;
  o.estimator = parse_estimator(s.estimator);
  o.permutations = s.permutations;
  o.seed = s.seed;
  o.theta = s.theta;
  o.bootstrap = 0;  // a market uses the curves only
  if (s.jitter != "philox" && s.jitter != "numpy") throw InputError("jitter '" + s.jitter + "': valid: philox, numpy");
  o.effort.jitter = s.jitter == "numpy" ? Jitter::numpy : Jitter::philox;
  const CurveMethod method = parse_curve_method(s.method);
  std::vector<MethodCurves> curves = compute_curves(logs, {method}, o);
  if (curves.empty()) throw InputError("run logs: no curves computed");
  return std::move(curves.front());
}

}  // namespace ttcg
