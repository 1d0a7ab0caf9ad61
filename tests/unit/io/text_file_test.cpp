// Small text inputs read whole (io/text_file.hpp): regular files, named pipes and character devices alike, bounded
// in size, with the operating system's reason in every failure; and a scenario loaded through a named pipe.
#include "ttcgames/io/text_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "ttcgames/core/error.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::string& path, std::size_t max_bytes = io::MAX_TEXT_FILE_BYTES) {
  try {
    io::read_text_file(path, "scenario file", max_bytes);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

class TextFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(TTCG_BINARY_DIR) / "test_scratch" / "text_file" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TextFile, FailuresSayWhy) {
  const std::string missing = (dir_ / "nope.toml").string();
  EXPECT_EQ(error_of(missing), missing + ": cannot open the scenario file: No such file or directory");
  EXPECT_EQ(error_of(dir_.string()), dir_.string() + ": is a directory, not a scenario file");
  const std::string big = (dir_ / "big.toml").string();
  std::ofstream(big) << std::string(100, 'x');
  EXPECT_EQ(io::read_text_file(big, "scenario file", 100), std::string(100, 'x'));
  EXPECT_EQ(error_of(big, 99), big +
                                   ": the scenario file is longer than 99 bytes, the most a read accepts "
                                   "(MAX_TEXT_FILE_BYTES)");
  // An endless character device stops at the limit instead of exhausting memory.
  EXPECT_NE(error_of("/dev/zero", 1 << 16).find("longer than 65536 bytes"), std::string::npos);
}

TEST_F(TextFile, AScenarioThroughANamedPipe) {
  const std::string scenario = std::string(TTCG_INPUTS_DIR) + "/paper/gsm8k-majority.toml";
  std::stringstream in;
  in << std::ifstream(scenario).rdbuf();
  std::string text = in.str();  // with its relative paths made absolute (they resolve against the pipe's directory)
  const std::string paper = std::string(TTCG_INPUTS_DIR) + "/paper/";
  for (const std::string key : {"curves = \"", "prices = \""}) text.replace(text.find(key), key.size(), key + paper);
  const std::string fifo = (dir_ / "scenario.toml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo) << text; });
  Scenario s;
  try {
    s = load_scenario(fifo);
  } catch (...) {
    writer.join();
    throw;
  }
  writer.join();
  const Scenario expected = load_scenario(scenario);
  EXPECT_EQ(s.name, expected.name);
  EXPECT_EQ(s.betas(), expected.betas());
}

}  // namespace
}  // namespace ttcg
