#include "runlog_record.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "ttcgames/core/error.hpp"
#include "ttcgames/core/text.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace ttcg::runlog_detail {

const char* type_name(dom::element_type t) {
  switch (t) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

bool is_number(dom::element e) {
  const auto t = e.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 || t == dom::element_type::DOUBLE;
}
double number_of(dom::element e) {
  return double(e.get_double().value_unsafe());
}

//! Follows steps [from, to) of a path; nullopt with `why` set when a key or index is absent.
std::optional<dom::element> follow(dom::element e, const JsonPath& path, std::size_t from, std::size_t to,
                                   std::string& why) {
  for (std::size_t i = from; i < to; ++i) {
    const auto& step = path.steps[i];
    if (const auto* key = std::get_if<std::string>(&step)) {
      dom::object obj;
      if (e.get_object().get(obj) != simdjson::SUCCESS) {
        why = "expected an object holding '" + *key + "', found " + type_name(e.type());
        return std::nullopt;
      }
      if (obj.at_key(*key).get(e) != simdjson::SUCCESS) {
        why = "no key '" + *key + "'";
        return std::nullopt;
      }
    } else if (const auto* index = std::get_if<std::int64_t>(&step)) {
      dom::array arr;
      if (e.get_array().get(arr) != simdjson::SUCCESS) {
        why = "expected an array for [" + std::to_string(*index) + "], found " + type_name(e.type());
        return std::nullopt;
      }
      const auto size = static_cast<std::int64_t>(arr.size());
      const std::int64_t k = *index < 0 ? size + *index : *index;
      if (k < 0 || k >= size) {
        why = "index [" + std::to_string(*index) + "] out of range (" + std::to_string(size) + " elements)";
        return std::nullopt;
      }
      if (arr.at(static_cast<std::size_t>(k)).get(e) != simdjson::SUCCESS) return std::nullopt;
    }
  }
  return e;
}

namespace {

//! The per-sample values of a path ("field 'x': why" on failure); false when the field is absent or null.
bool resolve_samples(dom::element record, const JsonPath& path, std::vector<dom::element>& out) {
  out.clear();
  std::string why;
  const int each = path.each_index();
  const std::size_t stop = each < 0 ? path.steps.size() : static_cast<std::size_t>(each);
  const auto base = follow(record, path, 0, stop, why);
  if (!base) {
    if (why.rfind("no key", 0) == 0 || why.rfind("index", 0) == 0) return false;
    throw RecordError{"field '" + path.text + "': " + why};
  }
  if (base->is_null()) return false;  // "explanations": null is no explanations
  dom::array arr;
  if (base->get_array().get(arr) != simdjson::SUCCESS)
    throw RecordError{"field '" + path.text + "' must be an array with one value per sample, found " +
                      type_name(base->type())};
  std::size_t j = 0;
  for (dom::element x : arr) {
    if (each >= 0) {
      const auto y = follow(x, path, stop + 1, path.steps.size(), why);
      if (!y) throw RecordError{"field '" + path.text + "': element " + std::to_string(j) + ": " + why};
      x = *y;
    }
    out.push_back(x);
    ++j;
  }
  return true;
}

std::optional<dom::element> resolve_value(dom::element record, const JsonPath& path) {
  std::string why;
  auto v = follow(record, path, 0, path.steps.size(), why);
  if (!v && !(why.rfind("no key", 0) == 0 || why.rfind("index", 0) == 0))
    throw RecordError{"field '" + path.text + "': " + why};
  return v;
}

std::string scalar_text(dom::element e, const JsonPath& path, bool allow_null) {
  switch (e.type()) {
    case dom::element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case dom::element_type::INT64:
      return std::to_string(e.get_int64().value_unsafe());
    case dom::element_type::UINT64:
      return std::to_string(e.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE:
      return number_text(e.get_double().value_unsafe());
    case dom::element_type::NULL_VALUE:
      if (allow_null) return {};
      [[fallthrough]];
    default:
      throw RecordError{"field '" + path.text + "' must be a string or a number, found " + type_name(e.type())};
  }
}

double token_count(dom::element e, const std::string& field, std::size_t j) {
  const double v = number_of(e);
  if (!(v >= 0.0 && v <= RUNLOG_MAX_TOKENS))
    throw RecordError{"field '" + field + "'[" + std::to_string(j) + "] is " + number_text(v) +
                      "; token counts must lie in 0..2^53"};
  return v;
}

}  // namespace

//! Parses one record into `out` (appending); throws RecordError when it is malformed.
void parse_record(dom::element record, const Context& ctx, Worker& w, Piece& out) {
  const FieldMapping& m = ctx.mapping;
  if (record.type() != dom::element_type::OBJECT)
    throw RecordError{std::string("a record must be a JSON object, found ") + type_name(record.type())};

  std::string qid;
  if (m.qid) {
    const auto v = resolve_value(record, *m.qid);
    if (!v || v->is_null()) throw RecordError{"missing field '" + m.qid->text + "' (the question id)"};
    qid = scalar_text(*v, *m.qid, false);
  }

  // Per-sample fields: resolve all, check one length.
  struct Field {
    const std::optional<JsonPath>* path;
    std::vector<dom::element>* values;
    bool required;
    bool present = false;
  };
  std::array<Field, 7> fields{{{&m.correct, &w.correct, true},
                               {&m.texts, &w.texts, false},
                               {&m.parsed, &w.parsed, false},
                               {&m.explanations, &w.explanations, false},
                               {&m.rewards, &w.rewards, true},
                               {&m.tokens, &w.tokens, true},
                               {&m.think_tokens, &w.think, true}}};
  const Field* first = nullptr;
  for (Field& f : fields) {
    if (!*f.path) continue;
    f.present = resolve_samples(record, **f.path, *f.values);
    if (!f.present) {
      if (f.required) throw RecordError{"missing field '" + (*f.path)->text + "'"};
      continue;
    }
    if (!first) {
      first = &f;
    } else if (f.values->size() != first->values->size()) {
      throw RecordError{"field '" + (*f.path)->text + "' has " + std::to_string(f.values->size()) + " values but '" +
                        (*first->path)->text + "' has " + std::to_string(first->values->size()) +
                        " (every per-sample field needs one value per sample)"};
    }
  }
  if (!first) throw RecordError{"none of the per-sample fields is present (no samples)"};
  const std::size_t n = first->values->size();
  if (n == 0) throw RecordError{"no samples (the per-sample arrays are empty)"};

  // The answer source.
  const Field* source = nullptr;
  auto pick = [&](std::size_t i) { return fields[i].present ? &fields[i] : nullptr; };
  switch (m.answer_source) {
    case AnswerSource::parsed:
      source = pick(2);
      break;
    case AnswerSource::explanations:
      source = pick(3);
      break;
    case AnswerSource::texts:
      source = pick(1);
      break;
    case AnswerSource::automatic:
      source = pick(2) ? pick(2) : pick(3) ? pick(3) : pick(1);
      break;
  }
  if (!source) {
    const std::string name = m.answer_source == AnswerSource::automatic ? std::string("texts, parsed or explanations")
                                                                        : std::string(to_string(m.answer_source));
    throw RecordError{"missing field for the answers (" + name + ")"};
  }
  const bool from_parsed = source == &fields[2];
  const bool from_explanations = source == &fields[3];

  std::string truth;
  bool has_truth = false;
  if (m.ground_truth) {
    if (const auto v = resolve_value(record, *m.ground_truth); v && !v->is_null()) {
      truth = scalar_text(*v, *m.ground_truth, true);
      has_truth = true;
    }
  }
  if (!m.correct && !has_truth)
    throw RecordError{"missing field '" + m.ground_truth->text + "' (needed to compute verdicts: none are mapped)"};

  double record_tokens = NO_VALUE;
  if (m.record_tokens) {
    const auto v = resolve_value(record, *m.record_tokens);
    if (!v) throw RecordError{"missing field '" + m.record_tokens->text + "' (the record's token count)"};
    if (!is_number(*v))
      throw RecordError{"field '" + m.record_tokens->text + "' must be a number, found " + type_name(v->type())};
    record_tokens = number_of(*v);
    if (!(record_tokens >= 0.0 && record_tokens <= RUNLOG_MAX_TOKENS))
      throw RecordError{"field '" + m.record_tokens->text + "' is " + number_text(record_tokens) +
                        "; token counts must lie in 0..2^53"};
  }

  // Samples.
  const std::size_t base = out.label.size();
  out.label.resize(base + n);
  out.correct.resize(base + n);
  out.reward.resize(base + n);
  out.tokens.resize(base + n);
  out.think.resize(base + n);
  try {
    w.labeler.reset();
    const std::string& src_name = (*source->path)->text;
    for (std::size_t j = 0; j < n; ++j) {
      const dom::element a = (*source->values)[j];
      Answer answer;
      if (a.type() == dom::element_type::STRING) {
        const std::string_view s = a.get_string().value_unsafe();
        answer = from_parsed         ? ctx.extractor.from_parsed(s)
                 : from_explanations ? ctx.extractor.from_explanation(s)
                                     : ctx.extractor.from_text(s);
      } else if (from_parsed && is_number(a)) {
        answer = ctx.extractor.from_parsed(scalar_text(a, **source->path, false));
      } else if (a.type() != dom::element_type::NULL_VALUE) {
        throw RecordError{"field '" + src_name + "'[" + std::to_string(j) + "] must be a string or null, found " +
                          type_name(a.type())};
      }
      out.label[base + j] = w.labeler.label(ctx.extractor.vote_key(answer));

      if (m.correct) {
        const dom::element c = w.correct[j];
        bool ok = false;
        if (c.type() == dom::element_type::BOOL) {
          ok = c.get_bool().value_unsafe();
        } else if (is_number(c) && (number_of(c) == 0.0 || number_of(c) == 1.0)) {
          ok = number_of(c) == 1.0;
        } else {
          throw RecordError{"field '" + m.correct->text + "'[" + std::to_string(j) +
                            "] must be true/false or 0/1, found " +
                            (is_number(c) ? number_text(number_of(c)) : std::string(type_name(c.type())))};
        }
        out.correct[base + j] = ok ? 1 : 0;
      } else {
        out.correct[base + j] = ctx.extractor.is_correct(answer, truth) ? 1 : 0;
      }

      double reward = MISSING_REWARD;
      if (m.rewards) {
        const dom::element r = w.rewards[j];
        if (is_number(r))
          reward = number_of(r);
        else if (!r.is_null())
          throw RecordError{"field '" + m.rewards->text + "'[" + std::to_string(j) +
                            "] must be a number or null (missing), found " + type_name(r.type())};
      }
      out.reward[base + j] = reward;

      double total = NO_VALUE, think = NO_VALUE;
      if (m.tokens) {
        const dom::element t = w.tokens[j];
        dom::array pair;
        if (is_number(t)) {
          total = token_count(t, m.tokens->text, j);
        } else if (t.get_array().get(pair) == simdjson::SUCCESS && pair.size() == 2 &&
                   is_number(pair.at(0).value_unsafe()) && is_number(pair.at(1).value_unsafe())) {
          think = token_count(pair.at(0).value_unsafe(), m.tokens->text, j);
          total = token_count(pair.at(1).value_unsafe(), m.tokens->text, j);
        } else {
          throw RecordError{"field '" + m.tokens->text + "'[" + std::to_string(j) +
                            "] must be a token count or [think_tokens, total_tokens], found " + type_name(t.type())};
        }
      }
      if (m.think_tokens) {
        const dom::element t = w.think[j];
        if (!is_number(t))
          throw RecordError{"field '" + m.think_tokens->text + "'[" + std::to_string(j) + "] must be a number, found " +
                            type_name(t.type())};
        think = token_count(t, m.think_tokens->text, j);
      }
      out.tokens[base + j] = total;
      out.think[base + j] = think;
    }
    if (out.model_name.empty() && m.model_name) {
      if (const auto v = resolve_value(record, *m.model_name); v && v->type() == dom::element_type::STRING)
        out.model_name = std::string(v->get_string().value_unsafe());
    }
  } catch (...) {
    out.label.resize(base);
    out.correct.resize(base);
    out.reward.resize(base);
    out.tokens.resize(base);
    out.think.resize(base);
    throw;
  }
  out.qid.push_back(std::move(qid));
  out.ground_truth.push_back(std::move(truth));
  out.offset.push_back(static_cast<std::int64_t>(out.label.size()));
  out.record_tokens.push_back(record_tokens);
}

//! A clearer message than simdjson's for the non-JSON values Python writes (NaN, Infinity).
std::string invalid_json_message(std::string_view line, simdjson::error_code code) {
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    for (const std::string_view token : {"NaN", "Infinity", "-Infinity"}) {
      if (line.substr(i, token.size()) == token)
        return "not valid JSON: " + std::string(token) + " at column " + std::to_string(i + 1) +
               " is not a JSON value (write null for a missing reward; token counts must be numbers >= 0)";
    }
  }
  return std::string("not valid JSON (") + simdjson::error_message(code) + ")";
}

//! Parses the lines of [begin, end) (the buffer is readable SIMDJSON_PADDING bytes past `end`).
void parse_lines(const char* begin, const char* end, bool file_start, const Context& ctx, Worker& w, Piece& out) {
  std::int64_t index = 0;
  const char* p = begin;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    std::string_view line(p, static_cast<std::size_t>(line_end - p));
    if (file_start && p == begin && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 BOM
    if (!trim(line).empty()) {
      dom::element record;
      const auto error = w.parser.parse(line.data(), line.size(), false).get(record);
      if (error) {
        out.errors.emplace_back(index, invalid_json_message(line, error));
      } else {
        try {
          parse_record(record, ctx, w, out);
          out.position.push_back(index);
        } catch (const RecordError& e) {
          out.errors.emplace_back(index, e.what);
        }
      }
    }
    ++index;
    p = nl ? nl + 1 : end;
  }
  out.lines = index;
}

}  // namespace ttcg::runlog_detail
