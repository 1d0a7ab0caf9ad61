// End-to-end tests of `ttcgames ensemble` and of `ttcgames run` on a scenario with [ensemble]: the file, the printed
// distributions, `summary` reading them back, the thread-count independence of the file's numbers, and bad input
// (exit 1, the key named, no file left behind).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli_support.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "ttcgames/core/backend.hpp"
#include "ttcgames/io/h5.hpp"

namespace fs = std::filesystem;

namespace {

const std::string EXAMPLE = std::string(TTCG_INPUTS_DIR) + "/ensembles/paper-gsm8k-ensemble.toml";

using ttcg::test::CliResult;
using ttcg::test::expect_contains;
using ttcg::test::quote;
using ttcg::test::read_text;

class EnsembleCli : public ttcg::test::CliTest {
 protected:
  //! The example scenario with `from` replaced by `to`, written to the scratch directory.
  std::string edited_example(const std::string& from, const std::string& to) const {
    std::string text = read_text(EXAMPLE);
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    // Data paths stay valid relative to the scenario's own directory.
    for (const std::string p : {"../paper/curves/", "../paper/prices.csv"}) {
      const auto q = text.find(p);
      if (q != std::string::npos) text.replace(q, 2, fs::path(EXAMPLE).parent_path().string() + "/..");
    }
    return write("edited.toml", text);
  }
  bool no_result_files() const { return ttcg::test::result_files(work()).empty(); }
};

TEST_F(EnsembleCli, WritesTheFileAndPrintsTheDistributions) {
  const CliResult r = cli("ensemble " + quote(EXAMPLE) + " -n 300 -o e.h5 --backend cpu");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(work() / "e.h5"));
  expect_contains(
      r.out, {"ensemble paper-gsm8k-ensemble", "300 markets of 3..9 providers from a pool of 9",
              "inefficiency 100(PoA-1) %", "auction SW / SW*", "markets above an inefficiency of", "worst markets"});
  expect_contains(r.err, {"wrote e.h5"});
  const CliResult s = cli("summary e.h5");
  EXPECT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(s.out, r.out) << "summary prints what the run printed";
}

TEST_F(EnsembleCli, RunRunsTheEnsembleOfTheScenario) {
  const std::string small = edited_example("markets = 1000000", "markets = 200");
  const CliResult q = cli("run " + quote(small) + " -o run.h5 -q --backend cpu --seed 5");
  ASSERT_EQ(q.code, 0) << q.err;
  const ttcg::h5::File f = ttcg::h5::File::open_read((work() / "run.h5").string());
  const ttcg::h5::Group g = f.root().open_group("ensemble/paper-gsm8k-ensemble");
  EXPECT_EQ(g.read_attribute_i64("seed"), 5);
  EXPECT_EQ(g.read_attribute_i64("markets"), 200);
  EXPECT_FALSE(f.root().exists("market")) << "an ensemble-only scenario solves no market of its own";
}

TEST_F(EnsembleCli, TheFileDoesNotDependOnTheThreadCount) {
  const std::string args = "ensemble " + quote(EXAMPLE) + " -n 500 -q --backend cpu";
  ASSERT_EQ(cli(args + " -o one.h5 --threads 1").code, 0);
  ASSERT_EQ(cli(args + " -o two.h5 --threads 2").code, 0);
  const ttcg::h5::File a = ttcg::h5::File::open_read((work() / "one.h5").string());
  const ttcg::h5::File b = ttcg::h5::File::open_read((work() / "two.h5").string());
  const ttcg::h5::Group ga = a.root().open_group("ensemble/paper-gsm8k-ensemble");
  const ttcg::h5::Group gb = b.root().open_group("ensemble/paper-gsm8k-ensemble");
  for (const char* name : {"markets/price_of_anarchy", "markets/auction_welfare", "markets/price_factor",
                           "statistics/inefficiency_percent/sum", "statistics/inefficiency_percent/sum_sq",
                           "statistics/inefficiency_percent/quantiles"}) {
    const ttcg::h5::Dims shape = ga.open_dataset(name).dims();
    const std::vector<double> x = ga.read_f64(name, shape), y = gb.read_f64(name, shape);  // bitwise, NaN too
    ASSERT_EQ(x.size(), y.size()) << name;
    EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << name;
  }
  const char* counts = "statistics/inefficiency_percent/histogram/counts";
  EXPECT_EQ(ga.read_i64(counts, {ttcg::h5::ANY}), gb.read_i64(counts, {ttcg::h5::ANY}));
}

TEST_F(EnsembleCli, NoEnumerateSwitchesTheEnumerationOff) {
  const CliResult r = cli("ensemble " + quote(EXAMPLE) + " -n 100 -o e.h5 -q --backend cpu --no-enumerate");
  ASSERT_EQ(r.code, 0) << r.err;
  const ttcg::h5::File f = ttcg::h5::File::open_read((work() / "e.h5").string());
  const ttcg::h5::Group g = f.root().open_group("ensemble/paper-gsm8k-ensemble");
  EXPECT_EQ(g.read_attribute_i64("enumeration_max_profiles"), 0);
  EXPECT_EQ(g.read_scalar_i64("enumerated_markets"), 0);
  EXPECT_FALSE(g.exists("markets/num_equilibria"));
}

TEST_F(EnsembleCli, ScenarioWithoutEnsembleFails) {
  const CliResult r =
      cli("ensemble " + quote(std::string(TTCG_INPUTS_DIR) + "/paper/gsm8k-majority.toml") + " -o x.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "no [ensemble] section"});
  EXPECT_TRUE(no_result_files());
}

TEST_F(EnsembleCli, BadEnsembleKeyFailsWithoutAFile) {
  const CliResult r = cli("ensemble " + quote(edited_example("block_size = 4096", "block_size = -3")) + " -o x.h5");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "edited.toml:", "'ensemble.block_size'"});
  EXPECT_TRUE(no_result_files());
}

TEST_F(EnsembleCli, CudaWithoutDeviceFails) {
  if (ttcg::cuda_device_available()) GTEST_SKIP() << "a CUDA device is present";
  const CliResult r = cli("ensemble " + quote(EXAMPLE) + " -n 10 -o x.h5 --backend cuda");
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "--backend cpu"});
  EXPECT_TRUE(no_result_files());
}

TEST_F(EnsembleCli, MarketSubcommandOnAnEnsembleOnlyScenarioFails) {
  const CliResult r = cli("market " + quote(EXAMPLE));
  EXPECT_EQ(r.code, 1);
  expect_contains(r.err, {"error:", "no [beta] values", "ttcgames ensemble"});
}

}  // namespace
