#include "ttcgames/inference/question_table.hpp"

#include <cmath>
#include <set>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/result_file.hpp"

namespace ttcg {

namespace {

std::vector<double> mean_over_questions(const QuestionTable& t, const std::vector<double>& values) {
  std::vector<double> mean(t.theta.size(), 0.0);
  if (t.qid.empty()) return mean;
  for (std::size_t q = 0; q < t.qid.size(); ++q)
    for (int k = 0; k < t.K(); ++k) mean[k] += values[t.at(q, k)];
  for (double& m : mean) m /= static_cast<double>(t.qid.size());
  return mean;
}

}  // namespace

std::vector<double> QuestionTable::mean_accuracy() const {
  return mean_over_questions(*this, p_correct);
}

std::vector<double> QuestionTable::mean_tokens() const {
  return mean_over_questions(*this, tokens);
}

void QuestionTable::validate(const std::string& where) const {
  const std::string what = where + ": question table of model '" + model + "' (" + method + ")";
  if (theta.empty()) throw InputError(what + " has no levels");
  const std::size_t cells = qid.size() * theta.size();
  if (p_correct.size() != cells || tokens.size() != cells)
    throw InputError(what + " has " + std::to_string(p_correct.size()) + " probabilities and " +
                     std::to_string(tokens.size()) + " token counts for " + std::to_string(qid.size()) +
                     " questions x " + std::to_string(theta.size()) + " levels");
  std::set<std::string> seen;
  for (const std::string& q : qid)
    if (!seen.insert(q).second) throw InputError(what + " lists question '" + q + "' twice");
  for (std::size_t q = 0; q < qid.size(); ++q)
    for (int k = 0; k < K(); ++k) {
      const double p = p_correct[at(q, k)], x = tokens[at(q, k)];
      if (!(p >= 0.0 && p <= 1.0))
        throw InputError(what + ": p_correct of question '" + qid[q] + "' at level " + std::to_string(k) + " is " +
                         std::to_string(p) + ", outside [0, 1]");
      if (!std::isnan(x) && (!(x >= 0.0) || !std::isfinite(x)))
        throw InputError(what + ": tokens of question '" + qid[q] + "' at level " + std::to_string(k) + " is " +
                         std::to_string(x) + "; valid: a finite count >= 0, or NaN when the log has no counts");
    }
}

void write_question_table(h5::Group& g, const QuestionTable& t) {
  const h5::Dims QK{static_cast<hsize_t>(t.qid.size()), static_cast<hsize_t>(t.theta.size())};
  g.write_scalar("model", t.model, "1", "model (provider) name");
  g.write_scalar("method", t.method, "1", "test-time-compute method");
  g.write("theta", std::span<const double>(t.theta), {}, {"level"}, "1", "test-time-compute levels theta_k");
  g.write("qid", std::span<const std::string>(t.qid), {}, {"question"}, "1", "question ids");
  g.write("p_correct", std::span<const double>(t.p_correct), QK, {"question", "level"}, "1",
          "probability that the method's answer is correct [question, level]");
  g.write("tokens", std::span<const double>(t.tokens), QK, {"question", "level"}, "token",
          "expected billed output tokens of the method's answer [question, level]");
}

QuestionTable read_question_table(const h5::Group& g) {
  QuestionTable t;
  t.model = g.read_scalar_string("model");
  t.method = g.read_scalar_string("method");
  h5::Dims found;
  t.theta = g.read_f64("theta", {h5::ANY}, &found);
  const hsize_t K = found[0];
  t.qid = g.read_strings("qid", {h5::ANY}, &found);
  const hsize_t Q = found[0];
  t.p_correct = g.read_f64("p_correct", {Q, K});
  t.tokens = g.read_f64("tokens", {Q, K});
  t.validate(g.where());
  return t;
}

std::vector<QuestionTable> read_question_tables(const std::string& path, const std::string& dataset,
                                                const std::string& method) {
  const h5::File file = open_results_file(path);
  const std::string where = "curves/" + dataset + "/" + method + "/questions";
  if (!file.root().exists(where))
    throw InputError(path + ": no per-question tables at /" + where +
                     " (write them with `ttcgames curves ... -o` from run logs)");
  const h5::Group questions = file.root().open_group(where);
  std::vector<QuestionTable> tables;
  for (const std::string& model : questions.list()) tables.push_back(read_question_table(questions.open_group(model)));
  return tables;
}

}  // namespace ttcg
