// End-to-end tests of `ttcgames curves` and of run logs as a scenario provider source: help text, the shipped
// synthetic logs to HDF5 and CSV, a scenario built from run logs giving the same market as one built from the CSV
// the curves command wrote, and bad input (exit code 1, the place of the problem on stderr, no file left behind).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include "cli/cli_support.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "in_process.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves_io.hpp"
#include "ttcgames/io/h5.hpp"
#include "ttcgames/run/run.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

namespace fs = std::filesystem;

const std::string RUNLOGS = std::string(TTCG_INPUTS_DIR) + "/runlogs";
const std::string SYNTHETIC = RUNLOGS + "/synthetic";
const std::string INSTRUCT_LOGS = SYNTHETIC + "/SynthA-7B--temp-0.7--samples-64--max-512.jsonl " + SYNTHETIC +
                                  "/SynthB-1B--temp-0.7--samples-64--max-512.jsonl " + SYNTHETIC +
                                  "/SynthC-3B--temp-0.7--samples-64--max-512.jsonl";
const std::string REASONING_LOG = SYNTHETIC + "/reason-SynthR-7B--temp-0.6--samples-32--max-2048.jsonl";

using ttcg::test::CliResult;

class CurvesCli : public ttcg::test::CliTest {
 protected:
  //! Result files and temporaries left in the working directory.
  int leftovers() const { return static_cast<int>(ttcg::test::result_files(work(), true).size()); }
  std::string prices() const {
    return write("prices.csv", "model,usd_per_million_tokens\nSynthA-7B,0.2\nSynthB-1B,0.1\nSynthC-3B,0.08\n");
  }
};

