// Per-question outcome tables (docs/model.md §4, §7): for one model under one test-time-compute method, the
// probability that the method's answer to question q at level θ_k is correct, and the expected billed output tokens
// of that answer. The inference stage (curves) produces them from run logs; the Monte Carlo stage (population)
// samples queries from them, so that a provider answers each sampled question with its own per-question
// probability and bills its per-question tokens. Averaging p_correct and tokens over questions gives the curves.
//
// In HDF5 (docs/hdf5-format.md) one table is a group holding
//   model (str scalar), method (str scalar), theta f64[K], qid str[Q], p_correct f64[Q,K] ("1"), tokens f64[Q,K]
//   ("token"),
// and a curves file keeps them under /curves/<dataset>/<method>/questions/<model>.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ttcgames/io/h5.hpp"

namespace ttcg {

struct QuestionTable {
  std::string model;
  std::string method;             //!< "majority", "best-of-n", "relative-effort", ...
  std::vector<double> theta;      //!< [K] levels
  std::vector<std::string> qid;   //!< [Q] question ids, unique
  std::vector<double> p_correct;  //!< [Q*K] row-major (question, level), each in [0, 1]
  std::vector<double> tokens;     //!< [Q*K] expected billed output tokens, ≥ 0; NaN when the run log has no counts

  int K() const { return static_cast<int>(theta.size()); }
  std::size_t questions() const { return qid.size(); }
  std::size_t at(std::size_t q, int k) const { return q * theta.size() + static_cast<std::size_t>(k); }

  //! Mean over questions of p_correct (accuracy curve) and of tokens (token curve), per level.
  std::vector<double> mean_accuracy() const;
  std::vector<double> mean_tokens() const;

  //! InputError naming `where` when shapes disagree, a qid repeats, a probability is outside [0, 1] or a token
  //! count is negative or infinite (NaN is allowed: unknown).
  void validate(const std::string& where) const;
};

//! Writes `table` into `group` (the layout above).
void write_question_table(h5::Group& group, const QuestionTable& table);
//! Reads and validates a table written by write_question_table.
QuestionTable read_question_table(const h5::Group& group);

//! Every table under /curves/<dataset>/<method>/questions of a curves file, in the order of their model names;
//! InputError naming the file and the missing group when there is none.
std::vector<QuestionTable> read_question_tables(const std::string& path, const std::string& dataset,
                                                const std::string& method);

}  // namespace ttcg
