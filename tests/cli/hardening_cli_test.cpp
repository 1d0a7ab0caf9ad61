// The program under hostile input and faults (issue "Hardening"), one test per class: numerics at extreme
// parameters, option values, outputs that alias inputs, faults (full disk, signals) and what they leave behind, limits
// checked before the work, names, and the exit status contract (docs/cli.md). Every test asserts the exit status,
// the message, that the inputs are byte-identical afterwards and that no temporary or unexpected file is left.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_support.hpp"
#include "ttcgames/io/h5.hpp"

namespace {

namespace fs = std::filesystem;
using ttcg::test::CliResult;
using ttcg::test::expect_contains;
using ttcg::test::quote;
using ttcg::test::read_text;

const std::string PAPER = std::string(TTCG_INPUTS_DIR) + "/paper";

//! A copy of the paper's GSM8K majority market in the working directory (scenario, curves, prices), so that tests
//! can aim outputs at every input and check the inputs afterwards.
class Hardening : public ttcg::test::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    fs::create_directories(work() / "curves");
    fs::copy_file(PAPER + "/curves/GSM8K_majority.csv", work() / "curves/GSM8K_majority.csv");
    fs::copy_file(PAPER + "/prices.csv", work() / "prices.csv");
    std::string toml = read_text(PAPER + "/gsm8k-majority.toml");
    replace(toml, "sweep = { from = 1.0, to = 1e6, points = 100, spacing = \"log\" }", "");
    write("market.toml", toml);
  }

  static void replace(std::string& text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }

  //! The market scenario with one replacement in its text, written as `name`.
  std::string variant(const std::string& name, const std::string& from, const std::string& to) {
    std::string toml = read_text(work() / "market.toml");
    replace(toml, from, to);
    return write(name, toml);
  }

  //! Every regular file under the working directory and its bytes.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(work()))
      if (e.is_regular_file()) files[fs::relative(e.path(), work()).string()] = read_text(e.path());
    return files;
  }

  //! Runs `args` and checks the status, stderr, that every file present before is unchanged and that nothing new
  //! is left beside them.
  CliResult expect_refused(const std::string& args, int code, std::initializer_list<std::string> message) {
    const auto before = snapshot();
    const CliResult r = cli(args);
    EXPECT_EQ(r.code, code) << args << "\n" << r.err;
    expect_contains(r.err, message, ("stderr of `" + args + "`").c_str());
    const auto after = snapshot();
    for (const auto& [name, bytes] : after)
      EXPECT_TRUE(before.count(name) && before.at(name) == bytes) << args << ": " << name << " is new or changed";
    for (const auto& [name, bytes] : before) EXPECT_TRUE(after.count(name)) << args << ": " << name << " is gone";
    return r;
  }
};

// ---- 1. numerics at extreme parameters

TEST_F(Hardening, OverflowingLogAttractionIsAnErrorNamingScenarioBetaAndQuantity) {
  variant("v0.toml", "v0 = 0.0", "v0 = 2e299");
  expect_refused("run v0.toml -o out.h5 -q --beta 1e9", 2, {"--beta"});  // run has no --beta: a usage error
  expect_refused("market v0.toml --beta 1e9 -o out.h5 -q", 1, {"gsm8k-majority", "beta = 1e+09", "beta*v0", "1e+300"});
  variant("big-beta.toml", "values = [200.0, 1000.0, 1e5]", "values = [200.0, 1e305]");
  expect_refused("run big-beta.toml -o out.h5 -q", 1, {"gsm8k-majority", "beta = 1e+305", "beta*V of"});
}

TEST_F(Hardening, PopulationAtVeryHighBetaIsFinite) {
  // Before: the optimum's welfare deviations were 0/0 = NaN beyond beta ~ 3e7 and the run ended in a segfault.
  std::string toml = read_text(work() / "market.toml");
  toml +=
      "\n[population]\nusers = 3000\nreplicates = 1\nseed = 3\nblock_size = 1024\n"
      "beta = { kind = \"lognormal\", median = 5e7, sigma = 0.1 }\n"
      "v0 = { kind = \"empirical\", values = [0.0, 0.001], weights = [8, 2] }\noptimum = \"local-search\"\n";
  write("population.toml", toml);
  const CliResult r = cli("population population.toml -o pop.h5 -q");
  ASSERT_EQ(r.code, 0) << r.err;
  const ttcg::h5::File file = ttcg::h5::File::open_read(in_work("pop.h5"));
  const ttcg::h5::Group g = file.root().open_group("population/gsm8k-majority/replicates");
  for (const char* name : {"equilibrium_welfare", "optimal_welfare", "first_best_welfare"})
    for (const double v : g.read_f64(name, {ttcg::h5::ANY})) EXPECT_TRUE(std::isfinite(v)) << name;
}

