// The loopback OpenAI-compatible test server (tests/servers/openai_server.py) as a test fixture: started on
// 127.0.0.1 with a free port and the faults a test schedules, stopped with SIGTERM, after which its statistics
// (requests, faults served, Retry-After violations) are read. Also: questions files in GSM8K's layout whose answers
// the server knows, and running the ttcgames program in the background (to kill it mid-run).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ttcg::test {

namespace fs = std::filesystem;

//! Seconds a test waits at most for the server to listen.
constexpr double SERVER_START_TIMEOUT = 20.0;

//! Starts `argv[0]` with `argv` in `cwd`, stdout and stderr to the given files; returns its pid.
inline pid_t spawn(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& out,
                   const fs::path& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::dup2(in, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

//! Exit status of a finished child (−signal when a signal ended it).
inline int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

//! A GSM8K-layout file of `n` questions: "Question number i: ..." with gold answer 3i + 7.
inline std::string write_gsm8k_questions(const fs::path& path, int n) {
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < n; ++i) {
    const int a = 3 * i + 7;
    out << nlohmann::json{{"question", "Question number " + std::to_string(i) + ": Tom has " + std::to_string(i) +
                                           " apples and gets " + std::to_string(2 * i + 7) + " more. How many?"},
                          {"answer", "He has " + std::to_string(i) + "+" + std::to_string(2 * i + 7) + "=" +
                                         std::to_string(a) + ".\n#### " + std::to_string(a)}}
               .dump()
        << "\n";
  }
  return path.string();
}

//! The gold answer of question i of write_gsm8k_questions.
inline int gsm8k_gold(int i) {
  return 3 * i + 7;
}

class OpenAiTestServer {
 public:
  //! Starts the server on the questions file with extra arguments ("--fault", "429:7", ...).
  OpenAiTestServer(const fs::path& dir, const std::string& questions, const std::vector<std::string>& args = {})
      : dir_(dir) {
    fs::create_directories(dir_);
    std::vector<std::string> argv = {
        TTCG_PYTHON,   TTCG_TEST_SERVER,         "--questions",  questions,
        "--port-file", (dir_ / "port").string(), "--stats-file", (dir_ / "stats.json").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn(argv, dir_, dir_ / "server.out", dir_ / "server.err");
    const auto start = std::chrono::steady_clock::now();
    while (!fs::exists(dir_ / "port")) {
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > SERVER_START_TIMEOUT) {
        ADD_FAILURE() << "the test server did not start: " << read(dir_ / "server.err");
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    port_ = std::stoi(read(dir_ / "port"));
  }
  ~OpenAiTestServer() { stop(); }
  OpenAiTestServer(const OpenAiTestServer&) = delete;
  OpenAiTestServer& operator=(const OpenAiTestServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  //! Stops the server and returns its statistics.
  nlohmann::json stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      wait_for(pid_);
      pid_ = -1;
      if (fs::exists(dir_ / "stats.json")) stats_ = nlohmann::json::parse(read(dir_ / "stats.json"));
    }
    return stats_;
  }

 private:
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  nlohmann::json stats_;
};

}  // namespace ttcg::test
