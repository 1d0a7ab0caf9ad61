// Write-then-rename for every file ttcgames writes (result HDF5, curves CSV): a crash, a full disk or a signal never
// leaves a half-written file under the final name, and never a temporary behind.
//
//     io::AtomicFile out(path);                         // creates missing parent directories
//     h5::File file = h5::File::create_in_memory(path);
//     ...write...
//     out.write(file.close_to_image());                 // write(2) errors (ENOSPC) surface here, with strerror
//     out.commit();                                     // fsync, rename over `path`, fsync the directory
//
// (text files are written to temp_path() with a stream, closed and checked, then committed).
//
// The temporary is "<path>.tmp-<pid>-<n>" in the final file's directory (the rename is atomic there). It is removed
// by the destructor unless committed, and by the interrupt handler (core/interrupt.hpp) if a signal ends the
// process. Failures of the operating system are IoErrors carrying strerror.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace ttcg::io {

class AtomicFile {
 public:
  //! Creates the parent directory of `final_path` if missing (IoError on failure).
  explicit AtomicFile(std::string final_path);
  //! Removes the temporary file unless committed.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  bool committed() const { return committed_; }

  //! Writes `bytes` as the whole temporary file; IoError with strerror on failure (a full disk).
  void write(std::span<const std::byte> bytes);

  //! Flushes the closed temporary to disk and renames it to the final path (replacing a regular file there).
  //! std::logic_error if already committed or if the temporary was never written; IoError if the flush or the
  //! rename fails (the temporary is then removed by the destructor).
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  int slot_ = -1;  //!< the temporary's slot in the interrupt registry
  bool committed_ = false;
};

}  // namespace ttcg::io
