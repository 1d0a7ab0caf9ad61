#include "ttcgames/inference/runlog_reader.hpp"
#include "ttcgames/core/text.hpp"

#include <omp.h>
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/answers.hpp"

namespace ttcg {

namespace {

namespace dom = simdjson::dom;
using simdjson::SIMDJSON_PADDING;

constexpr double NO_VALUE = std::numeric_limits<double>::quiet_NaN();
constexpr double MISSING_REWARD = -std::numeric_limits<double>::infinity();
//! Pieces of a block parsed in parallel per thread (several per thread balance uneven lines).
constexpr std::size_t PIECES_PER_THREAD = 4;
constexpr std::size_t MIN_PIECE_BYTES = std::size_t{1} << 16;
constexpr std::size_t IO_BYTES = std::size_t{1} << 20;

// ---------------------------------------------------------------------------------------------------------------
// Byte sources: plain, gzip, zstd, over a file, a pipe or standard input alike. The format is sniffed from the first
// bytes, which are kept and handed on (never re-read by seeking: a pipe cannot seek), so no byte is lost.

//! What messages call the file: its path, or "<stdin>" for STDIN_PATH.
std::string display_name(const std::string& path) {
  return path == STDIN_PATH ? std::string("<stdin>") : path;
}

//! The raw bytes of a file or of standard input, with the first few bytes peeked for the format sniff.
class RawInput {
 public:
  explicit RawInput(const std::string& path) : name_(display_name(path)) {
    if (path == STDIN_PATH) {
      const int fd = ::dup(STDIN_FILENO);
      f_ = fd < 0 ? nullptr : ::fdopen(fd, "rb");
      if (!f_) {
        if (fd >= 0) ::close(fd);
        throw InputError(name_ + ": cannot read standard input (" + std::string(std::strerror(errno)) + ")");
      }
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, not a run-log file");
      f_ = std::fopen(path.c_str(), "rb");
      if (!f_) throw InputError(path + ": cannot open (" + std::string(std::strerror(errno)) + ")");
    }
    while (peeked_.size() < MAGIC_BYTES) {  // a pipe may deliver fewer bytes per read
      unsigned char c[MAGIC_BYTES];
      const std::size_t got = fread_checked(c, MAGIC_BYTES - peeked_.size());
      if (got == 0) break;
      peeked_.insert(peeked_.end(), c, c + got);
    }
  }
  ~RawInput() { std::fclose(f_); }
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

  //! The first bytes (fewer at the end of a short input), still to be read.
  const std::vector<unsigned char>& peeked() const { return peeked_; }
  //! Reads up to n bytes (the peeked ones first); 0 only at the end.
  std::size_t read(void* dst, std::size_t n) {
    auto* out = static_cast<unsigned char*>(dst);
    std::size_t done = 0;
    while (done < n && next_peeked_ < peeked_.size()) out[done++] = peeked_[next_peeked_++];
    if (done == n) return done;
    return done + fread_checked(out + done, n - done);
  }
  const std::string& name() const { return name_; }

  static constexpr std::size_t MAGIC_BYTES = 4;

 private:
  std::size_t fread_checked(void* dst, std::size_t n) {
    const std::size_t got = std::fread(dst, 1, n, f_);
    if (got == 0 && std::ferror(f_)) throw InputError(name_ + ": read error (" + std::strerror(errno) + ")");
    return got;
  }

  std::string name_;
  std::FILE* f_ = nullptr;
  std::vector<unsigned char> peeked_;
  std::size_t next_peeked_ = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  //! Reads up to n bytes; 0 only at the end. Throws InputError on corrupt input.
  virtual std::size_t read(char* dst, std::size_t n) = 0;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<RawInput> in) : in_(std::move(in)) {}
  std::size_t read(char* dst, std::size_t n) override { return in_->read(dst, n); }

