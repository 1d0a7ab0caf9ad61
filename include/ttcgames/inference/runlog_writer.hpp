// Writing collected run logs in the reference JSONL layout (docs/runlog-mapping.md), durably and resumably.
//
// One line per question, written when all its samples are in:
//   {"qid", "prompt", "answers": [texts], "correct": [bool], "num_tokens": [int | [think, total]],
//    "rewards": [null...], "ground_truths": [gold], "model_name", "extracted": [answer | null],
//    "finish_reasons": [...], "prompt_tokens": [int | null], "settings": {...}}
// The reference reader reads it unchanged (explanations are not written: the answers are re-extracted from the
// texts by the same rule). num_tokens are the billed completion tokens each sample's own request reported;
// [think, total] when the server reported reasoning tokens. rewards are null (no reward model: missing = −inf).
// "settings" records how the samples were drawn and judged (model, API, temperature, top_p, max_tokens, seed,
// prompt template, system message, extra body, answer rule), so that a resumed run can refuse different settings.
//
// Durability: records are appended with one write() per batch on an O_APPEND descriptor and fdatasync'ed before
// the batch counts as done, so a crash (kill -9, node failure) leaves whole records and at most one torn last line.
// Resuming scans the file, cuts a torn last line (a line without its newline) and returns what is complete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace ttcg {

//! One sample of a collected record.
struct CollectedSample {
  std::string text;
  std::int64_t tokens = 0;                    //!< billed completion tokens of this sample's request
  std::optional<std::int64_t> think_tokens;   //!< reasoning tokens within `tokens`, when the server reported them
  std::optional<std::int64_t> prompt_tokens;  //!< input tokens, when reported
  std::string finish_reason;                  //!< "" when not reported
  std::optional<std::string> extracted;       //!< the answer extracted by the answer rule (none: no answer)
  bool correct = false;                       //!< against the gold answer by the answer rule
};

//! One question's record.
struct CollectedRecord {
  std::string qid;
  std::string prompt;
  std::string gold;
  std::string model_name;
  std::string settings_json;  //!< a JSON object: the settings the samples were drawn with
  std::vector<CollectedSample> samples;
};

//! The record as one JSON line, newline included. Invalid UTF-8 in texts is replaced (U+FFFD).
std::string format_record(const CollectedRecord& record);

//! What an existing output holds.
struct ExistingOutput {
  std::unordered_set<std::string> qids;  //!< questions already complete
  std::int64_t records = 0;
  std::int64_t torn_bytes = 0;  //!< bytes of a torn last line cut off (0: none)
  std::string model_name;       //!< of the first record
  std::string settings_json;    //!< of the first record ("" without records)
  std::int64_t samples = 0;     //!< per record (every record has the same count)
};

//! Scans an output written by collect and cuts a torn last line (truncating the file); InputError with file:line
//! for a complete line that is not a collected record, records with different sample counts or model names, or a
//! duplicate question id. A missing file reads as empty.
ExistingOutput scan_collected_output(const std::string& path);

//! Appends records durably. Not copyable.
class RunLogAppender {
 public:
  //! Opens `path` for appending (creating it, with its directory) and takes an exclusive lock on it (flock: the
  //! kernel releases it when the process ends, kill -9 included); InputError when it cannot, or when another
  //! process holds the lock.
  explicit RunLogAppender(const std::string& path);
  ~RunLogAppender();
  RunLogAppender(const RunLogAppender&) = delete;
  RunLogAppender& operator=(const RunLogAppender&) = delete;

  //! Writes the lines (each ending in a newline) and flushes them to stable storage; std::runtime_error on an I/O
  //! error (disk full): the lines written before stay whole or are a torn last line that the next scan cuts.
  void append(const std::string& lines);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace ttcg
