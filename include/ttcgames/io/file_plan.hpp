// The files one command reads and writes, checked against each other before any work (docs/cli.md, "Files").
//
// An output may not be one of the command's inputs (the same file after following links: same device and inode, or
// the same resolved path), may not be another of its outputs, and may only replace an existing regular file: a
// device, FIFO, socket or directory at an output path is refused instead of being replaced by a regular file.
// Inputs are named as given; "-" (standard input) is not a file and is never compared.
#pragma once

#include <string>
#include <vector>

namespace ttcg::io {

class FilePlan {
 public:
  //! A file the command reads; `role` names it in messages ("scenario", "prices CSV", "run log").
  void add_input(const std::string& path, const std::string& role);
  //! A file the command writes or replaces ("result file (-o)", "curves CSV (--csv)", "checkpoint journal").
  void add_output(const std::string& path, const std::string& role);

  //! InputError naming both files and their roles when an output aliases an input or another output, or when an
  //! existing output is not a regular file. Inputs that do not exist are left to their readers.
  void check() const;

 private:
  struct Entry {
    std::string path;
    std::string role;
  };
  std::vector<Entry> inputs_;
  std::vector<Entry> outputs_;
};

}  // namespace ttcg::io
