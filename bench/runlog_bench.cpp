// Run-log parse throughput (bytes per second of reference JSONL, SetBytesProcessed): the synthetic instruct logs
// replicated with distinct qids into a temporary file of RUNLOG_BENCH_BYTES, read on 1 and 2 threads, plain and
// compressed (zstd, gzip). The target is >= 200 MB/s of plain JSONL on 2 cores.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_defaults.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ttcg;

//! The generated inputs, removed at exit.
class BenchInputs {
 public:
  static BenchInputs& get() {
    static BenchInputs inputs;
    return inputs;
  }
  const std::string& plain() const { return plain_; }
  std::size_t bytes() const { return bytes_; }
  std::size_t records() const { return records_; }
  const std::string& zstd() {
    if (zstd_.empty()) zstd_ = compress_zstd();
    return zstd_;
  }
  const std::string& gzip() {
    if (gzip_.empty()) gzip_ = compress_gzip();
    return gzip_;
  }
  ~BenchInputs() {
    for (const std::string* p : {&plain_, &zstd_, &gzip_})
      if (!p->empty()) fs::remove(*p);
  }

 private:
  BenchInputs() {
    std::vector<std::string> lines;
    for (std::size_t f = 0; f < bench::SYNTHETIC_RUNLOGS.size(); ++f) {
      std::ifstream in(std::string(TTCG_INPUTS_DIR) + "/" + bench::SYNTHETIC_RUNLOGS[f]);
      for (std::string line; std::getline(in, line);) lines.push_back(std::to_string(f) + line);
    }
    if (lines.empty()) throw std::runtime_error("runlog_bench: synthetic run logs not found under " TTCG_INPUTS_DIR);
    const std::string key = "\"qid\": \"";
    plain_ = (fs::temp_directory_path() / ("ttcg_runlog_bench_" + std::to_string(getpid()) + ".jsonl")).string();
    std::ofstream out(plain_, std::ios::binary);
    for (int r = 0; bytes_ < bench::RUNLOG_BENCH_BYTES; ++r) {
      for (const std::string& tagged : lines) {  // a distinct qid per file and replicate: "q0007" -> "r12-1-q0007"
        std::string line = tagged.substr(1);
        const std::size_t at = line.find(key);
        line.insert(at + key.size(),
                    std::string("r").append(std::to_string(r)).append("-").append(1, tagged[0]).append("-"));
        out << line << '\n';
        bytes_ += line.size() + 1;
        ++records_;
      }
    }
  }
  std::string read_all() const {
    std::ifstream in(plain_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string compress_zstd() const {
    const std::string text = read_all();
    std::string z(ZSTD_compressBound(text.size()), '\0');
    z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
    const std::string path = plain_ + ".zst";
    std::ofstream(path, std::ios::binary) << z;
    return path;
  }
  std::string compress_gzip() const {
    const std::string text = read_all();
    const std::string path = plain_ + ".gz";
    gzFile g = gzopen(path.c_str(), "wb6");
    gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
    gzclose(g);
    return path;
  }

  std::string plain_, zstd_, gzip_;
  std::size_t bytes_ = 0, records_ = 0;
};

void run(benchmark::State& state, const std::string& file) {
  BenchInputs& in = BenchInputs::get();
  RunLogOptions o;
  o.threads = static_cast<int>(state.range(0));
  std::size_t questions = 0;
  for (auto _ : state) {
    const RunLog log = read_runlog({file}, o);
    questions = log.questions();
    benchmark::DoNotOptimize(log.label.data());
  }
  if (questions != in.records()) state.SkipWithError("not every record was read");
  // Bytes are those of the uncompressed JSONL, so that the rates compare.
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.bytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * in.records()));
  state.counters["MB"] = static_cast<double>(in.bytes()) / 1e6;
}

void BM_ReadReferenceJsonl(benchmark::State& state) {
  run(state, BenchInputs::get().plain());
}
BENCHMARK(BM_ReadReferenceJsonl)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadReferenceJsonlZstd(benchmark::State& state) {
  run(state, BenchInputs::get().zstd());
}
BENCHMARK(BM_ReadReferenceJsonlZstd)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadReferenceJsonlGzip(benchmark::State& state) {
  run(state, BenchInputs::get().gzip());
}
BENCHMARK(BM_ReadReferenceJsonlGzip)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
