// Damaged result files (class 5 of issue 10): a valid file with every part (market with enumeration and history,
// auction, ensemble with stored markets, population with realized outcomes) and a curves file with per-question
// tables are damaged object by object through the HDF5 C API (tests/h5_damage.hpp: removed, rewritten with another
// rank, extents, type, extreme values, a null dataspace, a huge extent, a group for a dataset) and read back as
// `ttcgames summary` and a population's `questions =` do. Every read must end in a result or an InputError naming the
// file: never another exception, and (under the sanitizers of the debug preset) never a memory error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "h5_damage.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/inference/runlog_reader.hpp"
#include "ttcgames/run/file_summary.hpp"
#include "ttcgames/run/job.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg {
namespace {

namespace fs = std::filesystem;
using test::Damage;
using test::DAMAGE_KINDS;
using test::H5Target;

const std::string TINY = std::string(TTCG_TEST_DATA_DIR) + "/tiny-everything.toml";

class ResultsDamage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ttcg_damage_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    // A result file with every part.
    const RunJob job({load_scenario(TINY)}, JobOptions{});
    std::vector<Bytes> results(job.units());
    for (const RunPart& p : job.parts())
      for (std::uint64_t u = 0; u < p.work.count; ++u) results[p.work.first_unit + u] = p.work.compute(u);
    write_run_results(results_file(), job, job.assemble(results, 0.0), RunInfo{});
    // A curves file with per-question tables.
    RunLogOptions read;
    const RunLog log = read_runlog(
        {std::string(TTCG_INPUTS_DIR) + "/runlogs/synthetic/SynthA-7B--temp-0.7--samples-64--max-512.jsonl"}, read);
    CurveOptions o;
    o.permutations = 4;
    o.bootstrap = 0;
    o.theta = {1, 2, 4};
    write_curves_file(curves_file(), "synthetic", compute_curves({log}, {CurveMethod::majority}, o), RunInfo{},
                      "seed = 0\n");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::string results_file() { return (dir_ / "results.h5").string(); }
  static std::string curves_file() { return (dir_ / "curves.h5").string(); }

  //! Damages a copy of `base` at every target, the kind of damage rotating with the target (so that every kind meets
  //! every part of the format: a dataset and its two attributes are three targets, prime to the kinds), and reads each
  //! copy with `read`. Returns the number of damaged copies read.
  template <class Read>
  static int damage_everything(const std::string& base, Read read) {
    const std::vector<H5Target> targets = test::h5_targets(base);
    EXPECT_GT(targets.size(), 50u);
    const std::string copy = (dir_ / "damaged.h5").string();
    int applied = 0, errors = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      for (const int k : {static_cast<int>(i % DAMAGE_KINDS)}) {
        const Damage damage = static_cast<Damage>(k);
        fs::copy_file(base, copy, fs::copy_options::overwrite_existing);
        if (!test::damage_h5(copy, targets[i], damage, static_cast<unsigned>(i))) continue;
        ++applied;
        const std::string what = targets[i].object + (targets[i].attribute.empty() ? "" : "@" + targets[i].attribute) +
                                 " " + to_string(damage);
        try {
          read(copy);
        } catch (const InputError& e) {
          ++errors;
          EXPECT_EQ(std::string(e.what()).rfind(copy, 0), 0u) << what << ": " << e.what();
        } catch (const std::exception& e) {
          ADD_FAILURE() << what << ": not an InputError: " << e.what();
        }
      }
    }
    EXPECT_GT(errors, applied / 20) << "damage to what the readers use must be found";
    return applied;
  }

  static inline fs::path dir_;
};

TEST_F(ResultsDamage, TheUndamagedFilesRead) {
  const ResultFileSummary s = read_result_file_summary(results_file());
  EXPECT_EQ(s.markets.size(), 1u);
  EXPECT_EQ(s.ensembles.size(), 1u);
  EXPECT_EQ(s.populations.size(), 1u);
  EXPECT_EQ(read_question_tables(curves_file(), "synthetic", "majority").size(), 1u);
}

TEST_F(ResultsDamage, SummaryOfADamagedResultFileIsAResultOrAnInputError) {
  const int applied = damage_everything(results_file(), [](const std::string& path) {
    std::ostringstream out;
    print_result_file_summary(out, read_result_file_summary(path));
  });
  EXPECT_GT(applied, 1000);
}

TEST_F(ResultsDamage, QuestionTablesOfADamagedCurvesFileAreTablesOrAnInputError) {
  const int applied = damage_everything(curves_file(), [](const std::string& path) {
    for (const QuestionTable& t : read_question_tables(path, "synthetic", "majority")) t.validate(path);
  });
  EXPECT_GT(applied, 30);
}

TEST_F(ResultsDamage, MessagesNameTheDatasetAndWhatWasExpected) {
  const std::string copy = (dir_ / "message.h5").string();
  fs::copy_file(results_file(), copy, fs::copy_options::overwrite_existing);
  ASSERT_TRUE(test::damage_h5(copy, H5Target{"/market/tiny-everything/price_of_anarchy", "", true}, Damage::retype, 0));
  try {
    read_result_file_summary(copy);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              copy + ":/market/tiny-everything/price_of_anarchy: expected float64[2], found int64[2]");
  }
  fs::copy_file(results_file(), copy, fs::copy_options::overwrite_existing);
  ASSERT_TRUE(test::damage_h5(copy, H5Target{"/population/tiny-everything/replicates/equilibrium_profile", "", true},
                              Damage::extreme, 1));
  try {
    read_result_file_summary(copy);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(copy + ":/population/tiny-everything/replicates/equilibrium_profile: value "),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ttcg
