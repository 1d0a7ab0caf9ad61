// Fuzz target: resuming from a checkpoint journal (checkpoint.hpp) of the run of tests/data/tiny-everything.toml
// (market, ensemble and population units), as `ttcgames run ... --resume` does: the records are read back, checked
// against their units, and when every unit is there assembled, written and summarized. The journal's header (the
// run's fingerprint) is written by the target; the input is what follows it. First byte, bit 0: 0 takes the rest as
// the raw records (framing, torn tails and checksums are fuzzed), 1 as a list of (unit: 1 byte, length: 2 bytes
// little-endian, payload) that the target frames with valid checksums (the payload decoding is fuzzed).
//
// TTCG_FUZZ_WRITE_SEEDS=<dir> makes the target write seed inputs of both kinds from the real unit results into <dir>
// and exit (how tests/fuzz/checkpoint/ was made).
#include <omp.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "fuzz_support.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/run/checkpoint.hpp"
#include "ttcgames/run/file_summary.hpp"
#include "ttcgames/run/job.hpp"
#include "ttcgames/run/results.hpp"
#include "ttcgames/run/scenario.hpp"

namespace {

const ttcg::RunJob& job() {
  static const ttcg::RunJob j({ttcg::load_scenario(std::string(TTCG_TEST_DATA_DIR) + "/tiny-everything.toml")},
                              ttcg::JobOptions{});
  return j;
}

void write_seeds(const std::string& dir) {
  std::vector<ttcg::Bytes> results(job().units());
  for (const ttcg::RunPart& p : job().parts())
    for (std::uint64_t u = 0; u < p.work.count; ++u) results[p.work.first_unit + u] = p.work.compute(u);
  // Raw: a real journal's records (all units, and a torn one), without its header.
  const std::string journal = (ttcg::fuzz::scratch_dir() / "seed.ckpt").string();
  {
    ttcg::CheckpointJournal j = ttcg::CheckpointJournal::create(journal, "seed");
    for (std::uint64_t u = 0; u < results.size(); ++u) j.append(u, results[u]);
  }
  std::ifstream in(journal, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string header = [] {
    const std::string path = (ttcg::fuzz::scratch_dir() / "header.ckpt").string();
    ttcg::CheckpointJournal::create(path, "seed");
    std::ifstream h(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(h)), std::istreambuf_iterator<char>());
  }();
  const std::string records = bytes.substr(header.size());
  std::ofstream(dir + "/raw-all-units", std::ios::binary) << '\0' << records;
  std::ofstream(dir + "/raw-torn", std::ios::binary) << '\0' << records.substr(0, records.size() - 7);
  // Framed by the target: every unit, and the first three.
  std::string framed;
  for (std::uint64_t u = 0; u < results.size(); ++u) {
    framed += static_cast<char>(u);
    framed += static_cast<char>(results[u].size() & 0xff);
    framed += static_cast<char>(results[u].size() >> 8);
    framed.append(reinterpret_cast<const char*>(results[u].data()), results[u].size());
    if (u == 2) std::ofstream(dir + "/framed-three-units", std::ios::binary) << '\1' << framed;
  }
  std::ofstream(dir + "/framed-all-units", std::ios::binary) << '\1' << framed;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  omp_set_num_threads(1);
  if (const char* dir = std::getenv("TTCG_FUZZ_WRITE_SEEDS")) {
    write_seeds(dir);
    std::exit(0);
  }
  job();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string fingerprint = job().fingerprint();
  const std::string path = (ttcg::fuzz::scratch_dir() / "run.h5.ckpt").string();
  ttcg::fuzz::Bytes in(data, size);
  const bool framed = in.next() & 1;
  {
    ttcg::CheckpointJournal journal = ttcg::CheckpointJournal::create(path, fingerprint);
    if (framed) {
      while (in.left() >= 3) {
        const std::uint64_t unit = in.next();
        std::size_t length = in.next();
        length |= std::size_t{in.next()} << 8;
        length = std::min(length, in.left());
        ttcg::Bytes payload(length);
        for (std::byte& b : payload) b = static_cast<std::byte>(in.next());
        journal.append(unit, payload);
      }
    }
  }
  if (!framed) {
    const std::string_view raw = in.rest();
    std::ofstream(path, std::ios::binary | std::ios::app).write(raw.data(), static_cast<std::streamsize>(raw.size()));
  }
  try {
    std::map<std::uint64_t, ttcg::Bytes> records;
    ttcg::CheckpointJournal::resume(path, fingerprint, records, nullptr,
                                    [](std::uint64_t unit, const ttcg::Bytes& b) { job().check_unit(unit, b); });
    if (records.size() != job().units()) return 0;
    std::vector<ttcg::Bytes> results;
    for (auto& [unit, bytes] : records) results.push_back(std::move(bytes));
    const std::string output = (ttcg::fuzz::scratch_dir() / "run.h5").string();
    ttcg::write_run_results(output, job(), job().assemble(results, 0.0), ttcg::RunInfo{});
    std::ostringstream out;
    ttcg::print_result_file_summary(out, ttcg::read_result_file_summary(output));
  } catch (const ttcg::InputError&) {
  }
  return 0;
}
