// Parsing run-log records (private to the run-log reader): one JSON record (a question with its samples) into the
// struct-of-arrays Piece of the lines it came from, following a FieldMapping; errors carry the record's position
// within the piece. Also the small simdjson helpers the reader shares with the record parser.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ttcgames/core/text.hpp"
#include "ttcgames/inference/answers.hpp"
#include "ttcgames/inference/field_mapping.hpp"

namespace ttcg::runlog_detail {

namespace dom = simdjson::dom;

constexpr double NO_VALUE = std::numeric_limits<double>::quiet_NaN();
constexpr double MISSING_REWARD = -std::numeric_limits<double>::infinity();

//! Parsed records of one piece of a run log, struct of arrays.
struct Piece {
  std::int64_t lines = 0;              // lines (or array elements) in the piece
  std::vector<std::int64_t> position;  // record's line (element) index within the piece, 0-based
  std::vector<std::string> qid, ground_truth;
  std::vector<std::int64_t> offset{0};
  std::vector<double> record_tokens;  // per record total or counter value; NaN when none
  std::vector<std::int32_t> label;
  std::vector<std::uint8_t> correct;
  std::vector<double> reward, tokens, think;
  std::string model_name;  // the first record's model_name
  std::vector<std::pair<std::int64_t, std::string>> errors;

  std::size_t records() const { return qid.size(); }
};

struct RecordError {
  std::string what;
};

struct Context {
  const FieldMapping& mapping;
  const AnswerExtractor& extractor;
};

//! Per-thread scratch state.
struct Worker {
  dom::parser parser;
  std::vector<dom::element> texts, parsed, explanations, correct, rewards, tokens, think;
  AnswerLabeler labeler;
};

//! "an array", "a number", … for messages.
const char* type_name(dom::element_type t);
bool is_number(dom::element e);
double number_of(dom::element e);
//! Follows steps [from, to) of a path; nullopt with `why` set when a key or index is absent.
std::optional<dom::element> follow(dom::element e, const JsonPath& path, std::size_t from, std::size_t to,
                                   std::string& why);
//! Appends one record to `out`; RecordError on a record that does not follow the mapping.
void parse_record(dom::element record, const Context& ctx, Worker& w, Piece& out);
//! A clearer message than simdjson's for the non-JSON values Python writes (NaN, Infinity).
std::string invalid_json_message(std::string_view line, simdjson::error_code code);
//! Parses the lines of [begin, end) (the buffer is readable SIMDJSON_PADDING bytes past `end`).
void parse_lines(const char* begin, const char* end, bool file_start, const Context& ctx, Worker& w, Piece& out);

}  // namespace ttcg::runlog_detail