 private:
  std::unique_ptr<RawInput> in_;
};

//! gzip data (one or more members, as gzip writes them when files are concatenated), inflated as a stream.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<RawInput> in) : in_(std::move(in)), buffer_(IO_BYTES) {
    if (inflateInit2(&z_, GZIP_WINDOW_BITS) != Z_OK) throw std::bad_alloc();
  }
  ~GzipSource() override { inflateEnd(&z_); }
  std::size_t read(char* dst, std::size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(dst);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, std::size_t{1} << 30));
    const uInt want = z_.avail_out;
    while (z_.avail_out == want) {
      if (z_.avail_in == 0) {
        const std::size_t got = in_->read(buffer_.data(), buffer_.size());
        if (got == 0) {
          if (in_member_) throw InputError(in_->name() + ": truncated gzip data (the stream ends inside a member)");
          break;
        }
        z_.next_in = buffer_.data();
        z_.avail_in = static_cast<uInt>(got);
      }
      if (!in_member_) {  // the next member (after the first: data after a member must be another member)
        if (inflateReset(&z_) != Z_OK) throw std::logic_error("inflateReset failed");
        in_member_ = true;
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw InputError(in_->name() + ": corrupt gzip data (" + std::string(z_.msg ? z_.msg : zError(rc)) + ")");
      }
    }
    return want - z_.avail_out;
  }

 private:
  static constexpr int GZIP_WINDOW_BITS = 15 + 16;  // the largest window, gzip header and trailer
  std::unique_ptr<RawInput> in_;
  std::vector<unsigned char> buffer_;
  z_stream z_{};
  bool in_member_ = true;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<RawInput> in)
      : in_(std::move(in)), stream_(ZSTD_createDStream()), in_buf_(ZSTD_DStreamInSize()) {
    if (!stream_) throw std::bad_alloc();
    ZSTD_initDStream(stream_);
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }
  std::size_t read(char* dst, std::size_t n) override {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos == 0) {
      if (pending_.pos == pending_.size) {
        const std::size_t got = in_->read(in_buf_.data(), in_buf_.size());
        if (got == 0) {
          if (last_ != 0) throw InputError(in_->name() + ": truncated zstd data (the last frame is incomplete)");
          return 0;
        }
        pending_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
      }
      last_ = ZSTD_decompressStream(stream_, &out, &pending_);
      if (ZSTD_isError(last_))
        throw InputError(in_->name() + ": corrupt zstd data (" + std::string(ZSTD_getErrorName(last_)) + ")");
    }
    return out.pos;
  }

 private:
  std::unique_ptr<RawInput> in_;
  ZSTD_DStream* stream_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer pending_{nullptr, 0, 0};
  std::size_t last_ = 0;
};

