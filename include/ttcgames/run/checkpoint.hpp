// Checkpoint journals (docs/cluster.md, "Checkpoint and resume"): while a run is under way, rank 0 appends every
// completed work unit's result to "<output>.ckpt" and flushes it to disk, so that `--resume` after a crash, a kill
// or a job's time limit continues from the last complete unit. The finished run writes the HDF5 result (temporary
// file, then rename) and deletes the journal.
//
// Layout: a header (magic "TTCGCKPT", format version, the run's fingerprint: the resolved scenarios and every
// option that changes results) and then records (magic, unit index, payload length, payload, CRC-32 of all of
// them). A record is complete or it is ignored: a torn tail left by a kill fails its length or checksum test, is
// reported and cut off, and the unit is computed again. Appending is the only write, so the journal is consistent
// after every unit. A fingerprint mismatch (scenario or options changed) is an InputError: nothing is mixed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "ttcgames/core/archive.hpp"

namespace ttcg {

constexpr std::uint32_t CHECKPOINT_FORMAT_VERSION = 2;  //!< 2: units carry their compute time

//! The CRC-32 (zlib's) of `n` bytes, continuing from `crc` (0 to start): the journal's record checksum.
std::uint32_t crc32_of(const std::byte* data, std::size_t n, std::uint32_t crc = 0);

class CheckpointJournal {
 public:
  //! Starts a new journal at `path` (replacing any), holding `fingerprint`.
  static CheckpointJournal create(const std::string& path, const std::string& fingerprint);
  //! Checks one complete record (unit, payload) against the run: InputError when it cannot belong to it.
  using RecordCheck = std::function<void(std::uint64_t unit, const Bytes& payload)>;
  //! Opens an existing journal to resume: checks the fingerprint, returns the complete records in `records`
  //! (a unit recorded twice keeps its first record), cuts off a torn tail (its size in `discarded_bytes`). Every
  //! kept record is passed to `check` (when given) before the journal is touched: a record that passes its
  //! checksum but not the check (a damaged or foreign journal) is an InputError naming the journal, and nothing is
  //! resumed.
  static CheckpointJournal resume(const std::string& path, const std::string& fingerprint,
                                  std::map<std::uint64_t, Bytes>& records, std::uint64_t* discarded_bytes = nullptr,
                                  const RecordCheck& check = {});

  CheckpointJournal(CheckpointJournal&& other) noexcept;
  CheckpointJournal& operator=(CheckpointJournal&&) = delete;
  CheckpointJournal(const CheckpointJournal&) = delete;
  ~CheckpointJournal();

  //! Appends one unit's record (write(2) of the whole record).
  void append(std::uint64_t unit, const Bytes& payload);
  //! fsync(2): every appended record is on disk.
  void sync();
  //! Closes and deletes the journal (after the result file is complete).
  void remove();

  const std::string& path() const { return path_; }

 private:
  CheckpointJournal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

//! The journal path of a result file: "<output>.ckpt".
std::string checkpoint_path(const std::string& output);

}  // namespace ttcg
