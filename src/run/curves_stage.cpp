#include "ttcgames/run/curves_stage.hpp"

#include <array>
#include <sstream>
#include <string_view>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/checkpoint.hpp"

namespace ttcg {

namespace {

//! The [K] vectors of a ModelCurve, in archive order.
constexpr std::array<std::vector<double> ModelCurve::*, 12> LEVEL_FIELDS{
    &ModelCurve::accuracy,
    &ModelCurve::accuracy_lo,
    &ModelCurve::accuracy_hi,
    &ModelCurve::tokens,
    &ModelCurve::tokens_lo,
    &ModelCurve::tokens_hi,
    &ModelCurve::accuracy_sd,
    &ModelCurve::tokens_sd,
    &ModelCurve::accuracy_bootstrap_lo,
    &ModelCurve::accuracy_bootstrap_hi,
    &ModelCurve::tokens_bootstrap_lo,
    &ModelCurve::tokens_bootstrap_hi,
};

void put_curve(ArchiveWriter& w, const ModelCurve& c) {
  w.put(c.model);
  for (const auto field : LEVEL_FIELDS) w.put(c.*field);
  w.put(c.questions);
  w.put(c.samples);
  w.put(c.bin_samples);
  const QuestionTable& t = c.table;
  w.put(t.model);
  w.put(t.method);
  w.put(t.theta);
  w.put(t.qid);
  w.put(t.p_correct);
  w.put(t.tokens);
}

ModelCurve get_curve(ArchiveReader& r) {
  ModelCurve c;
  c.model = r.get_string();
  for (const auto field : LEVEL_FIELDS) c.*field = r.get_vector<double>();
  c.questions = r.get<std::int64_t>();
  c.samples = r.get<std::int64_t>();
  c.bin_samples = r.get_vector<std::int64_t>();
  QuestionTable& t = c.table;
  t.model = r.get_string();
  t.method = r.get_string();
  t.theta = r.get_vector<double>();
  t.qid = r.get_strings();
  t.p_correct = r.get_vector<double>();
  t.tokens = r.get_vector<double>();
  return c;
}

}  // namespace

Bytes encode_log_curves(std::uint64_t unit, const std::vector<ModelCurve>& curves) {
  ArchiveWriter w;
  w.put(unit);
  w.put<std::uint64_t>(curves.size());
  for (const ModelCurve& c : curves) put_curve(w, c);
  return w.take();
}

std::vector<ModelCurve> decode_log_curves(const Bytes& bytes, const std::string& what, std::uint64_t unit) {
  ArchiveReader r(bytes, what);
  const std::uint64_t found = r.get<std::uint64_t>();
  if (found != unit)
    throw InputError(what + ": holds the curves of run log " + std::to_string(found) + ", expected " +
                     std::to_string(unit) + " (a result of another unit)");
  const std::uint64_t count = r.get<std::uint64_t>();
  std::vector<ModelCurve> curves;
  for (std::uint64_t i = 0; i < count; ++i) curves.push_back(get_curve(r));  // a bad count fails on a short read
  r.finish();
  return curves;
}

CurvesStage::CurvesStage(CurvesJob job) : job_(std::move(job)) {
  const CurvesPlan& plan = job_.plan;
  if (plan.methods.empty()) throw InputError("curves: no method applies to these logs");
  if (plan.logs.size() != plan.methods.size()) throw std::logic_error("CurvesStage: the plan's logs per method");
  for (std::size_t i = 0; i < job_.logs.size(); ++i)
    if (plan.methods_of(i).empty())
      throw std::logic_error("CurvesStage: run log " + std::to_string(i) + " is covered by no method of the plan");
  for (const std::vector<std::size_t>& logs : plan.logs)
    if (!logs.empty() && logs.back() >= job_.logs.size())
      throw std::logic_error("CurvesStage: the plan names a run log the job does not have");
}

UnitWork CurvesStage::work() const {
  UnitWork w;
  w.count = job_.logs.size();
  w.parallelism = UnitParallelism::within_unit;  // the permutations and bootstraps run in parallel (or on the GPU)
  const CurvesJob* job = &job_;
  w.compute = [job](std::uint64_t unit) {
    return encode_log_curves(unit, log_curves(job->logs[unit], unit, job->plan, job->options));
  };
  return w;
}

std::vector<ModelCurve> CurvesStage::decode(std::uint64_t unit, const Bytes& bytes) const {
  const std::string what = "curves unit (" + job_.dataset + ", run log " + std::to_string(unit) + ")";
  if (unit >= job_.logs.size()) throw InputError(what + ": the job has " + std::to_string(job_.logs.size()) + " logs");
  std::vector<ModelCurve> curves = decode_log_curves(bytes, what, unit);
  const RunLog& log = job_.logs[unit];
  const auto fail = [&](const std::string& message) { throw InputError(what + ": " + message); };
  const std::vector<std::size_t> methods = job_.plan.methods_of(unit);
  if (curves.size() != methods.size())
    fail("holds " + std::to_string(curves.size()) + " curves, expected " + std::to_string(methods.size()));
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const ModelCurve& c = curves[i];
    const MethodCurves& mc = job_.plan.methods[methods[i]];
    const std::string method = to_string(mc.method);
    if (c.model != log.model || c.table.model != log.model)
      fail("holds model '" + c.model + "', expected '" + log.model + "'");
    if (c.table.method != method) fail("holds a " + c.table.method + " curve, expected " + method);
    if (c.table.theta != mc.theta) fail("the " + method + " levels differ from the plan's");
    const std::size_t K = mc.theta.size();
    for (const auto field : LEVEL_FIELDS)
      if ((c.*field).size() != K)
        fail("a " + method + " curve has " + std::to_string((c.*field).size()) + " levels, expected " +
             std::to_string(K));
    const std::size_t bins = mc.method == CurveMethod::relative_effort ? K : 0;
    if (c.bin_samples.size() != bins) fail("the " + method + " bin counts have the wrong length");
    if (c.questions < 0 || c.samples < 0 || c.table.questions() > log.questions())
      fail("the " + method + " curve counts more questions or samples than the log has");
    c.table.validate(what);
  }
  return curves;
}