//! Opens a run-log file (or standard input for STDIN_PATH) as plain, gzip or zstd data by its magic bytes.
std::unique_ptr<ByteSource> open_source(const std::string& path) {
  auto in = std::make_unique<RawInput>(path);
  const std::vector<unsigned char>& m = in->peeked();
  if (m.size() >= 2 && m[0] == 0x1f && m[1] == 0x8b) return std::make_unique<GzipSource>(std::move(in));
  if (m.size() == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return std::make_unique<ZstdSource>(std::move(in));
  return std::make_unique<PlainSource>(std::move(in));
}

// ---------------------------------------------------------------------------------------------------------------
// Parsed records of one piece, struct of arrays; errors carry the record's position within the piece.

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

// ---------------------------------------------------------------------------------------------------------------
// Merging pieces into the RunLog, in file order.

struct FileState {
  std::string path;
  bool array_layout = false;
  std::int64_t records_seen = 0;  // valid records in this file (kept or duplicate)
  double counter = 0.0;           // last value of the cumulative token counter
  std::size_t first_sample = 0;   // RunLog sample index where this file's samples start
};

class Merger {
 public:
  Merger(RunLog& log, const RunLogOptions& options) : log_(log), options_(options) {}

  std::string where(const FileState& f, std::int64_t position) const {
    return f.array_layout ? f.path + ": record " + std::to_string(position + 1)
                          : f.path + ":" + std::to_string(position + 1);
  }

  void message(const std::string& m) {
    if (log_.report.messages.size() < MAX_RUNLOG_MESSAGES) log_.report.messages.push_back(m);
  }

  //! Starts the next file (kept alive by the caller until the read ends).
  void begin_file(const FileState& file) {
    file_index_ = files_.size();
    files_.push_back(&file);
  }

  //! Appends one piece whose first line (element) is `base` within the file.
  void merge(const Piece& piece, std::int64_t base, FileState& file) {
    const FieldMapping& m = options_.mapping;
    log_.report.lines += piece.lines;
    if (model_name_.empty() && !piece.model_name.empty()) model_name_ = piece.model_name;
    std::size_t e = 0;
    for (std::size_t r = 0; r <= piece.records(); ++r) {
      const std::int64_t pos = r < piece.records() ? piece.position[r] : std::numeric_limits<std::int64_t>::max();
      for (; e < piece.errors.size() && piece.errors[e].first < pos; ++e) {
        const std::string text = where(file, base + piece.errors[e].first) + ": " + piece.errors[e].second;
        if (options_.strictness == Strictness::strict)
          throw InputError(text + " (--strict: malformed records stop the read)");
        ++log_.report.malformed;
        message(text);
      }
      if (r == piece.records()) break;
      ++file.records_seen;
      const std::int64_t b = piece.offset[r], n = piece.offset[r + 1] - b;

      // The record's tokens (before the duplicate check: a cumulative counter runs over every record).
      double record_tokens = piece.record_tokens[r];
      if (m.record_tokens && m.cumulative) {
        const double value = record_tokens;
        if (value < file.counter) {
          ++log_.report.counter_restarts;
          message(where(file, base + pos) + ": cumulative token counter '" + m.record_tokens->text +
                  "' decreased from " + number_text(file.counter) + " to " + number_text(value) +
                  ": read as a restart from 0");
          record_tokens = value;  // the counter restarted from zero
        } else {
          record_tokens = value - file.counter;
        }
        file.counter = value;
      }

      std::string qid = piece.qid[r];
      if (m.qid) {
        const auto [it, inserted] = first_seen_.try_emplace(qid, FirstSeen{file_index_, base + pos});
        if (!inserted) {
          ++log_.report.duplicates;
          const FileState& first = *files_[it->second.file];
          message(where(file, base + pos) + ": duplicate qid '" + qid + "' skipped (the first, at " +
                  where(first, it->second.position) + ", is kept)");
          continue;
        }
      } else {
        qid = std::to_string(log_.questions());
      }
      log_.qid.push_back(std::move(qid));
      log_.ground_truth.push_back(piece.ground_truth[r]);
      auto append = [b, n](auto& to, const auto& from) { to.insert(to.end(), from.begin() + b, from.begin() + b + n); };
      append(log_.label, piece.label);
      append(log_.correct, piece.correct);
      append(log_.reward, piece.reward);
      append(log_.think_tokens, piece.think);
      if (m.record_tokens)
        log_.tokens.insert(log_.tokens.end(), static_cast<std::size_t>(n), record_tokens / static_cast<double>(n));
      else
        append(log_.tokens, piece.tokens);
      log_.offset.push_back(static_cast<std::int64_t>(log_.label.size()));
      ++log_.report.records;
    }
  }

  const std::string& model_name() const { return model_name_; }

 private:
  RunLog& log_;
  const RunLogOptions& options_;
  struct FirstSeen {
    std::size_t file;
    std::int64_t position;
  };
  std::unordered_map<std::string, FirstSeen> first_seen_;
  std::vector<const FileState*> files_;
  std::size_t file_index_ = 0;
  std::string model_name_;
};

int thread_count(const RunLogOptions& options) {
  return options.threads > 0 ? options.threads : std::max(1, omp_get_max_threads());
}

//! Splits [0, size) of `data` into about `pieces` ranges ending at newlines.
std::vector<std::size_t> split_at_newlines(const char* data, std::size_t size, std::size_t pieces) {
  std::vector<std::size_t> cuts{0};
  const std::size_t target = std::max(MIN_PIECE_BYTES, size / std::max<std::size_t>(pieces, 1));
  std::size_t at = 0;
  while (size - at > target) {
    const void* nl = std::memchr(data + at + target, '\n', size - at - target);
    if (!nl) break;
    at = static_cast<std::size_t>(static_cast<const char*>(nl) - data) + 1;
    if (at < size) cuts.push_back(at);
  }
  cuts.push_back(size);
  return cuts;
}

//! A source read as blocks of whole lines (the last block may end without a newline), each followed by
//! SIMDJSON_PADDING readable bytes; a line longer than the block size grows the block, up to the line limit: a
//! longer line is an InputError naming its line number.
class LineBlocks {
 public:
  LineBlocks(ByteSource& source, std::size_t block_bytes, std::size_t max_line_bytes, std::string name)
      : source_(source),
        max_line_(std::max<std::size_t>(max_line_bytes, 1)),
        block_(std::clamp<std::size_t>(block_bytes, 1, max_line_)),
        name_(std::move(name)) {}

  //! Reads the next block into `data` (its first `size` bytes); false at the end of the source.
  bool next(std::vector<char>& data, std::size_t& size) {
    if (data.size() < block_ + SIMDJSON_PADDING) data.resize(block_ + SIMDJSON_PADDING);
    std::size_t have = carry_.size();
    if (have + SIMDJSON_PADDING > data.size()) data.resize(2 * have + SIMDJSON_PADDING);
    if (have > 0) std::memcpy(data.data(), carry_.data(), have);
    carry_.clear();
    for (;;) {
      while (!eof_ && have + SIMDJSON_PADDING < data.size()) {
        const std::size_t got = source_.read(data.data() + have, data.size() - SIMDJSON_PADDING - have);
        if (got == 0) eof_ = true;
        have += got;
      }
      std::size_t last_nl = have;
      while (last_nl > 0 && data[last_nl - 1] != '\n') --last_nl;
      if (have - last_nl > max_line_) too_long(data, last_nl);
      if (eof_ || last_nl > 0) {
        size = eof_ ? have : last_nl;
        if (!eof_) carry_.assign(data.data() + last_nl, data.data() + have);
        lines_ += static_cast<std::int64_t>(std::count(data.data(), data.data() + size, '\n'));
        return size > 0;
      }
      // A line longer than the block: grow it (to one byte past the limit, which tells a line too long).
      const std::size_t capacity = std::min(2 * (data.size() - SIMDJSON_PADDING), max_line_ + 1);
      data.resize(capacity + SIMDJSON_PADDING);
    }
  }

 private:
  [[noreturn]] void too_long(const std::vector<char>& data, std::size_t line_start) const {
    const auto line = lines_ + static_cast<std::int64_t>(std::count(data.data(), data.data() + line_start, '\n')) + 1;
    throw InputError(name_ + ":" + std::to_string(line) + ": a line longer than " + std::to_string(max_line_) +
                     " bytes, the longest JSON Lines record a read accepts (MAX_RUNLOG_LINE_BYTES): is this a JSON "
                     "Lines run log? (a whole-file JSON array needs layout = \"json-array\" in the mapping)");
  }

  ByteSource& source_;
  std::size_t max_line_;
  std::size_t block_;
  std::string name_;
  std::vector<char> carry_;  // the partial line after the last newline of the previous block
  std::int64_t lines_ = 0;   // newlines in the blocks handed out so far
  bool eof_ = false;
};

//! Streams a JSON Lines file: while the other threads parse block k, the calling thread merges block k − 1 and
//! reads block k + 1 (then joins the parsing), so reading and merging overlap the parallel work.
void read_jsonl(const std::string& path, const RunLogOptions& options, const Context& ctx, std::vector<Worker>& workers,
                Merger& merger, FileState& file) {
  const std::string name = display_name(path);
  const std::unique_ptr<ByteSource> source = open_source(path);
  LineBlocks blocks(*source, options.block_bytes, options.max_line_bytes, name);
  const int threads = static_cast<int>(workers.size());
  std::vector<char> current, next;
  std::size_t current_size = 0, next_size = 0;
  std::vector<Piece> parsing, parsed;
  std::int64_t line_base = 0;
  bool any_content = false, first_block = true;
  std::exception_ptr failure;

  auto merge_all = [&](std::vector<Piece>& pieces) {
    for (const Piece& piece : pieces) {
      if (!piece.position.empty() || !piece.errors.empty()) any_content = true;
      merger.merge(piece, line_base, file);
      line_base += piece.lines;
    }
    pieces.clear();
  };

  bool have_current = blocks.next(current, current_size);
#pragma omp parallel num_threads(threads)
#pragma omp single
  {
    try {
      while (have_current) {
        const std::vector<std::size_t> cuts =
            split_at_newlines(current.data(), current_size, PIECES_PER_THREAD * static_cast<std::size_t>(threads));
        const std::size_t count = cuts.size() - 1;
        parsing.assign(count, Piece{});
        const char* data = current.data();
        const bool file_start = first_block;
        for (std::size_t k = 0; k < count; ++k) {
#pragma omp task default(none) firstprivate(k, data, file_start) shared(cuts, ctx, workers, parsing)
          parse_lines(data + cuts[k], data + cuts[k + 1], file_start && k == 0, ctx,
                      workers[static_cast<std::size_t>(omp_get_thread_num())], parsing[k]);
        }
        try {
          merge_all(parsed);
          have_current = blocks.next(next, next_size);
        } catch (...) {
          failure = std::current_exception();
          have_current = false;
        }
#pragma omp taskwait
        first_block = false;
        std::swap(parsed, parsing);
        std::swap(current, next);
        current_size = next_size;
      }
      if (!failure) merge_all(parsed);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (!any_content) throw InputError(name + ": empty run log: no records (JSON Lines: one JSON object per line)");
}

void read_json_array(const std::string& path, const RunLogOptions& options, const Context& ctx,
                     std::vector<Worker>& workers, Merger& merger, FileState& file, RunLog& log) {
  const std::string name = display_name(path);
  const std::unique_ptr<ByteSource> source = open_source(path);
  std::vector<char> text(IO_BYTES + SIMDJSON_PADDING);
  std::size_t have = 0;
  for (;;) {
    if (have + SIMDJSON_PADDING == text.size()) text.resize(2 * text.size());
    const std::size_t got = source->read(text.data() + have, text.size() - SIMDJSON_PADDING - have);
    if (got == 0) break;
    have += got;
    if (have > options.max_document_bytes)
      throw InputError(name + ": a json-array run log longer than " + std::to_string(options.max_document_bytes) +
                       " bytes, the largest document a read accepts (MAX_RUNLOG_DOCUMENT_BYTES); write such logs as "
                       "JSON Lines (layout = \"jsonl\"), which are streamed");
  }
  if (trim(std::string_view(text.data(), have)).empty())
    throw InputError(name + ": empty run log: no records (layout json-array: one JSON array of records)");
  dom::parser parser;
  dom::element doc;
  if (const auto error = parser.parse(text.data(), have, false).get(doc))
    throw InputError(name + ": " + invalid_json_message(std::string_view(text.data(), have), error));
  const FieldMapping& m = options.mapping;
  dom::element records = doc;
  if (m.records) {
    std::string why;
    const auto r = follow(doc, *m.records, 0, m.records->steps.size(), why);
    if (!r) throw InputError(name + ": records path '" + m.records->text + "': " + why);
    records = *r;
  }
  dom::array arr;
  if (records.get_array().get(arr) != simdjson::SUCCESS)
    throw InputError(name + ": expected a JSON array of records" +
                     (m.records ? " at '" + m.records->text + "'" : std::string(" (layout json-array)")) + ", found " +
                     type_name(records.type()));
  std::vector<dom::element> elements;
  for (dom::element e : arr) elements.push_back(e);
  if (elements.empty()) throw InputError(name + ": empty run log: the array of records is empty");

  const int threads = static_cast<int>(workers.size());
  const std::size_t per =
      std::max<std::size_t>(1, elements.size() / (PIECES_PER_THREAD * static_cast<std::size_t>(threads)) + 1);
  const std::size_t count = (elements.size() + per - 1) / per;
  std::vector<Piece> pieces(count);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t k = 0; k < count; ++k) {
    Worker& w = workers[static_cast<std::size_t>(omp_get_thread_num())];
    Piece& out = pieces[k];
    const std::size_t lo = k * per, hi = std::min(elements.size(), lo + per);
    for (std::size_t i = lo; i < hi; ++i) {
      try {
        parse_record(elements[i], ctx, w, out);
        out.position.push_back(static_cast<std::int64_t>(i - lo));
      } catch (const RecordError& e) {
        out.errors.emplace_back(static_cast<std::int64_t>(i - lo), e.what);
      }
    }
    out.lines = static_cast<std::int64_t>(hi - lo);
  }
  std::int64_t base = 0;
  for (const Piece& piece : pieces) {
    merger.merge(piece, base, file);
    base += piece.lines;
  }
  if (m.file_tokens) {
    std::string why;
    const auto v = follow(doc, *m.file_tokens, 0, m.file_tokens->steps.size(), why);
    if (!v || !is_number(*v))
      throw InputError(name + ": file token total '" + m.file_tokens->text +
                       "': " + (v ? std::string("must be a number, found ") + type_name(v->type()) : why));
    const double total = number_of(*v);
    if (!(total >= 0.0)) throw InputError(name + ": file token total '" + m.file_tokens->text + "' must be >= 0");
    const std::size_t n = log.samples() - file.first_sample;
    for (std::size_t s = file.first_sample; s < log.samples(); ++s) log.tokens[s] = total / static_cast<double>(n);
  }
}

}  // namespace

std::string model_from_file_name(const std::string& path) {
  if (path == STDIN_PATH) return "stdin";
  std::string name = std::filesystem::path(path).filename().string();
  for (const std::string_view suffix : {".gz", ".zst", ".jsonl", ".json"}) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      name.erase(name.size() - suffix.size());
  }
  const std::size_t cut = name.find("--temp");
  return cut == std::string::npos || cut == 0 ? name : name.substr(0, cut);
}

