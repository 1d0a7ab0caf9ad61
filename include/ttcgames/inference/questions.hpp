// Benchmark questions for `ttcgames collect`: the questions a model is sampled on, with their gold answers, read
// from JSON Lines (or one JSON array) through a question mapping, and the prompt each one is sent as.
//
// The default layout is GSM8K's: {"question": "...", "answer": "... reasoning ...\n#### 72"}, the gold answer
// being the text after the last "####". Other layouts are described by a question mapping (TOML, format
// "ttcgames-question-mapping", docs/collect.md): where the question id, the question text and the gold answer
// live (JSON paths as in run-log mappings, field_mapping.hpp, without "[*]"), how the gold answer is cut out of its
// field (after a marker, the whole field, the last \boxed{}, or a regular expression) and the answer rule by which
// samples are judged ([answers], as in run-log mappings). Question ids default to "q0000", "q0001", ... (the record's
// index in the file). Every question needs a non-empty text, a gold answer and a unique id: anything else is an
// InputError naming file:line.
//
// A prompt template is text with placeholders: {{question}} is the mapped question text, {{path}} any value of the
// question's record at a JSON path (a string or a number), e.g. {{choices[0]}}. Single braces are literal, so
// "\boxed{}" needs no escaping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ttcgames/inference/answers.hpp"
#include "ttcgames/inference/field_mapping.hpp"
#include "ttcgames/io/toml_reader.hpp"

namespace ttcg {

//! The default prompt: the question, then the instruction to reason and box the final answer.
constexpr const char* DEFAULT_PROMPT_TEMPLATE =
    "{{question}}\nPlease reason step by step, and put your final answer within \\boxed{}.";

//! How the gold answer is taken from the answer field.
enum class GoldRule {
  marker,   //!< the text after the last occurrence of a marker ("####"), else the whole field; trimmed
  whole,    //!< the whole field, trimmed
  boxed,    //!< the content of the last \boxed{...} / \fbox{...}
  pattern,  //!< the last match of a regular expression (its first group when it has one)
};

const char* to_string(GoldRule rule);  //!< "marker" | "whole" | "boxed" | "pattern"

struct QuestionMapping {
  std::string name = "gsm8k";  //!< the mapping file, or "gsm8k" for the built-in layout
  RunLogLayout layout = RunLogLayout::jsonl;
  std::optional<JsonPath> records;  //!< json_array: the array inside the top-level object (none: the document)
  std::optional<JsonPath> qid;      //!< none: "q" + the record's index, at least 4 digits
  JsonPath question;                //!< the question text
  JsonPath answer;                  //!< the field holding the gold answer (string or number)
  GoldRule gold = GoldRule::marker;
  std::string marker = "####";  //!< gold == marker
  std::string gold_pattern;     //!< gold == pattern (PCRE2)
  AnswerOptions answers;        //!< how samples are judged (answers.hpp)
};

//! GSM8K's layout: question = "question", answer = "answer", gold after the last "####", boxed-number answers.
QuestionMapping gsm8k_question_mapping();
//! Reads a question mapping from a TOML table; unknown keys name the closest valid key, with file:line:column.
QuestionMapping parse_question_mapping(TableReader& table);
//! Reads a question-mapping file (format = "ttcgames-question-mapping", version = 1).
QuestionMapping load_question_mapping(const std::string& path);

//! The gold answer in an answer field's text under the mapping's rule; nullopt when the rule finds none.
std::optional<std::string> gold_answer(std::string_view field, const QuestionMapping& mapping);

//! A parsed prompt template.
class PromptTemplate {
 public:
  //! Parses `text`; InputError (naming `where`, e.g. "--prompt-template") for an unclosed "{{", an empty placeholder
  //! or a placeholder that is not a JSON path.
  explicit PromptTemplate(std::string text = DEFAULT_PROMPT_TEMPLATE, const std::string& where = "prompt template");

  struct QuestionText {};  //!< {{question}}
  using Part = std::variant<std::string, QuestionText, JsonPath>;

  const std::string& text() const { return text_; }
  const std::vector<Part>& parts() const { return parts_; }

 private:
  std::string text_;
  std::vector<Part> parts_;
};

//! One question to sample.
struct Question {
  std::string qid;
  std::string prompt;     //!< the rendered prompt template
  std::string gold;       //!< the gold answer
  std::int64_t line = 0;  //!< 1-based line (JSONL) or record index (JSON array), for messages
};

//! Reads every question of `path` (blank lines skipped) and renders its prompt. InputError with file:line for
//! malformed JSON, a missing or empty field, no gold answer, a template placeholder the record lacks, a duplicate
//! question id, or a file without questions.
std::vector<Question> read_questions(const std::string& path, const QuestionMapping& mapping,
                                     const PromptTemplate& prompt);

}  // namespace ttcg
