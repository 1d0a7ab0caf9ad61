// The plan of the curves of a set of run logs (part of curves.hpp): what compute_curves computes, checked before any
// of the work; the logs' curves assembled by method; the drivers over several logs.
#include <algorithm>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"

namespace ttcg {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

//! The estimator a method gets when `asked` is requested (majority has no closed form: permutations).
Estimator estimator_for(CurveMethod method, Estimator asked) {
  return asked == Estimator::exact && method == CurveMethod::majority ? Estimator::permutations : asked;
}

//! Adds the sample-count methods `counting` (in that order) over the logs `covered` to `plan`, after checking them.
void plan_sample_count(CurvesPlan& plan, const std::vector<RunLog>& logs, const std::vector<std::size_t>& covered,
                       const std::vector<CurveMethod>& counting, const CurveOptions& o) {
  check_curve_options(o);
  if (covered.empty()) throw InputError("curves: no run logs given");
  if (counting.empty()) throw std::invalid_argument("sample_count_curves: no methods");
  for (std::size_t i = 0; i < counting.size(); ++i) {
    if (counting[i] == CurveMethod::relative_effort)
      throw std::invalid_argument("sample_count_curves: relative effort is not a sample-count method");
    for (std::size_t j = 0; j < i; ++j)
      if (counting[i] == counting[j]) throw std::invalid_argument("sample_count_curves: a method is listed twice");
  }
  std::set<std::string> names;
  std::int64_t smallest = std::numeric_limits<std::int64_t>::max();
  for (const std::size_t index : covered) {
    const RunLog& log = logs[index];
    if (!names.insert(log.model).second)
      throw InputError("curves: model '" + log.model + "' appears in two run logs (" + join(log.files) +
                       "); give each model's samples once, or name the models apart");
    if (log.questions() == 0) throw InputError("model '" + log.model + "': the run log has no questions");
    if (log.min_samples() < 1)
      throw InputError("model '" + log.model + "': some question has no samples (files: " + join(log.files) + ")");
    smallest = std::min(smallest, log.min_samples());
  }
  std::vector<int> grid = o.theta.empty() ? reference_theta_grid(smallest) : o.theta;
  if (grid.empty())
    throw InputError("curves: with " + std::to_string(smallest) +
                     " sample(s) per question the reference level grid (powers of two below N, without 2) is empty; "
                     "give the levels explicitly (--theta)");
  for (std::size_t k = 0; k < grid.size(); ++k)
    if (grid[k] < 1 || (k > 0 && grid[k] <= grid[k - 1]))
      throw InputError("curves: levels theta must be positive and strictly increasing");
  for (const std::size_t index : covered)
    if (grid.back() > logs[index].min_samples())
      throw InputError("curves: level theta = " + std::to_string(grid.back()) + " exceeds the " +
                       std::to_string(logs[index].min_samples()) + " samples per question of model '" +
                       logs[index].model + "' (its smallest question)");
  plan.levels.assign(grid.begin(), grid.end());
  for (const CurveMethod method : counting) {
    MethodCurves mc;
    mc.method = method;
    mc.estimator = estimator_for(method, o.estimator);
    mc.theta.assign(grid.begin(), grid.end());
    mc.seed = o.seed;
    mc.permutations = mc.estimator == Estimator::permutations ? o.permutations : 0;
    mc.bootstrap = o.bootstrap;
    mc.confidence = o.confidence;
    plan.methods.push_back(std::move(mc));
    plan.logs.push_back(covered);
  }
}

//! Adds the relative effort over the logs `covered` to `plan`, after checking them.
void plan_relative_effort(CurvesPlan& plan, const std::vector<RunLog>& logs, const std::vector<std::size_t>& covered,
                          const CurveOptions& o) {
  if (covered.empty()) throw InputError("curves: no run logs given");
  check_curve_options(o);
  MethodCurves mc;
  mc.method = CurveMethod::relative_effort;
  mc.estimator = Estimator::permutations;
  for (int b = 1; b <= RELATIVE_EFFORT_BINS; ++b) mc.theta.push_back(b);
  mc.seed = o.seed;
  mc.bootstrap = o.bootstrap;
  mc.confidence = o.confidence;
  mc.jitter = o.effort.jitter;
  std::set<std::string> names;
  for (const std::size_t index : covered) {
    if (!names.insert(logs[index].model).second)
      throw InputError("curves: model '" + logs[index].model +
                       "' appears in two run logs; give each model's samples once");
    check_thinking_tokens(logs[index]);
  }
  plan.methods.push_back(std::move(mc));
  plan.logs.push_back(covered);
}

//! Every log's curves under `plan`, assembled.
std::vector<MethodCurves> run_plan(const std::vector<RunLog>& logs, const CurvesPlan& plan, const CurveOptions& o) {
  std::vector<std::vector<ModelCurve>> per_log;
  for (std::size_t i = 0; i < logs.size(); ++i) per_log.push_back(log_curves(logs[i], i, plan, o));
  return assemble_curves(plan, std::move(per_log));
}

std::vector<std::size_t> all_logs(std::size_t count) {
  std::vector<std::size_t> v(count);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

}  // namespace

void check_thinking_tokens(const RunLog& log) {
  if (!log.has_think_tokens())
    throw InputError("model '" + log.model +
                     "': relative effort needs thinking tokens (num_tokens = [think, total]); the log (" +
                     join(log.files) + ") gives only totals");
}

std::vector<std::size_t> CurvesPlan::methods_of(std::size_t log) const {
  std::vector<std::size_t> out;
  for (std::size_t m = 0; m < methods.size(); ++m)
    if (std::binary_search(logs[m].begin(), logs[m].end(), log)) out.push_back(m);
  return out;
}

CurvesPlan plan_curves(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods,
                       const CurveOptions& o) {
  if (logs.empty()) throw InputError("curves: no run logs given");
  std::vector<CurveMethod> counting;
  bool effort = false;
  for (const CurveMethod m :
       {CurveMethod::majority, CurveMethod::best_of_n, CurveMethod::pass_at_k, CurveMethod::relative_effort}) {
    if (!methods.empty() && std::find(methods.begin(), methods.end(), m) == methods.end()) continue;
    if (m == CurveMethod::relative_effort)
      effort = true;
    else
      counting.push_back(m);
  }
  std::vector<std::size_t> instruct, reasoning;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    if (methods.empty()) {
      (logs[i].has_think_tokens() ? reasoning : instruct).push_back(i);
    } else {
      if (!counting.empty()) instruct.push_back(i);
      if (effort) reasoning.push_back(i);
    }
  }
  CurvesPlan plan;
  if (!counting.empty() && !instruct.empty()) plan_sample_count(plan, logs, instruct, counting, o);
  if (effort && !reasoning.empty()) plan_relative_effort(plan, logs, reasoning, o);
  return plan;
}

