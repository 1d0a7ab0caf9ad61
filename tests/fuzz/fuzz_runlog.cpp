// Fuzz target: the run-log reader (runlog_reader.hpp, field_mapping.hpp) and the curves computed from what it reads.
// Option byte: bits 0-1 the layout (0: the reference JSON Lines, 1: the Qwen2.5-Math mapping, 2: the ToT json-array
// mapping, 3: a mapping from the input: its TOML, "\n%%\n", then the log), bits 2-3 a compression applied to the log
// (none, gzip, zstd, gzip in two members: the raw bytes can carry their own magic too), bit 4 strict. A second byte
// sets the JSONL block size (16 B to 2 KiB, so that lines cross blocks). Limits are small (64 KiB lines, 1 MiB
// documents) so that the fuzzer meets them.
#include <omp.h>
#include <zlib.h>
#include <zstd.h>

#include <sstream>

#include "fuzz_support.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/runlog_reader.hpp"

namespace {

std::string gzip(std::string_view plain) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(plain.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(std::string_view plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 1));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  omp_set_num_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string runlogs = std::string(TTCG_INPUTS_DIR) + "/runlogs/";
  static const ttcg::FieldMapping qwen = ttcg::load_field_mapping(runlogs + "qwen25-math.toml");
  static const ttcg::FieldMapping tot = ttcg::load_field_mapping(runlogs + "tot-game24-cot.toml");
  ttcg::fuzz::Bytes in(data, size);
  const std::uint8_t options = in.next();
  const std::size_t block = std::size_t{16} << (in.next() % 8);
  std::string_view log = in.rest();
  try {
    ttcg::RunLogOptions o;
    switch (options & 3) {
      case 1:
        o.mapping = qwen;
        break;
      case 2:
        o.mapping = tot;
        break;
      case 3: {
        const std::size_t cut = log.find("\n%%\n");
        const std::string_view mapping = log.substr(0, cut);
        log = cut == std::string_view::npos ? std::string_view() : log.substr(cut + 4);
        o.mapping = ttcg::load_field_mapping(ttcg::fuzz::scratch_file("mapping.toml", mapping));
        break;
      }
      default:
        break;
    }
    std::string bytes;
    switch ((options >> 2) & 3) {
      case 1:
        bytes = gzip(log);
        break;
      case 2:
        bytes = zstd(log);
        break;
      case 3:
        bytes = gzip(log.substr(0, log.size() / 2)) + gzip(log.substr(log.size() / 2));
        break;
      default:
        bytes = log;
        break;
    }
    o.strictness = (options >> 4) & 1 ? ttcg::Strictness::strict : ttcg::Strictness::skip_malformed;
    o.threads = 1;
    o.block_bytes = block;
    o.max_line_bytes = std::size_t{1} << 16;
    o.max_document_bytes = std::size_t{1} << 20;
    const ttcg::RunLog read = ttcg::read_runlog({ttcg::fuzz::scratch_file("log", bytes)}, o);
    std::ostringstream info;
    ttcg::print_runlog_info(info, read);
    ttcg::CurveOptions curves;
    curves.permutations = 3;
    curves.bootstrap = 2;
    ttcg::compute_curves({read}, {}, curves);
  } catch (const ttcg::InputError&) {
  }
  return 0;
}