TEST_F(CurvesCli, HelpExplainsMethodsAndEstimators) {
  const CliResult r = cli("curves --help");
  EXPECT_EQ(r.code, 0) << r.err;
  for (const char* word : {"majority", "best-of-n", "pass@k", "relative-effort", "--permutations", "--seed", "--exact",
                           "logged-order", "--mapping", "--strict", "--backend", "--csv", "--jitter"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}

TEST_F(CurvesCli, SyntheticLogsToHdf5AndCsv) {
  const CliResult r = cli("curves " + INSTRUCT_LOGS + " " + REASONING_LOG +
                          " --permutations 100 --bootstrap 50 --backend cpu -o curves.h5 --csv curves.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("curves synthetic / majority"), std::string::npos) << r.out;
  ttcg::h5::File f = ttcg::h5::File::open_read((work() / "curves.h5").string());
  ttcg::h5::Group root = f.root();
  EXPECT_EQ(root.read_attribute_string("format"), "ttcgames-results");
  EXPECT_NE(root.read_attribute_string("scenario").find("permutations = 100"), std::string::npos);
  EXPECT_EQ(root.open_group("curves/synthetic").list(),
            (std::vector<std::string>{"best-of-n", "majority", "pass@k", "relative-effort"}));
  EXPECT_EQ(root.open_group("curves/synthetic/majority").read_strings("model", {ttcg::h5::ANY}),
            (std::vector<std::string>{"SynthA-7B", "SynthB-1B", "SynthC-3B"}));
  EXPECT_EQ(root.open_group("curves/synthetic/relative-effort").read_strings("model", {ttcg::h5::ANY}),
            (std::vector<std::string>{"SynthR-7B"}));
  for (const char* csv :
       {"curves_majority.csv", "curves_best-of-n.csv", "curves_pass-at-k.csv", "curves_relative-effort.csv"})
    EXPECT_TRUE(fs::exists(work() / csv)) << csv;
  const ttcg::ProviderSet set =
      ttcg::read_curves_csv((work() / "curves_majority.csv").string(), ttcg::read_prices_csv(prices()));
  EXPECT_EQ(set.theta, (std::vector<double>{1, 4, 8, 16, 32}));
  EXPECT_EQ(set.providers.size(), 3u);
}

TEST_F(CurvesCli, TablesAreThoseOfSummaryWithOrWithoutAResultFile) {
  const std::string args = "curves " + INSTRUCT_LOGS + " --method majority --method pass@k --permutations 20 " +
                           "--bootstrap 10 --backend cpu";
  const CliResult written = cli(args + " -o t.h5");
  ASSERT_EQ(written.code, 0) << written.err;
  const CliResult summary = cli("summary t.h5");
  ASSERT_EQ(summary.code, 0) << summary.err;
  EXPECT_EQ(written.out, summary.out);  // read back from the file written
  EXPECT_NE(written.out.find("== curves synthetic / pass@k"), std::string::npos) << written.out;
  const CliResult csv_only = cli(args + " --csv only.csv");
  ASSERT_EQ(csv_only.code, 0) << csv_only.err;
  EXPECT_EQ(csv_only.out, summary.out);  // the same reader, on an in-memory image of the file
  EXPECT_NE(csv_only.err.find("wrote only_majority.csv"), std::string::npos) << csv_only.err;
  EXPECT_NE(csv_only.err.find("wrote only_pass-at-k.csv"), std::string::npos) << csv_only.err;
  EXPECT_EQ(ttcg::test::result_files(work()).size(), 1u);  // t.h5 only: no journal, no temporary
}

TEST_F(CurvesCli, ScenarioFromRunLogsEqualsScenarioFromTheCurvesCsv) {
  const CliResult r =
      cli("curves " + INSTRUCT_LOGS + " --method majority --permutations 300 --seed 7 --csv majority.csv -q");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string market = "[market]\nalpha = 0.008\n[beta]\nvalues = [200.0, 1000.0, 100000.0]\n";
  const std::string from_csv =
      write("from-csv.toml", "format = \"ttcgames-scenario\"\nversion = 1\nname = \"csv\"\n" + market +
                                 "[providers]\ncurves = \"majority.csv\"\nprices = \"prices.csv\"\n");
  const std::string from_logs =
      write("from-logs.toml", "format = \"ttcgames-scenario\"\nversion = 1\nname = \"logs\"\n" + market +
                                  "[providers]\nrunlogs = [\"" + SYNTHETIC +
                                  "/SynthA-7B--temp-0.7--samples-64--max-512.jsonl\", \"" + SYNTHETIC +
                                  "/SynthB-1B--temp-0.7--samples-64--max-512.jsonl\", \"" + SYNTHETIC +
                                  "/SynthC-3B--temp-0.7--samples-64--max-512.jsonl\"]\n"
                                  "method = \"majority\"\npermutations = 300\nseed = 7\nprices = \"prices.csv\"\n");
  prices();
  const ttcg::Scenario a = ttcg::load_scenario(from_csv), b = ttcg::load_scenario(from_logs);
  ASSERT_EQ(a.providers.providers.size(), b.providers.providers.size());
  EXPECT_EQ(a.providers.theta, b.providers.theta);
  for (std::size_t i = 0; i < a.providers.providers.size(); ++i) {
    EXPECT_EQ(a.providers.providers[i].name, b.providers.providers[i].name);
    EXPECT_EQ(a.providers.providers[i].accuracy, b.providers.providers[i].accuracy);  // bitwise
    EXPECT_EQ(a.providers.providers[i].tokens, b.providers.providers[i].tokens);
    EXPECT_EQ(a.providers.providers[i].usd_per_million_tokens, b.providers.providers[i].usd_per_million_tokens);
  }
  const ttcg::ScenarioResult ra = ttcg::testing_support::solve_market(a), rb = ttcg::testing_support::solve_market(b);
  ASSERT_EQ(ra.betas.size(), rb.betas.size());
  for (std::size_t j = 0; j < ra.betas.size(); ++j) {
    EXPECT_EQ(ra.betas[j].dynamics.profile, rb.betas[j].dynamics.profile);
    EXPECT_EQ(ra.betas[j].welfare, rb.betas[j].welfare);
    EXPECT_EQ(ra.betas[j].optimum.welfare, rb.betas[j].optimum.welfare);
  }
  // The resolved scenario re-runs from anywhere and the run-log scenario works end to end.
  const ttcg::Scenario again = ttcg::parse_scenario(b.resolved_toml(), (fs::path("/") / "elsewhere.toml").string());
  ASSERT_EQ(again.providers.providers.size(), 3u);
  EXPECT_EQ(again.providers.providers[2].accuracy, b.providers.providers[2].accuracy);
  EXPECT_NE(b.resolved_toml().find("permutations = 300"), std::string::npos) << b.resolved_toml();
  const CliResult run_logs = cli("run from-logs.toml -o logs.h5 --no-enumerate -q");
  EXPECT_EQ(run_logs.code, 0) << run_logs.err;
}

TEST_F(CurvesCli, BadInputFailsWithTheReasonAndWritesNothing) {
  struct Case {
    std::string args, expected;
    int code = 1;
  };
  const std::string a = SYNTHETIC + "/SynthA-7B--temp-0.7--samples-64--max-512.jsonl";
  const std::vector<Case> cases{
      {"curves " + a, "nothing to write", 2},
      {"curves " + a + " --theta 1 128 -o c.h5 --csv c.csv", "model 'SynthA-7B'"},
      {"curves " + a + " --method relative-effort -o c.h5", "thinking tokens"},
      {"curves missing.jsonl -o c.h5", "missing.jsonl"},
      {"curves " + a + " --dataset a/b -o c.h5", "--dataset: 'a/b' is not a valid name"},
      {"curves " + a + " --dataset .. -o c.h5", "--dataset: '..' is not a valid name"},
  };
  for (const Case& c : cases) {
    const CliResult r = cli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(leftovers(), 0) << c.args;
  }
}

//! Every dataset of /curves/<dataset>/<method> and its per-question tables, as bytes (NaN equal to NaN).
std::vector<std::string> curves_numbers(const fs::path& path) {
  using ttcg::h5::ANY;
  const ttcg::h5::File f = ttcg::h5::File::open_read(path.string());
  const ttcg::h5::Group all = f.root().open_group("curves");
  std::vector<std::string> out;
  const auto bytes = [](const std::vector<double>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
  };
  for (const std::string& dataset : all.list())
    for (const std::string& method : all.open_group(dataset).list()) {
      const ttcg::h5::Group g = all.open_group(dataset + "/" + method);
      for (const char* name :
           {"accuracy", "accuracy_lo", "accuracy_hi", "tokens", "tokens_lo", "tokens_hi", "accuracy_sd", "tokens_sd",
            "accuracy_bootstrap_lo", "accuracy_bootstrap_hi", "tokens_bootstrap_lo", "tokens_bootstrap_hi"})
        out.push_back(dataset + "/" + method + "/" + name + ":" + bytes(g.read_f64(name, {ANY, ANY})));
      for (const std::string& model : g.open_group("questions").list()) {
        const ttcg::h5::Group t = g.open_group("questions/" + model);
        out.push_back(model + ":" + bytes(t.read_f64("p_correct", {ANY, ANY})) +
                      bytes(t.read_f64("tokens", {ANY, ANY})));
      }
    }
  return out;
}

TEST_F(CurvesCli, StopsIncompleteAndResumesToTheSameCurves) {
  const std::string args = "curves " + INSTRUCT_LOGS + " " + REASONING_LOG + " --permutations 40 --bootstrap 30 -q ";
  ASSERT_EQ(cli(args + "-o full.h5").code, 0);
  const CliResult stopped = cli(args + "-o part.h5 --max-units 1 --csv part.csv");
  EXPECT_EQ(stopped.code, 75) << stopped.err;
  EXPECT_TRUE(fs::exists(work() / "part.h5.ckpt"));
  EXPECT_FALSE(fs::exists(work() / "part.h5"));
  EXPECT_FALSE(fs::exists(work() / "part_majority.csv"));  // nothing but the journal until the run is complete
  EXPECT_EQ(cli(args + "-o part.h5 --max-units 2 --resume").code, 75);
  const CliResult resumed = cli(args + "-o part.h5 --resume --csv part.csv");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_FALSE(fs::exists(work() / "part.h5.ckpt"));
  EXPECT_TRUE(fs::exists(work() / "part_majority.csv"));
  const std::vector<std::string> full = curves_numbers(work() / "full.h5");
  EXPECT_EQ(full.size(), 4u * 12u + 3u * 3u + 1u);
  EXPECT_TRUE(curves_numbers(work() / "part.h5") == full);
  // A time limit stops the run too, keeping the journal; a run log that changed in between is refused on --resume.
  const std::string log = write("Solo--temp-0.7--samples-64--max-512.jsonl",
                                ttcg::test::read_text(SYNTHETIC + "/SynthA-7B--temp-0.7--samples-64--max-512.jsonl"));
  const std::string solo = "curves " + log + " " + REASONING_LOG + " --permutations 40 --bootstrap 30 -q -o solo.h5";
  EXPECT_EQ(cli(solo + " --time-limit 0.001").code, 75);
  EXPECT_TRUE(fs::exists(work() / "solo.h5.ckpt"));
  std::string text = ttcg::test::read_text(log);
  text.replace(text.find("\"q0000\""), 7, "\"x0000\"");  // a question's id
  write("Solo--temp-0.7--samples-64--max-512.jsonl", text);
  const CliResult changed = cli(solo + " --resume");
  EXPECT_EQ(changed.code, 1) << changed.err;
  EXPECT_NE(changed.err.find("belongs to a different run"), std::string::npos) << changed.err;
  EXPECT_FALSE(fs::exists(work() / "solo.h5"));
}

TEST_F(CurvesCli, MalformedLinesAreSkippedOrStrict) {
  std::string text = ttcg::test::read_text(SYNTHETIC + "/SynthA-7B--temp-0.7--samples-64--max-512.jsonl");
  text.insert(text.find('\n') + 1, "{not json\n");
  const std::string log = write("Bad--temp-0.7--samples-64--max-512.jsonl", text);
  const CliResult skipped = cli("curves " + log + " --method majority --permutations 20 -o c.h5");
  EXPECT_EQ(skipped.code, 0) << skipped.err;
  EXPECT_NE(skipped.err.find(":2:"), std::string::npos) << skipped.err;  // file:line of the bad record
  EXPECT_NE(skipped.err.find("1 malformed"), std::string::npos) << skipped.err;
  fs::remove(work() / "c.h5");
  const CliResult strict = cli("curves " + log + " --method majority --strict -o c.h5");
  EXPECT_EQ(strict.code, 1);
  EXPECT_NE(strict.err.find(":2"), std::string::npos) << strict.err;
  EXPECT_FALSE(fs::exists(work() / "c.h5"));
}

TEST_F(CurvesCli, RunLogScenarioErrorsNameTheKey) {
  prices();
  const std::string head =
      "format = \"ttcgames-scenario\"\nversion = 1\nname = \"x\"\n[market]\nalpha = 0.008\n"
      "[beta]\nvalues = [200.0]\n[providers]\nprices = \"prices.csv\"\nrunlogs = [\"" +
      SYNTHETIC + "/SynthA-7B--temp-0.7--samples-64--max-512.jsonl\"]\n";
  struct Case {
    std::string extra, expected;
  };
  const std::vector<Case> cases{
      {"", "missing key 'providers.method'"},
      {"method = \"majority\"\npermutation = 10\n", "did you mean 'providers.permutations'"},
      {"method = \"majority\"\ncurves = \"x.csv\"\n", "cannot be combined"},
      {"method = \"maj\"\n", "valid values"},
      {"method = \"majority\"\njitter = \"mt\"\n", "providers.jitter"},
      {"method = \"majority\"\ntheta = [4, 2]\n", "providers.theta"},
      {"method = \"relative-effort\"\n", "thinking tokens"},
  };
  for (const Case& c : cases) {
    const std::string path = write("bad.toml", head + c.extra);
    try {
      ttcg::load_scenario(path);
      ADD_FAILURE() << "no error for:\n" << c.extra;
    } catch (const ttcg::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.toml"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
