// End-to-end tests of `ttcgames runlog-info`: the shipped run logs through their mappings, and bad input (a
// malformed line is reported with file:line and skipped, or stops the read under --strict with exit code 1; a bad
// mapping names its key; a missing file fails).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include "cli/cli_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

const std::string RUNLOGS = std::string(TTCG_INPUTS_DIR) + "/runlogs";

using ttcg::test::CliResult;
using RunLogCli = ttcg::test::CliTest;

TEST_F(RunLogCli, PrintsTheSyntheticLog) {
  const CliResult r = cli("runlog-info '" + RUNLOGS + "/synthetic/SynthA-7B--temp-0.7--samples-64--max-512.jsonl'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("model: SynthA-7B"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("questions: 200"), std::string::npos);
  EXPECT_NE(r.out.find("samples per question: 64"), std::string::npos);
  EXPECT_NE(r.out.find("malformed: 0, duplicates: 0"), std::string::npos);
}

TEST_F(RunLogCli, ReadsTheRealLogsThroughTheirMappings) {
  const CliResult tot =
      cli("runlog-info '" + RUNLOGS + "/tot-game24/gpt-4_0.7_naive_cot_sample_100_start900_end1000.json' --mapping '" +
          RUNLOGS + "/tot-game24-cot.toml'");
  ASSERT_EQ(tot.code, 0) << tot.err;
  EXPECT_NE(tot.out.find("samples per question: 100"), std::string::npos) << tot.out;
  EXPECT_NE(tot.out.find("correct: 403 (4.03 %)"), std::string::npos) << tot.out;
  EXPECT_NE(tot.out.find("counter restarts: 1"), std::string::npos);
  EXPECT_NE(tot.out.find("decreased from 212984 to 6816: read as a restart from 0"), std::string::npos);
  const CliResult qwen = cli("runlog-info '" + RUNLOGS + "/qwen25-math-rm-maj/math_cot_100.jsonl' --mapping '" +
                             RUNLOGS + "/qwen25-math.toml' --threads 1");
  ASSERT_EQ(qwen.code, 0) << qwen.err;
  EXPECT_NE(qwen.out.find("questions: 100"), std::string::npos) << qwen.out;
  EXPECT_NE(qwen.out.find("samples per question: 8"), std::string::npos);
}

TEST_F(RunLogCli, MalformedLinesAreSkippedOrStopUnderStrict) {
  const std::string good =
      R"({"qid": "a", "answers": ["\\boxed{1}"], "correct": [true], "rewards": [0.1], "num_tokens": [5]})";
  const std::string file = write("log.jsonl", good + "\n{\"qid\": oops}\n");
  const CliResult lenient = cli("runlog-info '" + file + "'");
  ASSERT_EQ(lenient.code, 0) << lenient.err;
  EXPECT_NE(lenient.out.find("malformed: 1"), std::string::npos) << lenient.out;
  EXPECT_NE(lenient.out.find(file + ":2: not valid JSON"), std::string::npos) << lenient.out;
  const CliResult strict = cli("runlog-info '" + file + "' --strict");
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find("error: " + file + ":2: not valid JSON"), std::string::npos) << strict.err;
}

TEST_F(RunLogCli, BadMappingAndMissingFilesFail) {
  const std::string mapping =
      write("m.toml", "format = \"ttcgames-runlog-mapping\"\nversion = 1\n[fields]\ntexts = \"t\"\ncorect = \"c\"\n");
  const CliResult bad =
      cli("runlog-info '" + RUNLOGS + "/qwen25-math-rm-maj/math_cot_100.jsonl' --mapping '" + mapping + "'");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find(mapping + ":5:1: unknown key 'fields.corect' (did you mean 'fields.correct'?)"),
            std::string::npos)
      << bad.err;
  const CliResult missing = cli("runlog-info '" + (work() / "none.jsonl").string() + "'");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("none.jsonl: cannot open"), std::string::npos) << missing.err;
  const CliResult empty = cli("runlog-info '" + write("empty.jsonl", "") + "'");
  EXPECT_EQ(empty.code, 1);
  EXPECT_NE(empty.err.find("empty run log"), std::string::npos) << empty.err;
}

}  // namespace
