#include "ttcgames/inference/field_mapping.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/text_file.hpp"

namespace ttcg {

namespace {

constexpr const char* MAPPING_FORMAT = "ttcgames-runlog-mapping";
constexpr std::int64_t MAPPING_VERSION = 1;

const std::vector<std::string> TOP_KEYS = {"format", "version", "layout",  "records",
                                           "model",  "fields",  "answers", "tokens"};
const std::vector<std::string> FIELD_KEYS = {"qid",     "texts",  "parsed",       "explanations", "correct",
                                             "rewards", "tokens", "think_tokens", "ground_truth", "model_name"};
const std::vector<std::string> ANSWER_KEYS = {"rule", "vote", "pattern", "abstain", "choices", "tolerance", "source"};
const std::vector<std::string> TOKEN_KEYS = {"record", "cumulative", "file"};

}  // namespace

int JsonPath::each_index() const {
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (std::holds_alternative<Each>(steps[i])) return static_cast<int>(i);
  return -1;
}

JsonPath parse_json_path(const std::string& text, const SourceLocation& where) {
  JsonPath p;
  p.text = text;
  auto fail = [&](std::size_t at, const std::string& what) {
    throw input_error(where, "bad JSON path \"" + text + "\" at character " + std::to_string(at + 1) + ": " + what +
                                 " (valid: keys separated by '.', [N], [*], [\"key\"]; e.g. \"infos[*].r\")");
  };
  std::size_t i = 0;
  bool expect_key = true;  // at the start or after '.'
  while (i < text.size()) {
    const char c = text[i];
    if (c == '[') {
      const std::size_t close = text.find(']', i);
      if (close == std::string::npos) fail(i, "'[' without ']'");
      const std::string inner = text.substr(i + 1, close - i - 1);
      if (inner == "*") {
        p.steps.emplace_back(JsonPath::Each{});
      } else if (inner.size() >= 2 && inner.front() == '"' && inner.back() == '"') {
        p.steps.emplace_back(inner.substr(1, inner.size() - 2));
      } else {
        std::int64_t index = 0;
        const auto [end, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), index);
        if (inner.empty() || ec != std::errc() || end != inner.data() + inner.size())
          fail(i, "'[" + inner + "]' is not an index, [*] or [\"key\"]");
        p.steps.emplace_back(index);
      }
      i = close + 1;
      expect_key = false;
    } else if (c == '.') {
      if (expect_key) fail(i, "empty key");
      ++i;
      expect_key = true;
      if (i == text.size()) fail(i - 1, "trailing '.'");
    } else {
      if (!expect_key) fail(i, "expected '.' or '['");
      std::size_t end = i;
      while (end < text.size() && text[end] != '.' && text[end] != '[') {
        if (text[end] == ']' || text[end] == '"') fail(end, std::string("unexpected '") + text[end] + "'");
        ++end;
      }
      p.steps.emplace_back(text.substr(i, end - i));
      i = end;
      expect_key = false;
    }
  }
  if (p.steps.empty()) fail(0, "empty path");
  int each = 0;
  for (const auto& s : p.steps) each += std::holds_alternative<JsonPath::Each>(s) ? 1 : 0;
  if (each > 1) fail(0, "more than one [*]");
  return p;
}

const char* to_string(RunLogLayout layout) {
  return layout == RunLogLayout::jsonl ? "jsonl" : "json-array";
}

const char* to_string(AnswerSource source) {
  switch (source) {
    case AnswerSource::automatic:
      return "auto";
    case AnswerSource::parsed:
      return "parsed";
    case AnswerSource::explanations:
      return "explanations";
    case AnswerSource::texts:
      return "texts";
  }
  return "?";
}

std::optional<JsonPath> read_json_path(TableReader& t, const std::string& key) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  const auto s = t.string(key);
  if (s->empty()) t.fail(*n, key, "must be a non-empty JSON path such as \"infos[*].r\"");
  SourceLocation where = location(t.file(), n->source());
  try {
    return parse_json_path(*s, where);
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + " (key '" + t.key_path(key) + "')");
  }
}

FieldMapping reference_mapping() {
  const SourceLocation where{"reference layout"};
  FieldMapping m;
  m.name = "reference";
  m.qid = parse_json_path("qid", where);
  m.texts = parse_json_path("answers", where);
  m.explanations = parse_json_path("explanations", where);
  m.correct = parse_json_path("correct", where);
  m.rewards = parse_json_path("rewards", where);
  m.tokens = parse_json_path("num_tokens", where);
  m.ground_truth = parse_json_path("ground_truths[0]", where);
  m.model_name = parse_json_path("model_name", where);
  m.answer_source = AnswerSource::automatic;
  return m;
}

void read_answer_options(TableReader& answers, AnswerOptions& out) {
  const std::string rule = answers.choice("rule", {"boxed-number", "multiple-choice", "pattern"}, "boxed-number");
  out.rule = rule == "boxed-number"      ? AnswerRule::boxed_number
             : rule == "multiple-choice" ? AnswerRule::multiple_choice
                                         : AnswerRule::pattern;
  out.vote = answers.choice("vote", {"parsed", "exact-string"}, "parsed") == "parsed" ? VoteRule::parsed
                                                                                      : VoteRule::exact_string;
  const toml::node* pattern_node = answers.get("pattern");
  out.pattern = answers.string("pattern").value_or("");
  out.abstain = answers.string("abstain").value_or("");
  if (const toml::node* n = answers.get("choices")) {
    out.choices = *answers.string("choices");
    if (out.choices.empty()) answers.fail(*n, "choices", "must list at least one letter, e.g. \"ABCD\"");
  }
  out.tolerance = answers.number("tolerance", DEFAULT_ANSWER_TOLERANCE);
  if (out.tolerance < 0.0) answers.fail(*answers.get("tolerance"), "tolerance", "must be >= 0");
  if (out.rule == AnswerRule::pattern) {
    if (!pattern_node) answers.fail_missing("pattern", "rule = \"pattern\" needs a regular expression");
    try {
      AnswerExtractor check(out);
    } catch (const InputError& e) {
      answers.fail(*pattern_node, "pattern", std::string("is not a valid regular expression: ") + e.what());
    }
  } else if (pattern_node) {
    answers.fail(*pattern_node, "pattern", "applies only to rule = \"pattern\"");
  }
}

