// Run logs read from streams (runlog_reader.hpp): named pipes and standard input ("-") give the same log as the file
// (the format sniff consumes nothing), gzip and zstd are recognized by their magic bytes on a pipe too, gzip members
// concatenated read as one stream, and the line and document limits stop a read with the line number instead of
// growing without bound.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace ttcg {
namespace {

namespace fs = std::filesystem;

const std::string SYNTH_A =
    std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/SynthA-7B--temp-0.7--samples-64--max-512.jsonl";
const std::string TOT_COT =
    std::string(TTCG_INPUTS_DIR) + "/runlogs/tot-game24/gpt-4_0.7_naive_cot_sample_100_start900_end1000.json";
const std::string TOT_MAPPING = std::string(TTCG_INPUTS_DIR) + "/runlogs/tot-game24-cot.toml";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w <= 0) return;  // the reader went away (EPIPE: SIGPIPE is ignored in these tests)
    done += static_cast<std::size_t>(w);
  }
}

//! One gzip member of `plain`.
std::string gzip(const std::string& plain) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, static_cast<uLong>(plain.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(const std::string& plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

//! Serves bytes through a named pipe from a thread, as `cat file |` into a process substitution would.
class Fifo {
 public:
  Fifo(const fs::path& path, std::string bytes) : path_(path.string()) {
    EXPECT_EQ(::mkfifo(path_.c_str(), 0600), 0);
    writer_ = std::thread([this, bytes = std::move(bytes)] {
      const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return;
      write_all(fd, bytes);
      ::close(fd);
    });
  }
  ~Fifo() {
    // Unblocks a writer whose reader never came or stopped early: open the read end and drain it.
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
      ::fcntl(fd, F_SETFL, 0);
      char buffer[4096];
      while (::read(fd, buffer, sizeof buffer) > 0) {
      }
      ::close(fd);
    }
    writer_.join();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::thread writer_;
};

//! Standard input fed from a pipe (as `cat file | ttcgames ...`), restored afterwards.
class StdinFrom {
 public:
  explicit StdinFrom(std::string bytes) : saved_(::dup(STDIN_FILENO)) {
    int p[2];
    EXPECT_EQ(::pipe(p), 0);
    ::dup2(p[0], STDIN_FILENO);
    ::close(p[0]);
    writer_ = std::thread([fd = p[1], bytes = std::move(bytes)] {
      write_all(fd, bytes);
      ::close(fd);
    });
  }
  ~StdinFrom() {
    ::dup2(saved_, STDIN_FILENO);  // closes the pipe's read end: an unfinished writer gets EPIPE and returns
    ::close(saved_);
    writer_.join();
  }

 private:
  int saved_;
  std::thread writer_;
};

class RunLogStream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(TTCG_BINARY_DIR) / "test_scratch" / "runlog_stream" / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream((dir_ / name).string(), std::ios::binary) << bytes;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

void expect_same_log(const RunLog& a, const RunLog& b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.qid, b.qid);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.correct, b.correct);
  EXPECT_EQ(a.reward, b.reward);
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.report.lines, b.report.lines);
  EXPECT_EQ(a.report.records, b.report.records);
  EXPECT_EQ(a.report.malformed, b.report.malformed);
}

std::string input_error_of(const std::vector<std::string>& files, const RunLogOptions& options = {}) {
  try {
    read_runlog(files, options);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

TEST_F(RunLogStream, NamedPipesReadLikeTheFileInEveryEncoding) {
  const std::string plain = read_text(SYNTH_A);
  RunLogOptions o;
  o.model = "SynthA";
  const RunLog expected = read_runlog({SYNTH_A}, o);
  ASSERT_GT(expected.questions(), 1u);
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"plain", plain}, {"gzip", gzip(plain)}, {"zstd", zstd(plain)}}) {
    SCOPED_TRACE(name);
    const Fifo fifo(dir_ / ("log." + name), bytes);  // no telling suffix: the magic bytes decide
    expect_same_log(expected, read_runlog({fifo.path()}, o));
  }
}

TEST_F(RunLogStream, StandardInputIsADash) {
  const std::string plain = read_text(SYNTH_A);
  RunLogOptions o;
  o.model = "SynthA";
  const RunLog expected = read_runlog({SYNTH_A}, o);
  for (const std::string& bytes : {plain, gzip(plain), zstd(plain)}) {
    const StdinFrom in(bytes);
    const RunLog log = read_runlog({STDIN_PATH}, o);
    expect_same_log(expected, log);
    EXPECT_EQ(log.files, std::vector<std::string>{"<stdin>"});
  }
  {
    const StdinFrom in(plain);
    EXPECT_EQ(read_runlog({"-"}).model, "SynthA-7B");  // model_name of the records
  }
  EXPECT_EQ(model_from_file_name("-"), "stdin");
  const StdinFrom in(plain);
  const std::string twice = input_error_of({"-", SYNTH_A, "-"});
  EXPECT_NE(twice.find("standard input ('-') is listed twice"), std::string::npos) << twice;
}

