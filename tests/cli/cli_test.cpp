// End-to-end tests of the ttcgames program (src/cli/main.cpp): help and version, run / market / auction /
// summary on the shipped GSM8K scenario, several scenarios in one file, and bad input: every failing run
// exits 1 with "error:" and the place of the problem on stderr, and leaves no result file or temporary
// behind.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"

namespace fs = std::filesystem;

namespace {

const std::string INPUTS = std::string(TTCG_INPUTS_DIR) + "/paper";
const std::string GSM8K_MAJORITY = INPUTS + "/gsm8k-majority.toml";
const std::string GSM8K_REASONING = INPUTS + "/gsm8k-reasoning.toml";

using Cli = ttcg::test::CliTest;
using ttcg::test::CliResult;
using ttcg::test::expect_contains;
using ttcg::test::quote;
using ttcg::test::read_text;
using ttcg::test::result_files;
using ttcg::test::run_cli;
using ttcg::test::write_text;

// ---- help, version, usage

TEST_F(Cli, HelpMentionsEverySubcommand) {
  const CliResult r = cli("--help");
  EXPECT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"run", "market", "auction", "summary", "docs/scenario.md"}, "stdout");
}

TEST_F(Cli, SubcommandHelp) {
  const CliResult r = cli("run --help");
  EXPECT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"--output", "--no-enumerate", "--backend", "--seed", "--quiet"}, "stdout");
}

TEST_F(Cli, Version) {
  const CliResult r = cli("--version");
  EXPECT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"ttcgames 0.1.0"}, "stdout");
}

TEST_F(Cli, NoSubcommandFails) {
  const CliResult r = cli("");
  EXPECT_NE(r.code, 0);
  expect_contains(r.err, {"subcommand"}, "stderr");
}