FieldMapping parse_field_mapping(TableReader& top) {
  FieldMapping m;
  m.name = top.file().empty() ? std::string("mapping") : top.file();
  m.layout = top.choice("layout", {"jsonl", "json-array"}, "jsonl") == "jsonl" ? RunLogLayout::jsonl
                                                                               : RunLogLayout::json_array;
  m.records = read_json_path(top, "records");
  if (m.records && m.layout != RunLogLayout::json_array)
    top.fail(*top.get("records"), "records", "applies only to layout = \"json-array\"");
  m.model = top.string("model").value_or("");

  auto fields = top.table("fields");
  if (!fields) top.fail_missing("fields", "a [fields] table naming where the log keeps each quantity");
  m.qid = read_json_path(*fields, "qid");
  m.texts = read_json_path(*fields, "texts");
  m.parsed = read_json_path(*fields, "parsed");
  m.explanations = read_json_path(*fields, "explanations");
  m.correct = read_json_path(*fields, "correct");
  m.rewards = read_json_path(*fields, "rewards");
  m.tokens = read_json_path(*fields, "tokens");
  m.think_tokens = read_json_path(*fields, "think_tokens");
  m.ground_truth = read_json_path(*fields, "ground_truth");
  m.model_name = read_json_path(*fields, "model_name");
  fields->reject_unknown(FIELD_KEYS);
  if (!m.texts && !m.parsed && !m.explanations)
    fields->fail_missing("texts", "name at least one answer source: texts, parsed or explanations");
  if (!m.correct && !m.ground_truth)
    fields->fail_missing("correct", "name the verdicts, or ground_truth so that verdicts are computed");

  if (auto tokens = top.table("tokens")) {
    m.record_tokens = read_json_path(*tokens, "record");
    m.cumulative = tokens->boolean("cumulative").value_or(false);
    m.file_tokens = read_json_path(*tokens, "file");
    tokens->reject_unknown(TOKEN_KEYS);
    if (m.record_tokens && m.file_tokens)
      tokens->fail(*tokens->get("file"), "file", "cannot be combined with 'tokens.record'; choose one");
    if (m.cumulative && !m.record_tokens)
      tokens->fail(*tokens->get("cumulative"), "cumulative", "needs 'tokens.record' (the counter's path)");
    if (m.file_tokens && !m.records)
      tokens->fail(*tokens->get("file"), "file",
                   "needs layout = \"json-array\" with 'records' (the file's total lives beside its records)");
    if ((m.record_tokens || m.file_tokens) && (m.tokens || m.think_tokens))
      tokens->fail(*tokens->get(m.record_tokens ? "record" : "file"), m.record_tokens ? "record" : "file",
                   "cannot be combined with per-sample 'fields.tokens'; choose one");
  }

  if (auto answers = top.table("answers")) {
    read_answer_options(*answers, m.answers);
    const std::string source = answers->choice("source", {"auto", "parsed", "explanations", "texts"}, "auto");
    m.answer_source = source == "auto"           ? AnswerSource::automatic
                      : source == "parsed"       ? AnswerSource::parsed
                      : source == "explanations" ? AnswerSource::explanations
                                                 : AnswerSource::texts;
    answers->reject_unknown(ANSWER_KEYS);
    const bool has_source = (m.answer_source == AnswerSource::parsed && m.parsed) ||
                            (m.answer_source == AnswerSource::explanations && m.explanations) ||
                            (m.answer_source == AnswerSource::texts && m.texts) ||
                            m.answer_source == AnswerSource::automatic;
    if (!has_source)
      answers->fail(*answers->get("source"), "source",
                    std::string("is \"") + to_string(m.answer_source) + "\" but [fields] does not name '" +
                        to_string(m.answer_source) + "'");
  }
  top.reject_unknown(TOP_KEYS);
  return m;
}

FieldMapping load_field_mapping(const std::string& path) {
  const std::string text = io::read_text_file(path, "run-log mapping file");
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw input_error(location(path, e.source()), "invalid TOML: " + std::string(e.description()));
  }
  TableReader top(root, "", path);
  const auto format = top.string("format");
  if (!format)
    top.fail_missing("format", std::string("every mapping file starts with format = \"") + MAPPING_FORMAT + "\"");
  if (*format != MAPPING_FORMAT)
    top.fail(*top.get("format"), "format", "is \"" + *format + "\", expected \"" + MAPPING_FORMAT + "\"");
  const auto version = top.integer("version");
  if (!version) top.fail_missing("version", "the mapping format version, version = 1");
  if (*version != MAPPING_VERSION)
    top.fail(*top.get("version"), "version",
             "is " + std::to_string(*version) + "; this ttcgames reads version " + std::to_string(MAPPING_VERSION));
  return parse_field_mapping(top);
}

}  // namespace ttcg
