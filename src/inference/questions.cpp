#include "ttcgames/inference/questions.hpp"

#include "runlog_record.hpp"

#include <simdjson.h>
#include <toml++/toml.h>

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/text_file.hpp"

namespace ttcg {

namespace {

namespace dom = simdjson::dom;
using runlog_detail::type_name;

constexpr const char* QUESTION_MAPPING_FORMAT = "ttcgames-question-mapping";
constexpr std::int64_t QUESTION_MAPPING_VERSION = 1;
//! Question ids made from the record index have at least this many digits ("q0000").
constexpr int QID_DIGITS = 4;

const std::vector<std::string> TOP_KEYS = {"format", "version", "layout", "records", "fields", "gold", "answers"};
const std::vector<std::string> FIELD_KEYS = {"qid", "question", "answer"};
const std::vector<std::string> GOLD_KEYS = {"rule", "marker", "pattern"};
const std::vector<std::string> ANSWER_KEYS = {"rule", "vote", "pattern", "abstain", "choices", "tolerance"};

std::optional<JsonPath> single_value_path(TableReader& t, const std::string& key) {
  std::optional<JsonPath> p = read_json_path(t, key);
  if (p && p->each_index() >= 0)
    t.fail(*t.get(key), key, "must name one value per question; \"[*]\" is not allowed here");
  return p;
}

//! The value at `path` in `e`; nullopt with `why` when a key or index is absent or the structure differs (the
//! run-log reader's path walk, runlog_record.hpp).
std::optional<dom::element> follow(dom::element e, const JsonPath& path, std::string& why) {
  return runlog_detail::follow(e, path, 0, path.steps.size(), why);
}

//! A string or number at `path` as text; InputError "where: field 'x' ..." otherwise.
std::string text_at(dom::element record, const JsonPath& path, const std::string& where, const std::string& role) {
  std::string why;
  const auto v = follow(record, path, why);
  if (!v) throw InputError(where + ": field '" + path.text + "' (" + role + "): " + why);
  switch (v->type()) {
    case dom::element_type::STRING:
      return std::string(v->get_string().value_unsafe());
    case dom::element_type::INT64:
      return std::to_string(v->get_int64().value_unsafe());
    case dom::element_type::UINT64:
      return std::to_string(v->get_uint64().value_unsafe());
    case dom::element_type::DOUBLE: {
      std::array<char, 32> buf{};
      const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v->get_double().value_unsafe());
      return std::string(buf.data(), r.ptr);
    }
    default:
      throw InputError(where + ": field '" + path.text + "' (" + role + ") must be a string or a number, found " +
                       type_name(v->type()));
  }
}

std::string index_qid(std::int64_t index) {
  std::string digits = std::to_string(index);
  if (digits.size() < QID_DIGITS) digits.insert(0, QID_DIGITS - digits.size(), '0');
  return "q" + digits;
}

class QuestionBuilder {
 public:
  QuestionBuilder(const std::string& path, const QuestionMapping& m, const PromptTemplate& prompt)
      : path_(path), mapping_(m), prompt_(prompt) {}

  void add(dom::element record, std::int64_t line, const std::string& where) {
    if (record.type() != dom::element_type::OBJECT)
      throw InputError(where + ": a question must be a JSON object, found " + type_name(record.type()));
    Question q;
    q.line = line;
    q.qid = mapping_.qid ? text_at(record, *mapping_.qid, where, "question id") : index_qid(index_);
    if (q.qid.empty()) throw InputError(where + ": field '" + mapping_.qid->text + "' (question id) is empty");
    const std::string text = text_at(record, mapping_.question, where, "question");
    if (trim(text).empty()) throw InputError(where + ": field '" + mapping_.question.text + "' (question) is empty");
    const std::string answer = text_at(record, mapping_.answer, where, "answer");
    const auto gold = gold_answer(answer, mapping_);
    if (!gold || gold->empty())
      throw InputError(where + ": no gold answer in field '" + mapping_.answer.text + "' by rule '" +
                       to_string(mapping_.gold) + "'" +
                       (mapping_.gold == GoldRule::pattern ? " (pattern '" + mapping_.gold_pattern + "')" : "") +
                       ": \"" + answer.substr(0, 80) + (answer.size() > 80 ? "...\"" : "\""));
    q.gold = *gold;
    for (const PromptTemplate::Part& part : prompt_.parts()) {
      if (const auto* literal = std::get_if<std::string>(&part))
        q.prompt += *literal;
      else if (std::holds_alternative<PromptTemplate::QuestionText>(part))
        q.prompt += text;
      else
        q.prompt += text_at(record, std::get<JsonPath>(part), where, "prompt template placeholder");
    }
    const auto [it, inserted] = seen_.try_emplace(q.qid, where);
    if (!inserted)
      throw InputError(where + ": duplicate question id '" + q.qid + "' (first at " + it->second +
                       "); every question needs its own id");
    questions_.push_back(std::move(q));
    ++index_;
  }

