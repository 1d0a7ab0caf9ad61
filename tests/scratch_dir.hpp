// A fresh scratch directory per test, for tests that write files: <tmp>/ttcg_<suite>_<pid>_<test>, created empty
// before the test and removed after it (the pid keeps parallel ctest runs and several build trees apart).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ttcg::test {

class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("ttcg_" + std::string(info->test_suite_name()) + "_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  //! The path of `name` inside the scratch directory.
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  //! Writes `text` to `name` (binary, as given); returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }

  std::filesystem::path dir_;
};

}  // namespace ttcg::test