void print_runlog_info(std::ostream& out, const RunLog& log) {
  const std::size_t Q = log.questions(), S = log.samples();
  std::int64_t max_samples = 0;
  for (std::size_t q = 0; q < Q; ++q) max_samples = std::max(max_samples, log.samples(q));
  std::size_t valid = 0, correct = 0, rewards = 0, tokens = 0, think = 0;
  double token_sum = 0.0, think_sum = 0.0;
  for (std::size_t s = 0; s < S; ++s) {
    valid += log.label[s] >= 0 ? 1 : 0;
    correct += log.correct[s];
    rewards += std::isinf(log.reward[s]) && log.reward[s] < 0 ? 0 : 1;
    if (!std::isnan(log.tokens[s])) ++tokens, token_sum += log.tokens[s];
    if (!std::isnan(log.think_tokens[s])) ++think, think_sum += log.think_tokens[s];
  }
  auto percent = [S](std::size_t n) {
    std::ostringstream p;
    p << std::fixed << std::setprecision(2) << (S ? 100.0 * static_cast<double>(n) / static_cast<double>(S) : 0.0)
      << " %";
    return p.str();
  };
  out << "model: " << log.model << "\n";
  for (const std::string& f : log.files) out << "file: " << f << "\n";
  out << "questions: " << Q << "\n";
  out << "samples per question: " << log.min_samples();
  if (max_samples != log.min_samples()) out << " to " << max_samples;
  out << "\n";
  out << "samples: " << S << "\n";
  out << "valid answers: " << valid << " (" << percent(valid) << ")\n";
  out << "correct: " << correct << " (" << percent(correct) << ")\n";
  out << "rewards: " << rewards << " present, " << S - rewards << " missing\n";
  if (tokens > 0)
    out << "tokens per sample: " << std::setprecision(6) << token_sum / static_cast<double>(tokens)
        << (tokens < S ? " (some samples without a count)" : "") << "\n";
  else
    out << "tokens per sample: none in the log\n";
  if (think > 0) out << "thinking tokens per sample: " << think_sum / static_cast<double>(think) << "\n";
  const RunLogReport& r = log.report;
  out << "lines: " << r.lines << ", records kept: " << r.records << ", malformed: " << r.malformed
      << ", duplicates: " << r.duplicates << ", counter restarts: " << r.counter_restarts << "\n";
  for (const std::string& m : r.messages) out << "  " << m << "\n";
  const std::int64_t shown = static_cast<std::int64_t>(r.messages.size());
  const std::int64_t total = r.malformed + r.duplicates + r.counter_restarts;
  if (total > shown) out << "  (" << total - shown << " more messages not shown)\n";
}