// The replicate fails inside a work unit, after the checkpoint journal was created: expect_refused also checks that
// the journal is gone (removed on input errors).
TEST_F(Hardening, PopulationWhoseUsersOverflowIsRefused) {
  std::string toml = read_text(work() / "market.toml");
  toml +=
      "\n[population]\nusers = 1000\nreplicates = 1\nbeta = { kind = \"lognormal\", median = 1e303, sigma = 1.0 }\n";
  write("population.toml", toml);
  expect_refused("population population.toml -o pop.h5 -q", 1,
                 {"gsm8k-majority population", "replicate 0", "beta =", "log attractions"});
}

TEST_F(Hardening, EnsembleWhoseRangesOverflowIsRefusedBeforeTheWork) {
  std::string toml = read_text(work() / "market.toml");
  toml += "\n[ensemble]\nmarkets = 100\nseed = 1\nbeta = { low = 1.0, high = 1e303, spacing = \"log\" }\n";
  write("ensemble.toml", toml);
  expect_refused("ensemble ensemble.toml -o ens.h5 -q", 1, {"'ensemble.beta'", "1e+303", "1e+300"});
}

// ---- 2. option values

TEST_F(Hardening, NumericOptionsOutsideTheirRangeAreUsageErrors) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"market market.toml --beta nan", "--beta: 'nan' is not a finite number in [0, 1e+300]"},
      {"market market.toml --beta inf", "--beta: 'inf'"},
      {"market market.toml --beta -1", "--beta"},
      {"market market.toml --beta 1e999", "--beta: '1e999'"},
      {"run market.toml --seed -1", "--seed: '-1' is not an integer in [0, 9223372036854775807]"},
      {"run market.toml --seed 1.5", "--seed: '1.5'"},
      {"run market.toml --seed 99999999999999999999", "--seed"},
      {"run market.toml --threads 100000", "--threads: '100000' is not an integer in [1, 1024]"},
      {"run market.toml --threads 0", "--threads: '0'"},
      {"run market.toml --time-limit nan", "--time-limit"},
      {"run market.toml --max-units 0", "--max-units"},
      {"ensemble market.toml -n 0", "--markets"},
      {"population market.toml --users 0", "--users"},
      {"population market.toml --replicates 1e9", "--replicates"},
      {"curves x.jsonl --permutations 0 -o c.h5", "--permutations"},
      {"curves x.jsonl --bootstrap -1 -o c.h5", "--bootstrap"},
      {"curves x.jsonl --theta 0 -o c.h5", "--theta"},
      {"runlog-info x.jsonl --threads -2", "--threads"},
  };
  for (const auto& [args, message] : cases) expect_refused(args + " -q", 2, {message});
}

// ---- 3. outputs that would destroy inputs