  std::vector<Question> finish() {
    if (questions_.empty()) throw InputError(path_ + ": no questions (the file is empty)");
    return std::move(questions_);
  }

 private:
  const std::string& path_;
  const QuestionMapping& mapping_;
  const PromptTemplate& prompt_;
  std::int64_t index_ = 0;
  std::unordered_map<std::string, std::string> seen_;
  std::vector<Question> questions_;
};

}  // namespace

const char* to_string(GoldRule rule) {
  switch (rule) {
    case GoldRule::marker:
      return "marker";
    case GoldRule::whole:
      return "whole";
    case GoldRule::boxed:
      return "boxed";
    case GoldRule::pattern:
      return "pattern";
  }
  return "?";
}

QuestionMapping gsm8k_question_mapping() {
  const SourceLocation where{"GSM8K layout"};
  QuestionMapping m;
  m.question = parse_json_path("question", where);
  m.answer = parse_json_path("answer", where);
  return m;
}

QuestionMapping parse_question_mapping(TableReader& top) {
  QuestionMapping m = gsm8k_question_mapping();
  m.name = top.file().empty() ? std::string("question mapping") : top.file();
  m.layout = top.choice("layout", {"jsonl", "json-array"}, "jsonl") == "jsonl" ? RunLogLayout::jsonl
                                                                               : RunLogLayout::json_array;
  m.records = single_value_path(top, "records");
  if (m.records && m.layout != RunLogLayout::json_array)
    top.fail(*top.get("records"), "records", "applies only to layout = \"json-array\"");
  if (auto fields = top.table("fields")) {
    m.qid = single_value_path(*fields, "qid");
    if (auto p = single_value_path(*fields, "question")) m.question = *p;
    if (auto p = single_value_path(*fields, "answer")) m.answer = *p;
    fields->reject_unknown(FIELD_KEYS);
  }
  if (auto gold = top.table("gold")) {
    const std::string rule = gold->choice("rule", {"marker", "whole", "boxed", "pattern"}, "marker");
    m.gold = rule == "marker"  ? GoldRule::marker
             : rule == "whole" ? GoldRule::whole
             : rule == "boxed" ? GoldRule::boxed
                               : GoldRule::pattern;
    if (const toml::node* n = gold->get("marker")) {
      if (m.gold != GoldRule::marker) gold->fail(*n, "marker", "applies only to rule = \"marker\"");
      m.marker = *gold->string("marker");
      if (m.marker.empty()) gold->fail(*n, "marker", "must be non-empty, e.g. \"####\"");
    }
    const toml::node* pattern = gold->get("pattern");
    if (m.gold == GoldRule::pattern) {
      if (!pattern) gold->fail_missing("pattern", "rule = \"pattern\" needs a regular expression");
      m.gold_pattern = *gold->string("pattern");
      AnswerOptions o;
      o.rule = AnswerRule::pattern;
      o.pattern = m.gold_pattern;
      try {
        AnswerExtractor check(o);
      } catch (const InputError& e) {
        gold->fail(*pattern, "pattern", std::string("is not a valid regular expression: ") + e.what());
      }
    } else if (pattern) {
      gold->fail(*pattern, "pattern", "applies only to rule = \"pattern\"");
    }
    gold->reject_unknown(GOLD_KEYS);
  }
  if (auto answers = top.table("answers")) {
    read_answer_options(*answers, m.answers);
    answers->reject_unknown(ANSWER_KEYS);
  }
  top.reject_unknown(TOP_KEYS);
  return m;
}