std::vector<MethodCurves> assemble_curves(const CurvesPlan& plan, std::vector<std::vector<ModelCurve>> per_log) {
  std::vector<MethodCurves> out = plan.methods;
  std::vector<std::size_t> next(per_log.size(), 0);
  for (std::size_t m = 0; m < out.size(); ++m)
    for (const std::size_t i : plan.logs[m]) {
      if (i >= per_log.size() || next[i] >= per_log[i].size())
        throw std::logic_error("assemble_curves: log " + std::to_string(i) + " lacks a curve of method " +
                               to_string(out[m].method));
      out[m].models.push_back(std::move(per_log[i][next[i]++]));
    }
  for (std::size_t i = 0; i < per_log.size(); ++i)
    if (next[i] != per_log[i].size())
      throw std::logic_error("assemble_curves: log " + std::to_string(i) + " has curves of no method");
  return out;
}

std::vector<MethodCurves> sample_count_curves(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods,
                                              const CurveOptions& o) {
  CurvesPlan plan;
  plan_sample_count(plan, logs, all_logs(logs.size()), methods, o);
  return run_plan(logs, plan, o);
}

MethodCurves relative_effort_curves(const std::vector<RunLog>& logs, const CurveOptions& o) {
  CurvesPlan plan;
  plan_relative_effort(plan, logs, all_logs(logs.size()), o);
  return run_plan(logs, plan, o).front();
}

std::vector<MethodCurves> compute_curves(const std::vector<RunLog>& logs, const std::vector<CurveMethod>& methods,
                                         const CurveOptions& o) {
  return run_plan(logs, plan_curves(logs, methods, o), o);
}

}  // namespace ttcg
