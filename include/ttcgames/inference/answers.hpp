// Answer extraction and comparison for LLM run logs (docs/model.md §4). A sample's answer is taken from its
// generated text, from a verifier explanation string of the reference layout, or from a parsed-answer field; it is
// then compared with the gold answer (correctness, when the log has no verdicts) and with the other samples of the
// question (voting classes).
//
// Rules (AnswerRule), written to reproduce the reference implementation (Networks-Learning/strategic-ttc,
// strategic_ttc/verifiers/boxed_number.py and gpqa.py):
// - boxed_number: the content of the last \boxed{…} or \fbox{…} (braces matched; an unclosed last box counts as no
//   box); when there is no box or the box holds no digit, the last number-like token of the text (optional bracket
//   and sign, currency "$", thousands separators "1,234", decimals, a simple or mixed fraction "3 1/2", a closing
//   bracket, percent). Its value: brackets and currency (₹ € £ $) removed, "," read as a separator, "a b/c" and
//   "b/c" as fractions, "x%" as x/100, otherwise Python's float() grammar (exponents, "inf", "_" digit separators).
//   Correct when |pred − truth| ≤ tolerance·max(1, |truth|) (both numeric), else when the trimmed strings are equal.
// - multiple_choice: the letter of the last "Answer: X" (case-insensitive, "$" allowed around X), upper-cased;
//   correct when equal to the upper-cased gold letter.
// - pattern: the last match of a user regular expression (PCRE2 syntax; its first capture group when it has one,
//   else the whole match), trimmed; correct as for boxed_number (numeric when both parse, else string equality).
// A reference explanation ("boxed='17'; numeric compare: …; truth='17'", "parsed='C'; truth='B'") yields the quoted
// prediction of its first ';'-separated segment; "no numeric content found; …" yields none.
//
// Voting classes (VoteRule): `parsed`, the reference rule, groups samples by str(parsed answer) — for boxed_number
// the numeric value (so "230", "230.0" and "\fbox{230}" agree), for the other rules the trimmed answer text;
// `exact_string` groups by the answer text exactly as extracted (the Qwen2.5-Math evaluation's majority rule).
// Under either rule an answer equal to the abstention token (after trimming) is no answer: it never votes.
// Known deviation: \d and \s are ASCII here, Unicode in Python.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ttcg {

//! Relative tolerance of the reference numeric comparison (BoxedNumberVerifier.tol).
constexpr double DEFAULT_ANSWER_TOLERANCE = 1e-5;

enum class AnswerRule { boxed_number, multiple_choice, pattern };
enum class VoteRule { parsed, exact_string };

const char* to_string(AnswerRule rule);  //!< "boxed-number" | "multiple-choice" | "pattern"
const char* to_string(VoteRule rule);    //!< "parsed" | "exact-string"

struct AnswerOptions {
  AnswerRule rule = AnswerRule::boxed_number;
  VoteRule vote = VoteRule::parsed;
  std::string pattern;                          //!< rule == pattern: the regular expression (PCRE2)
  std::string abstain;                          //!< answers equal to this after trimming never vote ("" = none)
  std::string choices = "ABCD";                 //!< rule == multiple_choice: the valid letters
  double tolerance = DEFAULT_ANSWER_TOLERANCE;  //!< relative tolerance of numeric comparisons
};

//! One sample's answer. `raw` is absent when the sample has no answer (nothing extracted, or an abstention).
struct Answer {
  std::optional<std::string> raw;  //!< the answer as extracted (boxed content, number token, letter, capture)
  std::optional<double> value;     //!< its numeric value (boxed_number and pattern rules), when it parses
};

//! The content of the last \boxed{…} / \fbox{…} of `text`, trimmed; nullopt without one or when it is unclosed.
std::optional<std::string_view> last_boxed_content(std::string_view text);
//! The last number-like token of `text` (the reference's fallback), trimmed; nullopt when there is none.
std::optional<std::string_view> last_number_token(std::string_view text);
//! The numeric value of an answer string by the reference rules (currency, separators, fractions, percent).
std::optional<double> parse_number(std::string_view text);
//! Whether pred and truth agree within tolerance·max(1, |truth|).
bool numbers_match(double pred, double truth, double tolerance);
//! Removes leading and trailing whitespace (Python's str.strip on ASCII).
std::string_view trim(std::string_view text);

//! Extracts and compares answers under one AnswerOptions. Immutable after construction; safe to share between
//! threads. Construction throws InputError when the pattern does not compile (the message names the position).
class AnswerExtractor {
 public:
  explicit AnswerExtractor(AnswerOptions options = {});
  ~AnswerExtractor();
  AnswerExtractor(AnswerExtractor&&) noexcept;
  AnswerExtractor& operator=(AnswerExtractor&&) noexcept;

  const AnswerOptions& options() const { return options_; }

  //! The answer in a generated text.
  Answer from_text(std::string_view text) const;
  //! The answer recorded in a reference verifier explanation.
  Answer from_explanation(std::string_view explanation) const;
  //! An answer given as already parsed (a log's "pred" field).
  Answer from_parsed(std::string_view parsed) const;
  //! Whether the answer is correct against the gold answer text (used when a log has no verdicts).
  bool is_correct(const Answer& answer, std::string_view truth) const;
  //! The voting key of an answer under the vote rule; nullopt when the answer never votes.
  std::optional<std::string> vote_key(const Answer& answer) const;

 private:
  Answer finish(std::optional<std::string> raw) const;
  std::optional<std::string> last_pattern_match(std::string_view text) const;

  AnswerOptions options_;
  struct Pattern;
  std::unique_ptr<Pattern> pattern_;
};

//! Numbers the answer classes of one question in order of first appearance (0, 1, …); −1 for no answer.
class AnswerLabeler {
 public:
  //! The class of a voting key (nullopt → −1).
  std::int32_t label(const std::optional<std::string>& key);
  //! Starts the next question.
  void reset() { classes_.clear(); }

 private:
  std::unordered_map<std::string, std::int32_t> classes_;
};

}  // namespace ttcg
