// What the end-to-end tests of the ttcgames program share: running the program with its stdout and stderr
// captured, a scratch directory per test, and small file and text helpers.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <vector>

#include "scratch_dir.hpp"

namespace ttcg::test {

namespace fs = std::filesystem;

//! `s` quoted for the shell.
inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

//! Writes `text` to `path`, creating its directory.
inline void write_text(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

struct CliResult {
  int code = -1;  //!< exit status (−1: killed by a signal)
  std::string out;
  std::string err;
};

//! Runs `ttcgames <args>` in `cwd` with no input; stdout and stderr are captured in files under `capture`.
inline CliResult run_cli(const std::string& args, const fs::path& cwd, const fs::path& capture) {
  fs::create_directories(capture);
  const fs::path out = capture / "stdout.txt", err = capture / "stderr.txt";
  const std::string command = "cd " + quote(cwd.string()) + " && " + quote(TTCG_CLI) + " " + args + " >" +
                              quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
  const int status = std::system(command.c_str());
  return CliResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out), read_text(err)};
}

inline void expect_contains(const std::string& text, std::initializer_list<std::string> parts,
                            const char* stream = "the output") {
  for (const std::string& p : parts)
    EXPECT_NE(text.find(p), std::string::npos) << "missing '" << p << "' in " << stream << ":\n" << text;
}

//! Result files and temporaries ("*.h5", "*.tmp-*", and "*.csv" when asked) anywhere under `dir`.
inline std::vector<std::string> result_files(const fs::path& dir, bool with_csv = false) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(".h5") != std::string::npos || name.find(".tmp-") != std::string::npos ||
        (with_csv && name.find(".csv") != std::string::npos))
      found.push_back(e.path().string());
  }
  return found;
}

//! A fresh scratch directory per test (removed afterwards): the runs' working directory, where outputs go;
//! stdout and stderr are captured beside it.
class CliTest : public ScratchDirTest {
 protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    fs::create_directories(work());
  }
  //! The working directory of the runs.
  fs::path work() const { return dir_ / "work"; }
  std::string in_work(const std::string& name) const { return (work() / name).string(); }
  CliResult cli(const std::string& args) const { return run_cli(args, work(), dir_ / "capture"); }
  //! Writes a file into the working directory; returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    write_text(work() / name, text);
    return in_work(name);
  }
};

}  // namespace ttcg::test
