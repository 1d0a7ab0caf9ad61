// Field mappings: where a run-log layout keeps each quantity the inference stage needs (docs/runlog-mapping.md).
// A mapping names, for one layout, the JSON path of the question id, the per-sample texts, parsed answers,
// verifier explanations, verdicts, rewards and token counts, the gold answer and the model name; whether the file is
// JSON Lines or one JSON array; token totals given per record (optionally as a cumulative counter) or per file; and
// the answer rule (answers.hpp). The reference layout (docs/model.md §4) is reference_mapping().
//
// Paths: keys separated by '.', array indices "[N]" (negative from the end), "[*]" for every element of an array,
// and ["key"] for keys with special characters: "usage_so_far.completion_tokens", "infos[*].r",
// "pred_score[*][0]", "ground_truths[0]". A per-sample path yields one value per sample: it either ends at an array
// or contains one "[*]".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ttcgames/inference/answers.hpp"
#include "ttcgames/io/toml_reader.hpp"

namespace ttcg {

//! A parsed JSON path.
struct JsonPath {
  struct Each {};  //!< "[*]": every element of an array
  using Step = std::variant<std::string, std::int64_t, Each>;
  std::vector<Step> steps;
  std::string text;  //!< as written, for messages
  //! Index of the "[*]" step, or −1.
  int each_index() const;
};

//! Parses a path; throws InputError (with `where` as the location) when it is malformed or has two "[*]".
JsonPath parse_json_path(const std::string& text, const SourceLocation& where);

//! The JSON path under `key` of a TOML table (a non-empty string); nullopt when the key is absent. InputError with
//! the key's file:line:column when the value is not a string or not a valid path.
std::optional<JsonPath> read_json_path(TableReader& table, const std::string& key);

enum class RunLogLayout { jsonl, json_array };
//! Where a sample's answer comes from when several sources are mapped.
enum class AnswerSource { automatic, parsed, explanations, texts };

const char* to_string(RunLogLayout layout);  //!< "jsonl" | "json-array"
const char* to_string(AnswerSource source);  //!< "auto" | "parsed" | "explanations" | "texts"

struct FieldMapping {
  std::string name = "reference";  //!< the mapping file, or "reference" for the built-in layout
  RunLogLayout layout = RunLogLayout::jsonl;
  std::optional<JsonPath> records;  //!< json_array: the array inside the top-level object (none: the document)
  std::string model;                //!< fixed model name ("" = from model_name, else from the file name)

  // Per record.
  std::optional<JsonPath> qid;           //!< none: records are numbered 0, 1, … across the files (no duplicates)
  std::optional<JsonPath> ground_truth;  //!< gold answer (string or number); optional in every record
  std::optional<JsonPath> model_name;    //!< optional in every record
  // Per sample (each yields one value per sample).
  std::optional<JsonPath> texts;         //!< generated texts
  std::optional<JsonPath> parsed;        //!< already-parsed answers
  std::optional<JsonPath> explanations;  //!< reference verifier explanations
  std::optional<JsonPath> correct;       //!< verdicts (true/false or 0/1); none: computed against ground_truth
  std::optional<JsonPath> rewards;       //!< reward scores (null = missing = −inf)
  std::optional<JsonPath> tokens;        //!< output tokens: a number, or [think, total]
  std::optional<JsonPath> think_tokens;  //!< thinking tokens, when kept apart from tokens
  // Token totals above the sample level (split evenly over the samples they cover).
  std::optional<JsonPath> record_tokens;  //!< per record: output tokens of all its samples
  bool cumulative = false;                //!< record_tokens is a running counter (a decrease is a restart)
  std::optional<JsonPath> file_tokens;    //!< json_array with records: path of the file's total in the document

  AnswerSource answer_source = AnswerSource::automatic;  //!< automatic: parsed, else explanations, else texts
  AnswerOptions answers;
};

//! The reference JSONL layout: qid, answers (texts), explanations, correct, rewards, num_tokens,
//! ground_truths[0], model_name; boxed-number answers voted by parsed value.
FieldMapping reference_mapping();

//! Reads the answer-rule keys of an [answers] table (rule, vote, pattern, abstain, choices, tolerance) into `out`
//! and checks them (a pattern must compile and belongs to rule = "pattern"). Shared by run-log mappings and question
//! mappings (inference/questions.hpp); the caller reads its own keys and rejects unknown ones.
void read_answer_options(TableReader& answers, AnswerOptions& out);

//! Reads a mapping from a TOML table (a mapping file's root, or a table embedded in a scenario). Unknown keys are
//! errors naming the closest valid key; bad paths and values name their file:line:column.
FieldMapping parse_field_mapping(TableReader& table);
//! Reads a mapping file (format = "ttcgames-runlog-mapping").
FieldMapping load_field_mapping(const std::string& path);

}  // namespace ttcg