void CurvesStage::merge(std::span<const Bytes> payloads, std::span<const double>, RunResults& out) const {
  std::vector<std::vector<ModelCurve>> per_log;
  for (std::size_t u = 0; u < payloads.size(); ++u) per_log.push_back(decode(u, payloads[u]));
  out.curves.push_back(CurvesResult{job_.dataset, assemble_curves(job_.plan, std::move(per_log))});
}

void CurvesStage::write(h5::Group& root, const RunResults& results) const {
  write_curve_groups(root, job_.dataset, results.curves.at(0).methods);  // a job has one curves stage
}

void CurvesStage::add_needs(ResourceNeeds& needs) const {
  constexpr double BYTES_PER_SAMPLE = 4 + 1 + 3 * 8;  // label, verdict, reward, tokens, thinking tokens
  constexpr double BYTES_PER_QUESTION = 64;           // qid, ground truth, offset
  double logs = 0.0, results = 0.0;
  for (const RunLog& log : job_.logs)
    logs += static_cast<double>(log.samples()) * BYTES_PER_SAMPLE +
            static_cast<double>(log.questions()) * BYTES_PER_QUESTION;
  for (std::size_t m = 0; m < job_.plan.methods.size(); ++m) {
    const double K = static_cast<double>(job_.plan.methods[m].theta.size());
    for (const std::size_t i : job_.plan.logs[m]) {
      const double Q = static_cast<double>(job_.logs[i].questions());
      results += Q * (2.0 * K * STAGE_BYTES_PER_NUMBER + BYTES_PER_QUESTION) + 16.0 * K * STAGE_BYTES_PER_NUMBER;
    }
  }
  needs.add("curves '" + job_.dataset + "' of " + std::to_string(job_.logs.size()) + " run logs",
            logs + STAGE_RESULT_COPIES * results,
            results + STAGE_GROUP_BYTES * static_cast<double>(job_.plan.methods.size()));
}

std::string CurvesStage::logs_digest() const {
  std::ostringstream out;
  for (const RunLog& log : job_.logs) {
    std::uint32_t crc = 0;
    const auto add = [&crc](const auto& values) {
      crc = crc32_of(reinterpret_cast<const std::byte*>(values.data()),
                     values.size() * sizeof(typename std::decay_t<decltype(values)>::value_type), crc);
    };
    for (const std::string& q : log.qid) add(std::string_view(q.c_str(), q.size() + 1));  // with its terminator
    add(log.offset);
    add(log.label);
    add(log.correct);
    add(log.reward);
    add(log.tokens);
    add(log.think_tokens);
    out << log.model << " " << log.questions() << " questions " << log.samples() << " samples crc " << crc << "\n";
  }
  return out.str();
}

}  // namespace ttcg
