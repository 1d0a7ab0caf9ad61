// Streams (issue 10, class 6), end to end: a run log piped into `ttcgames runlog-info -` (plain, gzip, zstd) reads
// exactly like the file (no record lost to the format sniff), a named pipe works as a run log and as a scenario,
// `curves -` writes curves from standard input; a damaged compressed stream and '-' listed twice exit 1 with the
// reason, and the inputs stay byte-identical.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/cli_support.hpp"

namespace {

namespace fs = std::filesystem;
using ttcg::test::CliResult;
using ttcg::test::expect_contains;
using ttcg::test::quote;
using ttcg::test::read_text;

const std::string LOG =
    std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/SynthB-1B--temp-0.7--samples-64--max-512.jsonl";

class StreamsCli : public ttcg::test::CliTest {
 protected:
  //! `producer | ttcgames args` in the working directory (the producer's stdout is ttcgames's standard input).
  CliResult piped(const std::string& producer, const std::string& args) const {
    const fs::path capture = work().parent_path() / "capture";
    fs::create_directories(capture);
    const std::string command = "cd " + quote(work().string()) + " && " + producer + " | " + quote(TTCG_CLI) + " " +
                                args + " >" + quote((capture / "out").string()) + " 2>" +
                                quote((capture / "err").string());
    const int status = std::system(command.c_str());
    return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(capture / "out"),
                     read_text(capture / "err")};
  }
};

//! The runlog-info output without its "file: ..." lines (which name the file or <stdin>).
std::string without_file_lines(const std::string& text) {
  std::string out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    end = end == std::string::npos ? text.size() : end + 1;
    if (text.compare(begin, 6, "file: ") != 0) out += text.substr(begin, end - begin);
    begin = end;
  }
  return out;
}

TEST_F(StreamsCli, RunLogsFromStandardInputAndNamedPipes) {
  const std::string log_before = read_text(LOG);
  const CliResult file = cli("runlog-info " + quote(LOG));
  ASSERT_EQ(file.code, 0) << file.err;
  expect_contains(file.out, {"questions: ", "malformed: 0"}, "stdout");
  for (const std::string& producer : {"cat " + quote(LOG), "gzip -c " + quote(LOG), "zstd -q -c " + quote(LOG)}) {
    const CliResult r = piped(producer, "runlog-info -");
    EXPECT_EQ(r.code, 0) << producer << ": " << r.err;
    EXPECT_EQ(without_file_lines(r.out), without_file_lines(file.out)) << producer;
    expect_contains(r.out, {"file: <stdin>"}, "stdout");
  }
  // A named pipe, gzip inside, without a telling name.
  ASSERT_EQ(::mkfifo(in_work("log-pipe").c_str(), 0600), 0);
  const CliResult fifo = piped("(gzip -c " + quote(LOG) + " > log-pipe &) && true", "runlog-info log-pipe");
  EXPECT_EQ(fifo.code, 0) << fifo.err;
  EXPECT_EQ(without_file_lines(fifo.out), without_file_lines(file.out));
  EXPECT_EQ(read_text(LOG), log_before);
}

TEST_F(StreamsCli, CurvesFromStandardInput) {
  const CliResult r =
      piped("cat " + quote(LOG), "curves - --method majority --permutations 4 --theta 1 2 4 --bootstrap 0 -o c.h5");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(work() / "c.h5"));
  expect_contains(r.out, {"SynthB-1B"}, "stdout");  // named by the records' model_name
}

TEST_F(StreamsCli, AScenarioThroughANamedPipe) {
  std::string text = read_text(std::string(TTCG_INPUTS_DIR) + "/paper/gsm8k-majority.toml");
  const std::string paper = std::string(TTCG_INPUTS_DIR) + "/paper/";
  for (const std::string key : {"curves = \"", "prices = \""}) text.replace(text.find(key), key.size(), key + paper);
  ASSERT_EQ(::mkfifo(in_work("scenario.toml").c_str(), 0600), 0);
  ttcg::test::write_text(work().parent_path() / "scenario.txt", text);
  const CliResult r =
      piped("(cat " + quote((work().parent_path() / "scenario.txt").string()) + " > scenario.toml &) && true",
            "auction scenario.toml");
  EXPECT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"Reverse second-price auction: gsm8k-majority", "winner Qwen2.5-7B"}, "stdout");
  // And as standard input.
  const CliResult stdin_scenario = piped("cat " + quote((work().parent_path() / "scenario.txt").string()), "auction -");
  EXPECT_EQ(stdin_scenario.code, 0) << stdin_scenario.err;
  EXPECT_EQ(stdin_scenario.out, r.out);
  const CliResult broken = piped("echo 'format = '", "auction -");
  EXPECT_EQ(broken.code, 1);
  expect_contains(broken.err, {"ttcgames: error: <stdin>:1:"}, "stderr");
}

TEST_F(StreamsCli, BadStreamsExitOneWithTheReason) {
  const std::string log_before = read_text(LOG);
  // A gzip stream cut short, and one with garbage after its member.
  CliResult r = piped("gzip -c " + quote(LOG) + " | head -c 5000", "runlog-info -");
  EXPECT_EQ(r.code, 1) << r.err;
  expect_contains(r.err, {"ttcgames: error: <stdin>: truncated gzip data"}, "stderr");
  EXPECT_EQ(r.out, "");
  r = piped("(gzip -c " + quote(LOG) + "; echo trailing)", "runlog-info -");
  EXPECT_EQ(r.code, 1) << r.err;
  expect_contains(r.err, {"ttcgames: error: <stdin>: corrupt gzip data"}, "stderr");
  // Standard input can be read once.
  r = piped("cat " + quote(LOG), "runlog-info - -");
  EXPECT_EQ(r.code, 1) << r.err;
  expect_contains(r.err, {"standard input ('-') is listed twice"}, "stderr");
  // Binary garbage without a newline is malformed, not a hang or a crash.
  r = piped("head -c 100000 /dev/urandom | tr -d '\\n'", "runlog-info -");
  EXPECT_EQ(r.code, 1) << r.err;
  expect_contains(r.err, {"ttcgames: error: "}, "stderr");
  EXPECT_EQ(read_text(LOG), log_before);
  EXPECT_TRUE(ttcg::test::result_files(work()).empty());
}

}  // namespace
