// Files read back are not trusted (issue 10, class 5), end to end: `ttcgames summary` of a damaged result file and
// `ttcgames run --resume` from a damaged checkpoint journal exit 1 with "error: file:/path: what was expected, what
// was found", print nothing else, write nothing, and leave every input byte-identical.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_support.hpp"
#include "h5_damage.hpp"

namespace {

namespace fs = std::filesystem;
using ttcg::test::CliResult;
using ttcg::test::Damage;
using ttcg::test::expect_contains;
using ttcg::test::H5Target;
using ttcg::test::quote;
using ttcg::test::read_text;

const std::string TINY = std::string(TTCG_TEST_DATA_DIR) + "/tiny-everything.toml";

//! Every file under `dir` with its bytes.
std::vector<std::pair<std::string, std::string>> snapshot(const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files.emplace_back(e.path().string(), read_text(e.path()));
  std::sort(files.begin(), files.end());
  return files;
}

class ReadBackCli : public ttcg::test::CliTest {
 protected:
  //! Runs `args` in the working directory and checks that it failed as bad input with `message` on stderr, printed
  //! nothing on stdout, and changed no file there (inputs byte-identical, nothing written or left behind).
  void expect_input_error(const std::string& args, std::initializer_list<std::string> message) {
    const auto before = snapshot(work());
    const std::string scenario_before = read_text(TINY);
    const CliResult r = cli(args);
    EXPECT_EQ(r.code, 1) << args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << args;
    expect_contains(r.err, message, "stderr");
    EXPECT_EQ(r.err.rfind("ttcgames: error: ", 0), 0u) << r.err;
    EXPECT_TRUE(snapshot(work()) == before) << args << ": the files in the working directory changed";
    EXPECT_EQ(read_text(TINY), scenario_before);
  }
};

TEST_F(ReadBackCli, SummaryOfADamagedResultFile) {
  ASSERT_EQ(cli("run " + quote(TINY) + " -o good.h5 -q").code, 0);
  const std::string good = in_work("good.h5");
  struct Case {
    H5Target target;
    Damage damage;
    unsigned variant;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"/market/tiny-everything/price_of_anarchy", "", true},
       Damage::retype,
       0,
       ":/market/tiny-everything/price_of_anarchy: expected float64[2], found int64[2]"},
      {{"/market/tiny-everything/optimal_welfare", "", true},
       Damage::add_dimension,
       0,
       ":/market/tiny-everything/optimal_welfare: expected float64[2], found float64[2,2]"},
      {{"/auction/tiny-everything/winner_index", "", true},
       Damage::extreme,
       1,
       ":/auction/tiny-everything/winner_index: value 2147483647 is not an index in [-1, 3)"},
      {{"/population/tiny-everything/replicates/equilibrium_profile", "", true},
       Damage::extreme,
       1,
       ":/population/tiny-everything/replicates/equilibrium_profile: value 2147483647 at index 0 is not a level "
       "index in [0, 6)"},
      {{"/population/tiny-everything/replicates/shares", "", true},
       Damage::shrink,
       0,
       ":/population/tiny-everything/replicates/shares: expected float64[2,3], found float64[1,3]"},
      {{"/ensemble/tiny-everything/worst_markets", "", true},
       Damage::huge,
       0,
       ":/ensemble/tiny-everything/worst_markets: "},
      {{"/ensemble/tiny-everything/markets_above_threshold", "", true},
       Damage::remove,
       0,
       ":/ensemble/tiny-everything/markets_above_threshold: dataset not found"},
      {{"/", "format_version", false}, Damage::grow, 0, ":/@format_version: expected int32[2], found int64[3]"},
      {{"/", "format", false}, Damage::remove, 0, ": not a ttcgames result file"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string damaged = in_work("damaged" + std::to_string(i++) + ".h5");
    fs::copy_file(good, damaged);
    ASSERT_TRUE(ttcg::test::damage_h5(damaged, c.target, c.damage, c.variant)) << c.message;
    expect_input_error("summary " + quote(damaged), {damaged + c.message});
  }
  // Not HDF5 at all, or cut short.
  const std::string bytes = read_text(good);
  ttcg::test::write_text(work() / "cut.h5", bytes.substr(0, bytes.size() / 3));
  expect_input_error("summary cut.h5", {"cut.h5: cannot open the file as HDF5"});
  EXPECT_EQ(cli("summary good.h5").code, 0);
}

//! The offset of the first record of a checkpoint journal (after its header).
std::size_t first_record(const std::string& journal) {
  std::uint64_t fingerprint = 0;
  std::memcpy(&fingerprint, journal.data() + 12, sizeof fingerprint);
  return 8 + 4 + 8 + static_cast<std::size_t>(fingerprint) + 4;
}

TEST_F(ReadBackCli, ResumeFromADamagedCheckpointJournal) {
  // Three of the seven units, then a stop that keeps the journal (exit 75).
  const CliResult partial = cli("run " + quote(TINY) + " -o out.h5 -q --max-units 3");
  ASSERT_EQ(partial.code, 75) << partial.err;
  const std::string journal = read_text(work() / "out.h5.ckpt");
  ASSERT_GT(journal.size(), first_record(journal));

  // The first record (unit 0, the market at beta = 200) relabelled as unit 1, with a valid checksum: it passes the
  // journal's framing and must be caught by the check against its unit.
  std::string relabelled = journal;
  const std::size_t at = first_record(journal);
  std::uint64_t unit = 1, length = 0;
  std::memcpy(relabelled.data() + at + 4, &unit, sizeof unit);
  std::memcpy(&length, relabelled.data() + at + 12, sizeof length);
  const std::uint32_t crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(relabelled.data() + at), static_cast<uInt>(20 + length)));
  std::memcpy(relabelled.data() + at + 20 + length, &crc, sizeof crc);
  ttcg::test::write_text(work() / "out.h5.ckpt", relabelled);
  expect_input_error(
      "run " + quote(TINY) + " -o out.h5 -q --resume",
      {"out.h5.ckpt: the checkpoint record of unit 1 does not belong to this run",
       "holds beta = 200, expected 1000 (a result of another unit)", "remove the journal and run without --resume"});

  // A record of a unit the run does not have.
  std::string foreign = relabelled;
  unit = 99;
  std::memcpy(foreign.data() + at + 4, &unit, sizeof unit);
  const std::uint32_t crc2 = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(foreign.data() + at), static_cast<uInt>(20 + length)));
  std::memcpy(foreign.data() + at + 20 + length, &crc2, sizeof crc2);
  ttcg::test::write_text(work() / "out.h5.ckpt", foreign);
  expect_input_error("run " + quote(TINY) + " -o out.h5 -q --resume", {"unit 99 is not a unit of this run (it has 7)"});

  // The intact journal still resumes to the complete file.
  ttcg::test::write_text(work() / "out.h5.ckpt", journal);
  const CliResult resumed = cli("run " + quote(TINY) + " -o out.h5 -q --resume");
  EXPECT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(fs::exists(work() / "out.h5"));
}

}  // namespace