TEST_F(RunLogStream, TheFirstRecordOfAPipeIsNotLost) {
  // A log whose first record is shorter than the format sniff: every byte must reach the parser.
  const std::string text = "{}\n" + read_text(SYNTH_A);
  const Fifo fifo(dir_ / "short-first", text);
  const RunLog log = read_runlog({fifo.path()});
  const RunLog file = read_runlog({write("short-first.jsonl", text)});
  EXPECT_EQ(log.report.lines, file.report.lines);
  EXPECT_EQ(log.report.malformed, 1);  // "{}" has no fields: reported at line 1, not swallowed
  EXPECT_EQ(log.report.messages.front().rfind(dir_.string() + "/short-first:1: ", 0), 0u)
      << log.report.messages.front();
}

TEST_F(RunLogStream, JsonArraysFromAPipe) {
  RunLogOptions o;
  o.mapping = load_field_mapping(TOT_MAPPING);
  const RunLog expected = read_runlog({TOT_COT}, o);
  const Fifo fifo(dir_ / "tot", gzip(read_text(TOT_COT)));
  expect_same_log(expected, read_runlog({fifo.path()}, o));
}

TEST_F(RunLogStream, ConcatenatedGzipMembersAreOneStream) {
  const std::string plain = read_text(SYNTH_A);
  const std::size_t cut = plain.find('\n', plain.size() / 3) + 1;
  const std::string file = write("two.jsonl.gz", gzip(plain.substr(0, cut)) + gzip(plain.substr(cut)));
  RunLogOptions o;
  o.block_bytes = 4096;
  expect_same_log(read_runlog({SYNTH_A}, o), read_runlog({file}, o));
}

TEST_F(RunLogStream, DamagedCompressedStreamsAreErrors) {
  const std::string plain = read_text(SYNTH_A);
  const std::string gz = gzip(plain), zst = zstd(plain);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {gz.substr(0, gz.size() / 2), "truncated gzip data"},
      {gz + "trailing garbage", "corrupt gzip data"},
      {gz.substr(0, 10) + std::string(200, 'x'), "corrupt gzip data"},
      {std::string("\x1f\x8b", 2), "truncated gzip data"},
      {zst.substr(0, zst.size() / 2), "truncated zstd data"},
      {zst.substr(0, 4) + std::string(200, 'x'), "corrupt zstd data"}};
  int i = 0;
  for (const auto& [bytes, message] : cases) {
    SCOPED_TRACE(message);
    const Fifo fifo(dir_ / ("damaged" + std::to_string(i++)), bytes);
    const std::string error = input_error_of({fifo.path()});
    EXPECT_EQ(error.rfind(fifo.path() + ": " + message, 0), 0u) << error;
  }
}

TEST_F(RunLogStream, ALineLongerThanTheLimitIsAnErrorWithItsLineNumber) {
  RunLogOptions o;
  o.max_line_bytes = 2000;
  o.block_bytes = 512;
  const std::string small =
      "{\"qid\": \"a\", \"answers\": [\"1\"], \"correct\": [true], \"num_tokens\": [3], "
      "\"rewards\": [null]}\n";
  // A long line in the middle of a file, at the end without a newline, and a newline-free stream (like /dev/zero).
  const std::string middle = write("middle.jsonl", small + small + std::string(5000, 'x') + "\n" + small);
  std::string error = input_error_of({middle}, o);
  EXPECT_EQ(error.rfind(middle + ":3: a line longer than 2000 bytes", 0), 0u) << error;
  const std::string last = write("last.jsonl", small + std::string(2001, 'y'));
  error = input_error_of({last}, o);
  EXPECT_EQ(error.rfind(last + ":2: a line longer than 2000 bytes", 0), 0u) << error;
  const Fifo endless(dir_ / "zeros", std::string(1 << 20, '\0'));
  error = input_error_of({endless.path()}, o);
  EXPECT_EQ(error.rfind(endless.path() + ":1: a line longer than 2000 bytes", 0), 0u) << error;
  // At the limit exactly, a line still reads.
  o.max_line_bytes = small.size() - 1;
  EXPECT_EQ(read_runlog({write("fits.jsonl", small + small)}, o).report.lines, 2);
}

TEST_F(RunLogStream, AJsonArrayLongerThanTheLimitIsAnError) {
  RunLogOptions o;
  o.mapping = load_field_mapping(TOT_MAPPING);
  o.max_document_bytes = 10000;
  const std::string error = input_error_of({TOT_COT}, o);
  EXPECT_EQ(error.rfind(TOT_COT + ": a json-array run log longer than 10000 bytes", 0), 0u) << error;
}

}  // namespace
}  // namespace ttcg