TEST_F(Cli, UnknownOptionFails) {
  const CliResult r = cli("run " + quote(GSM8K_MAJORITY) + " --no-such-option");
  EXPECT_NE(r.code, 0);
  expect_contains(r.err, {"--no-such-option"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

TEST_F(Cli, MissingScenarioFileFails) {
  const CliResult r = cli("run " + quote(in_work("nope.toml")) + " -o out.h5");
  EXPECT_NE(r.code, 0);
  expect_contains(r.err, {"nope.toml"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

// ---- run and summary (one run shared by the suite)

class CliRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ttcg_cli_run_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "work");
    result_ = run_cli("run " + quote(GSM8K_MAJORITY) + " -o x.h5 --no-enumerate", dir_ / "work", dir_ / "capture");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static fs::path dir_;
  static CliResult result_;
};
fs::path CliRun::dir_;
CliResult CliRun::result_;

TEST_F(CliRun, WritesTheFileAndNoTemporary) {
  ASSERT_EQ(result_.code, 0) << result_.err;
  EXPECT_TRUE(fs::is_regular_file(dir_ / "work" / "x.h5"));
  EXPECT_EQ(result_files(dir_ / "work"), (std::vector<std::string>{(dir_ / "work" / "x.h5").string()}));
  expect_contains(result_.err, {"wrote x.h5"}, "stderr");
  EXPECT_FALSE(fs::exists(dir_ / "work" / "results")) << "-o replaces the scenario's [output] path";
}

TEST_F(CliRun, PrintsTheSummaryTable) {
  ASSERT_EQ(result_.code, 0) << result_.err;
  expect_contains(result_.out,
                  {"gsm8k-majority", "9 providers x 6 levels", "21.7%", "13.0%", "1.2%", "All 103 beta values",
                   "winner Qwen2.5-7B", "runner-up Qwen2.5-3B"},
                  "stdout");
  EXPECT_EQ(result_.out.find("#NE"), std::string::npos) << "no enumeration column with --no-enumerate";
}

TEST_F(CliRun, SummaryPrintsTheSameTables) {
  ASSERT_EQ(result_.code, 0) << result_.err;
  const CliResult r = run_cli("summary x.h5", dir_ / "work", dir_ / "capture-summary");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, result_.out);
}

TEST_F(Cli, QuietRunPrintsNothing) {
  const CliResult r = cli("run " + quote(GSM8K_MAJORITY) + " -o " + quote(in_work("x.h5")) + " --no-enumerate --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(result_files(work()), (std::vector<std::string>{in_work("x.h5")}));
}

TEST_F(Cli, RunCreatesTheOutputDirectory) {
  const CliResult r = cli("run " + quote(GSM8K_REASONING) + " -o sub/dir/r.h5 --no-enumerate -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(result_files(work()), (std::vector<std::string>{in_work("sub/dir/r.h5")}));
}

TEST_F(Cli, SummaryOfANonHdf5FileFails) {
  write_text(work() / "fake.h5", "this is not an HDF5 file\n");
  const CliResult r = cli("summary fake.h5");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  expect_contains(r.err, {"error:", "fake.h5", "cannot open the file as HDF5"}, "stderr");
}

TEST_F(Cli, SummaryOfAMissingFileFails) {
  const CliResult r = cli("summary missing.h5");
  EXPECT_NE(r.code, 0);
  expect_contains(r.err, {"missing.h5"}, "stderr");
}

// ---- market and auction

TEST_F(Cli, MarketWithBetasAndEnumeration) {
  const CliResult r = cli("market " + quote(GSM8K_MAJORITY) + " --beta 200 --beta 1000 --enumerate");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"gsm8k-majority", "#NE", "worst ineff", "PoS-1", "21.7%", "13.0%"}, "stdout");
  EXPECT_EQ(r.out.find("100000 "), std::string::npos) << "only the betas given with --beta";
  EXPECT_EQ(r.out.find("auction"), std::string::npos) << "market prints no auction";
  int rows = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::string first;
    std::istringstream(line) >> first;
    if (first == "200" || first == "1000") ++rows;
  }
  EXPECT_EQ(rows, 2) << r.out;
  EXPECT_TRUE(result_files(work()).empty()) << "market writes HDF5 only with -o";
}

TEST_F(Cli, EnumerationAlgorithmsPrintTheSameTable) {
  const std::string market = "market " + quote(GSM8K_MAJORITY) + " --beta 200 --beta 1e5 --enumerate";
  const CliResult structural = cli(market);
  const CliResult exhaustive = cli(market + " --enumeration exhaustive");
  ASSERT_EQ(structural.code, 0) << structural.err;
  ASSERT_EQ(exhaustive.code, 0) << exhaustive.err;
  expect_contains(structural.out, {"#NE", "worst ineff"}, "stdout");
  const auto without_time = [](std::string text) {  // "solved in <seconds> s" differs
    const std::size_t at = text.find("; solved in ");
    if (at != std::string::npos) text.erase(at, text.find('\n', at) - at);
    return text;
  };
  EXPECT_EQ(without_time(structural.out), without_time(exhaustive.out));
  const CliResult bad = cli(market + " --enumeration brute");
  EXPECT_NE(bad.code, 0);
  expect_contains(bad.err, {"--enumeration", "brute"}, "stderr");
}

TEST_F(Cli, MarketWritesWithOutput) {
  const CliResult r = cli("market " + quote(GSM8K_REASONING) + " --beta 200 --no-enumerate -q -o m.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(result_files(work()), (std::vector<std::string>{in_work("m.h5")}));
  const CliResult s = cli("summary m.h5");
  EXPECT_EQ(s.code, 0) << s.err;
  expect_contains(s.out, {"gsm8k-reasoning", "3 providers x 5 levels"}, "stdout");
}

TEST_F(Cli, MarketRejectsANegativeBeta) {
  const CliResult r = cli("market " + quote(GSM8K_MAJORITY) + " --beta -5");
  EXPECT_NE(r.code, 0);
  expect_contains(r.err, {"--beta"}, "stderr");
}

TEST_F(Cli, AuctionPrintsEveryProviderAndTheWinner) {
  const CliResult r = cli("auction " + quote(GSM8K_MAJORITY));
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* p : {"Llama-3-8B", "Llama-3.1-8B", "Llama-3.2-1B", "Llama-3.2-3B", "Qwen2-0.5B", "Qwen2-1.5B",
                        "Qwen2-7B", "Qwen2.5-3B", "Qwen2.5-7B"})
    expect_contains(r.out, {std::string("\n") + p + " "}, "stdout");
  expect_contains(r.out, {"reserve: none", "winner Qwen2.5-7B", "runner-up", "user value 0.00710", "price 0.00030"},
                  "stdout");
}

TEST_F(Cli, AuctionWithOutsideOptionReserve) {
  const CliResult r = cli("auction " + quote(GSM8K_MAJORITY) + " --reserve outside-option");
  ASSERT_EQ(r.code, 0) << r.err;
  // With v0 = 0 below every score, the phantom bidder changes nothing.
  expect_contains(r.out, {"reserve: outside-option", "winner Qwen2.5-7B", "price 0.00030"}, "stdout");
  const CliResult bad = cli("auction " + quote(GSM8K_MAJORITY) + " --reserve maybe");
  EXPECT_NE(bad.code, 0);
  expect_contains(bad.err, {"--reserve"}, "stderr");
}

TEST_F(Cli, AuctionWithoutTrade) {
  // An outside option worth more than every score: no trade under the outside-option reserve.
  std::string text = read_text(GSM8K_MAJORITY);
  text.replace(text.find("v0 = 0.0"), 8, "v0 = 0.5");
  text.replace(text.find("\"curves/"), 8, "\"" + INPUTS + "/curves/");
  text.replace(text.find("\"prices.csv\""), 12, "\"" + INPUTS + "/prices.csv\"");
  write_text(work() / "v0.toml", text);
  const CliResult r = cli("auction v0.toml --reserve outside-option");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"no trade", "v0 = 0.5"}, "stdout");
}