QuestionMapping load_question_mapping(const std::string& path) {
  const std::string text = io::read_text_file(path, "question mapping file");
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw input_error(location(path, e.source()), "invalid TOML: " + std::string(e.description()));
  }
  TableReader top(root, "", path);
  const auto format = top.string("format");
  if (!format)
    top.fail_missing("format",
                     std::string("every question mapping starts with format = \"") + QUESTION_MAPPING_FORMAT + "\"");
  if (*format != QUESTION_MAPPING_FORMAT)
    top.fail(*top.get("format"), "format",
             "is \"" + *format + "\", expected \"" + QUESTION_MAPPING_FORMAT +
                 "\" (a run-log mapping describes collected logs, not questions)");
  const auto version = top.integer("version");
  if (!version) top.fail_missing("version", "the question mapping format version, version = 1");
  if (*version != QUESTION_MAPPING_VERSION)
    top.fail(
        *top.get("version"), "version",
        "is " + std::to_string(*version) + "; this ttcgames reads version " + std::to_string(QUESTION_MAPPING_VERSION));
  return parse_question_mapping(top);
}

std::optional<std::string> gold_answer(std::string_view field, const QuestionMapping& m) {
  switch (m.gold) {
    case GoldRule::marker: {
      const std::size_t at = field.rfind(m.marker);
      return std::string(trim(at == std::string_view::npos ? field : field.substr(at + m.marker.size())));
    }
    case GoldRule::whole:
      return std::string(trim(field));
    case GoldRule::boxed: {
      const auto boxed = last_boxed_content(field);
      if (!boxed) return std::nullopt;
      return std::string(trim(*boxed));
    }
    case GoldRule::pattern: {
      AnswerOptions o;
      o.rule = AnswerRule::pattern;
      o.pattern = m.gold_pattern;
      const Answer a = AnswerExtractor(o).from_text(field);
      return a.raw;
    }
  }
  return std::nullopt;
}

PromptTemplate::PromptTemplate(std::string text, const std::string& where) : text_(std::move(text)) {
  std::size_t at = 0;
  while (at < text_.size()) {
    const std::size_t open = text_.find("{{", at);
    if (open == std::string::npos) {
      parts_.emplace_back(text_.substr(at));
      break;
    }
    if (open > at) parts_.emplace_back(text_.substr(at, open - at));
    const std::size_t close = text_.find("}}", open + 2);
    if (close == std::string::npos)
      throw InputError(where + ": '{{' at character " + std::to_string(open + 1) +
                       " is not closed by '}}' (placeholders: {{question}} or {{json.path}})");
    const std::string name(trim(std::string_view(text_).substr(open + 2, close - open - 2)));
    if (name.empty())
      throw InputError(where + ": empty placeholder '{{}}' at character " + std::to_string(open + 1) +
                       " (placeholders: {{question}} or {{json.path}})");
    if (name == "question") {
      parts_.emplace_back(QuestionText{});
    } else {
      JsonPath p = parse_json_path(name, SourceLocation{where});
      if (p.each_index() >= 0)
        throw InputError(where + ": placeholder '{{" + name + "}}' must name one value; \"[*]\" is not allowed");
      parts_.emplace_back(std::move(p));
    }
    at = close + 2;
  }
}

std::vector<Question> read_questions(const std::string& path, const QuestionMapping& m, const PromptTemplate& prompt) {
  std::istringstream in(io::read_text_file(path, "questions file"));
  QuestionBuilder builder(path, m, prompt);
  dom::parser parser;
  if (m.layout == RunLogLayout::json_array) {
    std::stringstream s;
    s << in.rdbuf();
    const std::string text = s.str();
    dom::element doc;
    if (const auto error = parser.parse(text).get(doc))
      throw InputError(path + ": not valid JSON (" + simdjson::error_message(error) + ")");
    if (m.records) {
      std::string why;
      const auto found = follow(doc, *m.records, why);
      if (!found) throw InputError(path + ": no question array at '" + m.records->text + "': " + why);
      doc = *found;
    }
    dom::array arr;
    if (doc.get_array().get(arr) != simdjson::SUCCESS)
      throw InputError(path + ": expected an array of questions" +
                       (m.records ? " at '" + m.records->text + "'" : std::string()) + ", found " +
                       type_name(doc.type()));
    std::int64_t index = 0;
    for (dom::element e : arr) {
      ++index;
      builder.add(e, index, path + ": question " + std::to_string(index));
    }
    return builder.finish();
  }
  std::string line;
  std::int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (trim(line).empty()) continue;
    const std::string where = path + ":" + std::to_string(number);
    dom::element record;
    if (const auto error = parser.parse(line).get(record))
      throw InputError(where + ": not valid JSON (" + simdjson::error_message(error) + ")");
    builder.add(record, number, where);
  }
  if (in.bad()) throw InputError(path + ": read error");
  return builder.finish();
}

}  // namespace ttcg