RunLog read_runlog(const std::vector<std::string>& files, const RunLogOptions& options) {
  if (files.empty()) throw InputError("no run-log files given");
  const AnswerExtractor extractor(options.mapping.answers);
  const Context ctx{options.mapping, extractor};
  std::vector<Worker> workers(static_cast<std::size_t>(thread_count(options)));
  RunLog log;
  Merger merger(log, options);
  std::vector<std::unique_ptr<FileState>> states;
  if (std::count(files.begin(), files.end(), std::string(STDIN_PATH)) > 1)
    throw InputError("standard input ('-') is listed twice among the run-log files: it can be read only once");
  for (const std::string& path : files) {
    log.files.push_back(display_name(path));
    states.push_back(std::make_unique<FileState>());
    FileState& file = *states.back();
    merger.begin_file(file);
    file.path = display_name(path);
    file.array_layout = options.mapping.layout == RunLogLayout::json_array;
    file.first_sample = log.samples();
    if (file.array_layout)
      read_json_array(path, options, ctx, workers, merger, file, log);
    else
      read_jsonl(path, options, ctx, workers, merger, file);
    if (file.records_seen == 0) merger.message(file.path + ": no valid record (every record is malformed)");
  }
  if (log.questions() == 0) {
    std::string why = std::to_string(log.report.malformed) + " malformed";
    if (!log.report.messages.empty()) why += "; first: " + log.report.messages.front();
    throw InputError("no valid records in the run log (" + why + ")");
  }
  log.model = !options.model.empty()           ? options.model
              : !options.mapping.model.empty() ? options.mapping.model
              : !merger.model_name().empty()   ? merger.model_name()
                                               : model_from_file_name(files.front());
  return log;
}

}  // namespace ttcg