// ---- several scenarios

TEST_F(Cli, SeveralScenariosNeedOutput) {
  const CliResult r = cli("run " + quote(GSM8K_MAJORITY) + " " + quote(GSM8K_REASONING) + " --no-enumerate -q");
  EXPECT_EQ(r.code, 2);  // a usage error (docs/cli.md, "Exit status")
  expect_contains(r.err, {"usage error:", "-o"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

TEST_F(Cli, SeveralScenariosInOneFile) {
  const CliResult r =
      cli("run " + quote(GSM8K_MAJORITY) + " " + quote(GSM8K_REASONING) + " --no-enumerate -q -o both.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(result_files(work()), (std::vector<std::string>{in_work("both.h5")}));
  const CliResult s = cli("summary both.h5");
  EXPECT_EQ(s.code, 0) << s.err;
  expect_contains(s.out, {"== gsm8k-majority", "== gsm8k-reasoning", "winner Qwen2.5-7B"}, "stdout");
}

TEST_F(Cli, DuplicateScenarioNamesInOneFileFail) {
  const CliResult r =
      cli("run " + quote(GSM8K_REASONING) + " " + quote(GSM8K_REASONING) + " --no-enumerate -q -o dup.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "gsm8k-reasoning", "unique"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty()) << "no partial file";
}

// ---- backend

TEST_F(Cli, CudaBackendWithoutDeviceFails) {
  if (ttcg::cuda_device_available()) GTEST_SKIP() << "a CUDA device is present";
  const CliResult r = cli("run " + quote(GSM8K_REASONING) + " --backend cuda --no-enumerate -o c.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "--backend cuda", "--backend cpu"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

TEST_F(Cli, CpuBackendAndThreads) {
  const CliResult r =
      cli("run " + quote(GSM8K_REASONING) + " --backend cpu --threads 1 --seed 3 --no-enumerate -o c.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"gsm8k-reasoning"}, "stdout");
}

// ---- bad scenarios: exit 1, "error:" and the place on stderr, no output left behind

class CliBadInput : public Cli {
 protected:
  //! Copies the GSM8K majority scenario with its prices and curves into the working directory, applies the
  //! edits (to the scenario text, the curves text by line, the prices text), runs it and checks the failure.
  struct Edits {
    std::vector<std::pair<std::string, std::string>> scenario;
    std::vector<std::pair<int, std::string>> curves_lines;  //!< 1-based line → new text ("" drops the line)
    std::vector<std::string> drop_prices_of;
    bool copy_curves = true;

    Edits& replace(const std::string& from, const std::string& to) {
      scenario.emplace_back(from, to);
      return *this;
    }
    Edits& curves_line(int line, const std::string& text) {
      curves_lines.emplace_back(line, text);
      return *this;
    }
    Edits& drop_price(const std::string& model) {
      drop_prices_of.push_back(model);
      return *this;
    }
    Edits& without_curves() {
      copy_curves = false;
      return *this;
    }
  };

  CliResult run_bad(const Edits& edits) {
    std::string scenario = read_text(GSM8K_MAJORITY);
    for (const auto& [from, to] : edits.scenario) {
      const auto at = scenario.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) scenario.replace(at, from.size(), to);
    }
    write_text(work() / "bad.toml", scenario);

    std::istringstream prices(read_text(INPUTS + "/prices.csv"));
    std::string kept;
    for (std::string line; std::getline(prices, line);) {
      bool drop = false;
      for (const auto& m : edits.drop_prices_of) drop = drop || line.starts_with(m + ",");
      if (!drop) kept += line + "\n";
    }
    write_text(work() / "prices.csv", kept);

    if (edits.copy_curves) {
      std::istringstream curves(read_text(INPUTS + "/curves/GSM8K_majority.csv"));
      std::string text;
      int number = 0;
      for (std::string line; std::getline(curves, line);) {
        ++number;
        bool replaced = false;
        for (const auto& [n, replacement] : edits.curves_lines)
          if (n == number) {
            replaced = true;
            if (!replacement.empty()) text += replacement + "\n";
          }
        if (!replaced) text += line + "\n";
      }
      write_text(work() / "curves" / "GSM8K_majority.csv", text);
    }
    return cli("run " + quote(in_work("bad.toml")) + " -o " + quote(in_work("out.h5")) + " --no-enumerate");
  }

  void expect_failure(const CliResult& r, std::initializer_list<std::string> parts) {
    EXPECT_EQ(r.code, 1) << r.err;
    expect_contains(r.err, {"ttcgames: error:"}, "stderr");
    expect_contains(r.err, parts, "stderr");
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(result_files(work()).empty()) << "a failed run leaves no result or temporary file";
  }
};

TEST_F(CliBadInput, ValidCopyRuns) {
  // The copy itself is valid: the failures below come from the edits alone.
  const CliResult r = run_bad(Edits());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(result_files(work()), (std::vector<std::string>{in_work("out.h5")}));
}

TEST_F(CliBadInput, MalformedToml) {
  expect_failure(run_bad(Edits().replace("[market]", "[market")), {"bad.toml:7", "invalid TOML"});
}

TEST_F(CliBadInput, UnknownKey) {
  expect_failure(run_bad(Edits().replace("markup = 0.25", "markup = 0.25\nmarkp = 0.3")),
                 {"bad.toml:11:1", "unknown key 'market.markp'", "did you mean 'market.markup'"});
}

TEST_F(CliBadInput, MissingCurvesFile) {
  expect_failure(run_bad(Edits().without_curves()), {"curves/GSM8K_majority.csv", "cannot open"});
}

TEST_F(CliBadInput, CurvesWithAMissingLevel) {
  // Line 10 is Llama-3.1-8B at theta = 8; the error points at that model's last row (line 12 after the drop).
  expect_failure(run_bad(Edits().curves_line(10, "")),
                 {"GSM8K_majority.csv:12", "model 'Llama-3.1-8B' has no row for level theta = 8"});
}

TEST_F(CliBadInput, AccuracyOutsideUnitInterval) {
  expect_failure(run_bad(Edits().curves_line(9, "Llama-3.1-8B,4,1.5,0.000204,933.92,2.39")),
                 {"GSM8K_majority.csv:9", "accuracy 1.5 of model 'Llama-3.1-8B' is outside [0, 1]"});
}

TEST_F(CliBadInput, NegativeTokens) {
  expect_failure(run_bad(Edits().curves_line(3, "Llama-3-8B,4,0.577158,0.000199,-768.07,1.98")),
                 {"GSM8K_majority.csv:3", "tokens -768.07 of model 'Llama-3-8B' is negative"});
}

TEST_F(CliBadInput, NanTokens) {
  expect_failure(run_bad(Edits().curves_line(4, "Llama-3-8B,8,0.616871,0.000198,nan,2.88")),
                 {"GSM8K_majority.csv:4", "tokens is nan, expected a finite number"});
}

TEST_F(CliBadInput, ProviderWithoutPrice) {
  expect_failure(run_bad(Edits().drop_price("Qwen2.5-7B")),
                 {"GSM8K_majority.csv:50", "no price for model 'Qwen2.5-7B'"});
}

TEST_F(CliBadInput, WrongVersion) {
  expect_failure(run_bad(Edits().replace("version = 1", "version = 3")), {"bad.toml:3:11", "reads version 1"});
}

TEST_F(CliBadInput, UnknownRule) {
  expect_failure(run_bad(Edits().replace("rule = \"reference\"", "rule = \"best_response\"")),
                 {"bad.toml:", "'dynamics.rule'", "did you mean \"best-response\""});
}

// ---- populations

const std::string MATH_MIX = std::string(TTCG_INPUTS_DIR) + "/populations/math-mix.toml";
const std::string HETEROGENEOUS = std::string(TTCG_INPUTS_DIR) + "/populations/gsm8k-heterogeneous.toml";

//! `text` with every `from` replaced by `to`.
std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

//! An example population scenario copied with its data paths made absolute, so that it runs from any directory.
std::string example_text(const std::string& path) {
  return replace_all(read_text(path), "\"../paper/", "\"" + std::string(TTCG_INPUTS_DIR) + "/paper/");
}

TEST_F(Cli, PopulationSubcommandPrintsTheSummaryAndWritesTheGroup) {
  const CliResult r = cli("population " + quote(MATH_MIX) + " --users 3000 --seed 11 -o pop.h5");
  EXPECT_EQ(r.code, 0) << r.err;
  expect_contains(r.out,
                  {"== population math-mix", "3000 users x 1 replicate(s), seed 11", "2 question(s)",
                   "price of anarchy SW*/SW", "Realized per user", "market", "auction"},
                  "stdout");
  EXPECT_TRUE(fs::exists(work() / "pop.h5"));
  const CliResult s = cli("summary pop.h5");
  EXPECT_EQ(s.code, 0) << s.err;
  expect_contains(s.out, {"== population math-mix", "seed 11"}, "stdout");
}

TEST_F(Cli, RunSolvesTheMarketAndThePopulationOfAScenario) {
  // A copy of the example with fewer users.
  const std::string text = replace_all(replace_all(example_text(HETEROGENEOUS), "users = 200000", "users = 2000"),
                                       "replicates = 4", "replicates = 2");
  write_text(work() / "het.toml", text);
  const CliResult r = cli("run het.toml --no-enumerate -o both.h5");
  EXPECT_EQ(r.code, 0) << r.err;
  expect_contains(r.out, {"== gsm8k-heterogeneous", "== population gsm8k-heterogeneous", "converged"}, "stdout");
  EXPECT_TRUE(fs::exists(work() / "both.h5"));
}

TEST_F(Cli, PopulationWithoutThePopulationSectionFails) {
  const CliResult r = cli("population " + quote(GSM8K_MAJORITY) + " -o x.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "no [population] section"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

TEST_F(Cli, MarketOfAPopulationOnlyScenarioFails) {
  const CliResult r = cli("market " + quote(MATH_MIX));
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "no [beta] values"}, "stderr");
}

TEST_F(Cli, BadPopulationInputFailsWithoutOutput) {
  write_text(work() / "bad.toml",
             replace_all(example_text(MATH_MIX), "beta = 1000.0", "beta = { kind = \"lognormal\", median = 1000.0 }"));
  const CliResult r = cli("run bad.toml -o bad.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"bad.toml:", "missing key 'population.beta.sigma'"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

TEST_F(Cli, PopulationOnTheCudaBackendWithoutADeviceFails) {
  if (ttcg::cuda_device_available()) GTEST_SKIP() << "a CUDA device is present";
  const CliResult r = cli("population " + quote(MATH_MIX) + " --users 100 --backend cuda -o x.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "cuda"}, "stderr");
  EXPECT_TRUE(result_files(work()).empty());
}

}  // namespace
