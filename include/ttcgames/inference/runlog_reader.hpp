// Reading LLM run logs into a RunLog (runlog.hpp): the reference JSONL layout (docs/model.md §4) or any layout
// described by a FieldMapping (field_mapping.hpp, docs/runlog-mapping.md).
//
// JSON Lines files are streamed: read in blocks of whole lines (a line longer than a block grows the block), never
// the whole file; each block is split at newlines into pieces parsed in parallel (OpenMP tasks, a simdjson DOM
// parser per thread, lines parsed in place) while the calling thread merges the previous block and reads the next;
// pieces are merged in file order, so the result, the "first qid wins" rule and the messages do not depend on the
// thread count. A cumulative token counter's restarts are listed among the messages too. Files may be gzip (.gz) or
// zstd (.zst) compressed, recognized by their magic bytes (whatever the name, on any stream). A json-array file is
// one JSON document and is read whole.
//
// Streams: a file name may be "-" (STDIN_PATH: standard input, once per read), /dev/stdin, a named pipe or any other
// file that can only be read forward; the format sniff peeks at the first bytes and hands them on, so nothing is
// lost or read twice. Messages call standard input "<stdin>". A line longer than max_line_bytes
// (MAX_RUNLOG_LINE_BYTES) and a json-array document longer than max_document_bytes (MAX_RUNLOG_DOCUMENT_BYTES) are
// InputErrors: the read never grows without bound on a stream that is not a run log.
//
// Bad input: a record that is not valid JSON, misses a mapped field, has per-sample arrays of different lengths,
// a value of the wrong type or a negative token count is malformed: it is reported as "file:line: what" (or
// "file: record N: what" in a JSON array) and skipped, and counted in RunLogReport; under Strictness::strict the
// first malformed record is an InputError. Blank lines are skipped. A record whose qid was seen before (in any of
// the files) is a duplicate: counted, and the first is kept. An empty file, an unreadable or corrupt file, and a
// read that keeps no record at all are InputErrors.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "ttcgames/inference/field_mapping.hpp"
#include "ttcgames/inference/runlog.hpp"

namespace ttcg {

enum class Strictness { skip_malformed, strict };

//! The file name of standard input.
constexpr const char* STDIN_PATH = "-";
//! Bytes of JSON Lines read per block (each block is parsed in parallel).
constexpr std::size_t DEFAULT_RUNLOG_BLOCK_BYTES = std::size_t{32} << 20;
//! Largest token count of a sample or record accepted (2^53, the largest exactly representable integer): sums over
//! any number of samples stay finite, so no curve overflows.
constexpr double RUNLOG_MAX_TOKENS = 9007199254740992.0;
//! The longest line (one JSON Lines record) a read accepts: 256 MiB.
constexpr std::size_t MAX_RUNLOG_LINE_BYTES = std::size_t{256} << 20;
//! The longest json-array document (one file, decompressed) a read accepts: 1 GiB; larger logs go as JSON Lines.
constexpr std::size_t MAX_RUNLOG_DOCUMENT_BYTES = std::size_t{1} << 30;
//! At most this many messages are kept in RunLogReport::messages (the counts are always exact).
constexpr std::size_t MAX_RUNLOG_MESSAGES = 20;

struct RunLogOptions {
  FieldMapping mapping = reference_mapping();
  Strictness strictness = Strictness::skip_malformed;
  std::string model;  //!< overrides the model name ("" = mapping.model, else model_name, else the file name)
  int threads = 0;    //!< OpenMP threads for parsing (0 = the OpenMP default)
  std::size_t block_bytes = DEFAULT_RUNLOG_BLOCK_BYTES;        //!< initial block size of the JSONL streaming
  std::size_t max_line_bytes = MAX_RUNLOG_LINE_BYTES;          //!< a longer JSON Lines line is an InputError
  std::size_t max_document_bytes = MAX_RUNLOG_DOCUMENT_BYTES;  //!< a longer json-array file is an InputError
};

//! Reads the files (one model's run log, possibly in several files; "-" is standard input) in order into one RunLog.
RunLog read_runlog(const std::vector<std::string>& files, const RunLogOptions& options = {});

//! Prints what was read: files, questions, samples per question, answers, verdicts, rewards, tokens, the report's
//! counts and its first messages (the `ttcgames runlog-info` output).
void print_runlog_info(std::ostream& out, const RunLog& log);

//! The model part of a reference file name "<model>--temp-<T>--samples-<N>--max-<M>.jsonl[.gz|.zst]", or the file
//! stem (without .jsonl/.json and compression suffixes) when the name does not follow that pattern; "stdin" for "-".
std::string model_from_file_name(const std::string& path);

}  // namespace ttcg