TEST_F(Hardening, OutputsNamingAnInputOrAnotherOutputAreRefused) {
  write("log.jsonl",
        read_text(std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/SynthA-7B--temp-0.7--samples-64--max-512.jsonl"));
  fs::create_symlink(work() / "market.toml", work() / "link.h5");
  fs::create_hard_link(work() / "prices.csv", work() / "hard.h5");
  write("out.h5.ckpt", read_text(work() / "market.toml"));
  const std::string checkpoint_scenario = in_work("out.h5.ckpt");
  const std::vector<std::pair<std::string, std::string>> cases{
      {"run market.toml -o market.toml", "the scenario 'market.toml'"},
      {"run market.toml -o ./prices.csv", "the prices CSV"},
      {"run market.toml -o curves/../curves/GSM8K_majority.csv", "the curves CSV"},
      {"run market.toml -o link.h5", "is the scenario"},
      {"run market.toml -o hard.h5", "is the prices CSV"},
      {"run " + quote(checkpoint_scenario) + " -o out.h5", "the checkpoint journal is the scenario"},
      {"market market.toml -o market.toml", "the scenario"},
      {"curves log.jsonl -o log.jsonl", "is the run log"},
      {"curves log.jsonl -o c.h5 --csv log.jsonl", "is the run log"},
      {"curves log.jsonl -o c.csv --csv c.csv", "is also the result file"},
  };
  for (const auto& [args, message] : cases) expect_refused(args + " -q", 1, {message});
}

TEST_F(Hardening, OutputsThatAreNotRegularFilesAreRefused) {
  ASSERT_EQ(::mkfifo(in_work("fifo.h5").c_str(), 0644), 0);
  fs::create_directories(work() / "dir.h5");
  expect_refused("run market.toml -o /dev/null -q", 1, {"/dev/null", "a character device"});
  struct stat info {};
  ASSERT_EQ(::stat("/dev/null", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode)) << "/dev/null was replaced";
  expect_refused("run market.toml -o fifo.h5 -q", 1, {"a FIFO"});
  expect_refused("run market.toml -o dir.h5 -q", 1, {"a directory"});
}

// ---- 4. faults: what is left behind, and why

TEST_F(Hardening, MissingInputsSayWhy) {
  expect_refused("run nope.toml -o out.h5 -q", 1, {"nope.toml", "cannot open the scenario file", "No such file"});
  fs::create_directories(work() / "adir.toml");
  expect_refused("run adir.toml -o out.h5 -q", 1, {"adir.toml", "is a directory"});
  variant("no-prices.toml", "prices = \"prices.csv\"", "prices = \"missing.csv\"");
  expect_refused("run no-prices.toml -o out.h5 -q", 1, {"missing.csv", "No such file"});
}

//! Starts `ttcgames args` in the working directory, calls `act` once `ready` holds (or after a timeout), and returns
//! the exit status (−signal when killed by one).
int with_action(const fs::path& work, const std::string& args, const std::function<bool()>& ready,
                const std::function<void(pid_t)>& act) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(work.c_str()) != 0) ::_exit(126);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    const int err = ::open("stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(err, STDERR_FILENO);
    ::execl("/bin/sh", "sh", "-c", ("exec " + quote(TTCG_CLI) + " " + args).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!ready() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  act(pid);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

//! Interrupts the run with `signal` once `ready` holds.
int interrupted(const fs::path& work, const std::string& args, int signal, const std::function<bool()>& ready) {
  return with_action(work, args, ready, [signal](pid_t pid) { ::kill(pid, signal); });
}

TEST_F(Hardening, FullDiskLeavesNeitherTemporaryNorCheckpoint) {
  const fs::path disk = work() / "disk";
  fs::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=1m") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): " << std::strerror(errno);
  // The run passes the up-front estimate, then the disk fills up while it works (another writer): the journal's
  // appends or the result fail with ENOSPC. The exhaustive oracle keeps the run busy long enough (the structural
  // search finishes it in a fraction of a second, before the filler starts).
  const fs::path journal = disk / "out.h5.ckpt";
  const int code = with_action(
      work(),
      "run " + quote(PAPER + "/gsm8k-majority.toml") + " -o disk/out.h5 -q --threads 1 --enumeration exhaustive",
      [&] { return fs::exists(journal); },
      [&](pid_t) {
        std::ofstream filler(disk / "filler", std::ios::binary);
        const std::string block(4096, 'x');
        while (filler.write(block.data(), static_cast<std::streamsize>(block.size())) && filler.flush()) {
        }
      });
  const std::string err = read_text(work() / "stderr.txt");
  ::umount(disk.c_str());
  EXPECT_EQ(code, 1) << err;
  expect_contains(err, {"disk/out.h5", "No space left on device"}, "stderr");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(disk))
    if (e.path().filename() != "filler") left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << "left behind: " << ::testing::PrintToString(left);
}

TEST_F(Hardening, ResultThatCannotFitIsRefusedBeforeTheWork) {
  const fs::path disk = work() / "disk";
  fs::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=40k") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (needs root): " << std::strerror(errno);
  const CliResult r = cli("run market.toml -o disk/out.h5 -q");
  ::umount(disk.c_str());
  EXPECT_EQ(r.code, 1) << r.err;
  expect_contains(r.err, {"disk/out.h5", "the result file needs about", "free on its file system"}, "stderr");
}

TEST_F(Hardening, SignalsRemoveTheTemporaryKeepTheCheckpointAndExit128PlusSignal) {
  const std::string args = "run " + quote(PAPER + "/gsm8k-majority.toml") + " " + quote(PAPER + "/aime-majority.toml") +
                           " -o sig.h5 -q --threads 1 --enumeration exhaustive";
  const fs::path journal = work() / "sig.h5.ckpt";
  // Interrupt once the journal holds a record (it grew past its header); the exhaustive oracle makes the run take
  // seconds, so that it is still running then.
  std::uintmax_t header = 0;
  const int code = interrupted(work(), args, SIGTERM, [&] {
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(journal, ec);
    if (ec) return false;
    if (header == 0) header = size;
    return size > header;
  });
  EXPECT_EQ(code, 128 + SIGTERM);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(work())) left.push_back(e.path().filename().string());
  EXPECT_TRUE(fs::exists(journal)) << ::testing::PrintToString(left);
  EXPECT_FALSE(fs::exists(work() / "sig.h5"));
  for (const std::string& name : left) EXPECT_EQ(name.find(".tmp-"), std::string::npos) << name;
  const CliResult resumed = cli(args + " --resume");
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(fs::exists(work() / "sig.h5"));
  EXPECT_FALSE(fs::exists(journal));  // removed on success
}

// ---- 7. limits checked before the work

TEST_F(Hardening, ThousandsOfListedBetasAreStoredAsADataset) {
  std::string values;
  for (int j = 0; j < 9000; ++j) values += (j ? ", " : "") + std::to_string(1.0 + j * 0.01);
  variant("many.toml", "values = [200.0, 1000.0, 1e5]", "values = [" + values + "]");
  const CliResult r = cli("market many.toml -o many.h5 -q --no-enumerate");
  ASSERT_EQ(r.code, 0) << r.err;
  const ttcg::h5::File file = ttcg::h5::File::open_read(in_work("many.h5"));
  EXPECT_EQ(file.root().open_group("market/gsm8k-majority").read_f64("beta_values", {ttcg::h5::ANY}).size(), 9000u);
}

TEST_F(Hardening, RunsThatCannotFitInMemoryAreRefusedBeforeTheWork) {
  std::string toml = read_text(work() / "market.toml");
  toml += "\n[ensemble]\nmarkets = 1000\nseed = 1\nbeta = { low = 100.0, high = 1000.0, spacing = \"log\" }\n";
  write("ensemble.toml", toml);
  const auto start = std::chrono::steady_clock::now();
  expect_refused("ensemble ensemble.toml -n 4294967296 -o ens.h5 -q", 1,
                 {"of memory on rank 0", "4294967296 stored markets", "store_markets = false"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << "refused only after the work";
}

// ---- 8. names

TEST_F(Hardening, NamesOutsideTheCharacterSetAreRefused) {
  for (const char* name : {".", "..", "a b", "a/b", "-x", ""}) {
    variant("named.toml", "name = \"gsm8k-majority\"", std::string("name = \"") + name + "\"");
    expect_refused("run named.toml -o out.h5 -q", 1, {"named.toml", "'name'", "letters, digits"});
  }
}

// ---- 9. exit status contract

TEST_F(Hardening, ExitStatusContract) {
  EXPECT_EQ(cli("").code, 2);
  EXPECT_EQ(cli("frobnicate").code, 2);
  EXPECT_EQ(cli("run --frobnicate market.toml").code, 2);
  EXPECT_EQ(cli("run").code, 2);
  EXPECT_EQ(cli("--help").code, 0);
  EXPECT_EQ(cli("--version").code, 0);
  EXPECT_EQ(cli("run market.toml -o a.h5 --resume --no-checkpoint -q").code, 2);
  EXPECT_EQ(cli("run nope.toml -q").code, 1);
  const std::string sweep = "run " + quote(PAPER + "/gsm8k-majority.toml") + " -o stop.h5 -q --no-enumerate";
  const CliResult stopped = cli(sweep + " --max-units 1");
  EXPECT_EQ(stopped.code, 75) << stopped.err;
  EXPECT_TRUE(fs::exists(work() / "stop.h5.ckpt"));
  EXPECT_EQ(cli(sweep + " --resume").code, 0);
  EXPECT_FALSE(fs::exists(work() / "stop.h5.ckpt"));
  const int code = interrupted(
      work(), "run " + quote(PAPER + "/gsm8k-majority.toml") + " -o int.h5 -q --threads 1 --enumeration exhaustive",
      SIGINT, [&] { return fs::exists(work() / "int.h5.ckpt"); });
  EXPECT_EQ(code, 128 + SIGINT);
  EXPECT_FALSE(fs::exists(work() / "int.h5"));
}

}  // namespace
