// Output of the inference stage: /curves/<dataset>/<method> groups of a result file (docs/hdf5-format.md), the
// curves as market providers, and the curves CSV.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/io/atomic_file.hpp"

namespace ttcg {

namespace {

//! A model name as an HDF5 link name ('/' separates groups).
std::string link_name(const std::string& model) {
  std::string s = model;
  std::replace(s.begin(), s.end(), '/', '_');
  if (s.empty() || s == "." || s == "..") s = "_" + s;
  return s;
}

void write_group(h5::Group& g, const MethodCurves& mc) {
  const std::size_t M = mc.models.size(), K = mc.theta.size();
  const h5::Dims MK{h5::extent(M), h5::extent(K)};
  const bool effort = mc.method == CurveMethod::relative_effort;
  g.write_attribute_string("method", to_string(mc.method));
  g.write_attribute_string("estimator", effort ? "relative-effort" : to_string(mc.estimator));
  g.write_attribute_i64("seed", static_cast<std::int64_t>(mc.seed));
  g.write_attribute_i64("permutations", mc.permutations);
  g.write_attribute_i64("bootstrap_samples", mc.bootstrap);
  g.write_attribute_f64("confidence", mc.confidence);
  if (effort) {
    g.write_attribute_string("jitter", to_string(mc.jitter));
    g.write_attribute_f64("min_think", RELATIVE_EFFORT_MIN_THINK);
    g.write_attribute_f64("max_total", RELATIVE_EFFORT_MAX_TOTAL);
  }

  std::vector<std::string> names;
  for (const ModelCurve& c : mc.models) names.push_back(c.model);
  // Dimension provider (a model is a provider of the market), not "model": each questions/<model> group holds a
  // 0-d dataset `model`, which netCDF readers would take for the coordinate of a dimension of that name in scope.
  g.write("provider", std::span<const std::string>(names), {}, {"provider"}, "1",
          "coordinate of dimension provider: the model names (as model)");
  g.write("model", std::span<const std::string>(names), {}, {"provider"}, "1", "model (provider) names");
  g.write("theta", std::span<const double>(mc.theta), {}, {"level"}, "1",
          effort ? "relative-effort bin (1 = shortest fifth of the thinking lengths)" : "number of samples theta");

  const auto gather = [&](std::vector<double> ModelCurve::*field) {
    std::vector<double> v;
    v.reserve(M * K);
    for (const ModelCurve& c : mc.models) v.insert(v.end(), (c.*field).begin(), (c.*field).end());
    return v;
  };
  const auto write = [&](const char* name, std::vector<double> ModelCurve::*field, const char* units,
                         const std::string& description) {
    const std::vector<double> v = gather(field);
    g.write(name, std::span<const double>(v), MK, {"provider", "level"}, units, description);
  };
  const std::string bars = effort ? "the reference's percentile bootstrap of the pooled bin mean"
                           : mc.estimator == Estimator::permutations
                               ? "the reference's bars: percentiles of the per-permutation means"
                               : "NaN: this estimator has no permutations";
  write("accuracy", &ModelCurve::accuracy, "1", "expected accuracy [model, level]");
  write("accuracy_lo", &ModelCurve::accuracy_lo, "1", "lower error bar, accuracy minus lower percentile; " + bars);
  write("accuracy_hi", &ModelCurve::accuracy_hi, "1", "upper error bar, upper percentile minus accuracy; " + bars);
  write("tokens", &ModelCurve::tokens, "token", "expected billed output tokens per query [model, level]");
  write("tokens_lo", &ModelCurve::tokens_lo, "token", "lower error bar of tokens; " + bars);
  write("tokens_hi", &ModelCurve::tokens_hi, "token", "upper error bar of tokens; " + bars);
  write("accuracy_sd", &ModelCurve::accuracy_sd, "1", "standard deviation of the accuracy, bootstrap over questions");
  write("tokens_sd", &ModelCurve::tokens_sd, "token", "standard deviation of the tokens, bootstrap over questions");
  write("accuracy_bootstrap_lo", &ModelCurve::accuracy_bootstrap_lo, "1",
        "accuracy minus the lower percentile of the bootstrap over questions");
  write("accuracy_bootstrap_hi", &ModelCurve::accuracy_bootstrap_hi, "1",
        "upper percentile of the bootstrap over questions minus accuracy");
  write("tokens_bootstrap_lo", &ModelCurve::tokens_bootstrap_lo, "token",
        "tokens minus the lower percentile of the bootstrap over questions");
  write("tokens_bootstrap_hi", &ModelCurve::tokens_bootstrap_hi, "token",
        "upper percentile of the bootstrap over questions minus tokens");
  std::vector<std::int64_t> questions, samples, bins;
  for (const ModelCurve& c : mc.models) {
    questions.push_back(c.questions);
    samples.push_back(c.samples);
    bins.insert(bins.end(), c.bin_samples.begin(), c.bin_samples.end());
  }
  g.write("num_questions", std::span<const std::int64_t>(questions), {}, {"provider"}, "1",
          effort ? "questions with at least one kept sample" : "questions per model");
  g.write("num_samples", std::span<const std::int64_t>(samples), {}, {"provider"}, "1",
          effort ? "samples kept by the filter (think > min_think and total < max_total tokens)"
                 : "samples per question used, N = min over questions");
  if (effort)
    g.write("bin_samples", std::span<const std::int64_t>(bins), MK, {"provider", "level"}, "1",
            "pooled samples per bin [model, level]");

  h5::Group tables = g.create_group("questions");
  for (const ModelCurve& c : mc.models) {
    const std::string name = link_name(c.model);
    if (tables.exists(name))
      throw InputError("curves: models '" + c.model + "' and another one map to the same HDF5 group name '" + name +
                       "'");
    h5::Group t = tables.create_group(name);
    write_question_table(t, c.table);
  }
}

}  // namespace

void write_curve_groups(h5::Group& root, const std::string& dataset, const std::vector<MethodCurves>& curves) {
  if (dataset.empty() || dataset.find('/') != std::string::npos || dataset == "." || dataset == "..")
    throw InputError("curves: dataset name '" + dataset + "' is not usable as an HDF5 group name (no '/', not empty)");
  for (const MethodCurves& mc : curves) {
    const std::string path = "curves/" + dataset + "/" + to_string(mc.method);
    if (root.exists(path)) throw InputError("curves: the result file already has a group /" + path);
    h5::Group g = root.create_group(path);
    write_group(g, mc);
  }
}

void write_curves_file(const std::string& path, const std::string& dataset, const std::vector<MethodCurves>& curves,
                       const RunInfo& info, const std::string& settings_toml) {
  io::AtomicFile out(path);
  h5::File file = h5::File::create_in_memory(path);
  {
    h5::Group root = file.root();
    write_root_attributes(root, info, curves.empty() ? 0 : curves.front().seed, settings_toml);
    write_curve_groups(root, dataset, curves);
  }
  out.write(file.close_to_image());
  out.commit();
}

ProviderSet to_provider_set(const MethodCurves& mc, const PriceTable& prices) {
  ProviderSet set;
  set.theta = mc.theta;
  for (const ModelCurve& c : mc.models) {
    double price = 0.0;
    if (!prices.empty()) {
      const auto it = prices.find(c.model);
      if (it == prices.end()) throw InputError("no price for model '" + c.model + "' in the prices table");
      price = it->second;
    }
    for (std::size_t k = 0; k < mc.theta.size(); ++k)
      if (!std::isfinite(c.accuracy[k]) || !std::isfinite(c.tokens[k]))
        throw InputError("model '" + c.model + "' (" + to_string(mc.method) + ") has no samples at level theta = " +
                         std::to_string(mc.theta[k]) + ": its curve cannot price a market");
    set.providers.push_back(ProviderCurves{c.model, c.accuracy, c.tokens, price});
  }
  return set;
}

void write_curves_csv(const std::string& path, const MethodCurves& mc) {
  ProviderSet set;
  set.theta = mc.theta;
  std::vector<std::vector<double>> acc_sd, tok_sd;
  bool finite_sd = true;
  for (const ModelCurve& c : mc.models) {
    set.providers.push_back(ProviderCurves{c.model, c.accuracy, c.tokens, 0.0});
    acc_sd.push_back(c.accuracy_sd);
    tok_sd.push_back(c.tokens_sd);
    for (std::size_t k = 0; k < mc.theta.size(); ++k)
      finite_sd = finite_sd && std::isfinite(c.accuracy_sd[k]) && std::isfinite(c.tokens_sd[k]);
  }
  if (finite_sd)
    write_curves_csv(path, set, acc_sd, tok_sd);
  else
    write_curves_csv(path, set);
}

}  // namespace ttcg
