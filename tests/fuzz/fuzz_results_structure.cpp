// Fuzz target: structure-aware damage to valid result files (tests/h5_damage.hpp), read back as `ttcgames summary`
// and a population's per-question tables do. The files HDF5 accepts reach the project's own validation, which raw
// byte mutations (fuzz_results.cpp) rarely get past HDF5 to. Input: a byte choosing the base file (the .h5 files of
// tests/fuzz/results/), then up to four damages of 4 bytes each: target index (16 bits, into the base file's groups,
// datasets and attributes), kind of damage, variant.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "fuzz_support.hpp"
#include "h5_damage.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/run/file_summary.hpp"
#include "ttcgames/run/results.hpp"

namespace {

struct Base {
  std::string path;
  std::vector<ttcg::test::H5Target> targets;
};

const std::vector<Base>& bases() {
  static const std::vector<Base> all = [] {
    std::vector<Base> b;
    for (const auto& e : std::filesystem::directory_iterator(std::string(TTCG_FUZZ_DIR) + "/results"))
      if (e.path().extension() == ".h5") b.push_back(Base{e.path().string(), {}});
    std::sort(b.begin(), b.end(), [](const Base& x, const Base& y) { return x.path < y.path; });
    for (Base& x : b) x.targets = ttcg::test::h5_targets(x.path);
    if (b.empty()) std::abort();
    return b;
  }();
  return all;
}

void read_back(const std::string& path) {
  try {
    std::ostringstream out;
    ttcg::print_result_file_summary(out, ttcg::read_result_file_summary(path));
  } catch (const ttcg::InputError&) {
  }
  for (const char* method : {"majority", "best-of-n", "pass@k", "relative-effort"}) {
    try {
      ttcg::read_question_tables(path, "synthetic", method);
    } catch (const ttcg::InputError&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ttcg::fuzz::Bytes in(data, size);
  const Base& base = bases()[in.next() % bases().size()];
  const std::string copy = (ttcg::fuzz::scratch_dir() / "damaged.h5").string();
  std::filesystem::copy_file(base.path, copy, std::filesystem::copy_options::overwrite_existing);
  for (int i = 0; i < 4 && in.left() >= 4 && !base.targets.empty(); ++i) {
    const std::size_t index = (in.next() | (std::size_t{in.next()} << 8)) % base.targets.size();
    const auto damage = static_cast<ttcg::test::Damage>(in.next() % ttcg::test::DAMAGE_KINDS);
    ttcg::test::damage_h5(copy, base.targets[index], damage, in.next());
  }
  read_back(copy);
  return 0;
}
