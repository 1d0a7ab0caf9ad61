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

#include "runlog_input.hpp"
#include "runlog_record.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/answers.hpp"

namespace ttcg {

namespace {

using namespace runlog_detail;
using simdjson::SIMDJSON_PADDING;

//! Pieces of a block parsed in parallel per thread (several per thread balance uneven lines).
constexpr std::size_t PIECES_PER_THREAD = 4;
constexpr std::size_t MIN_PIECE_BYTES = std::size_t{1} << 16;

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