// End-to-end tests of `ttcgames collect` against the loopback test server (tests/servers/openai_server.py), which
// answers deterministically and writes into each text the tokens it bills and whether the answer is right: every
// collected sample is checked exactly, under scheduled faults (429 with Retry-After, 5xx, dropped and truncated
// connections, slow and malformed responses), kill -9 and --resume, and the result is read by runlog-info and curves.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_support.hpp"
#include "cli/openai_test_server.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ttcg::test::CliResult;
using ttcg::test::OpenAiTestServer;

//! Seconds a test waits at most for a background run to write its first records.
constexpr double RECORDS_TIMEOUT = 60.0;

std::vector<Json> read_records(const std::string& path) {
  std::vector<Json> records;
  std::istringstream in(ttcg::test::read_text(path));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) records.push_back(Json::parse(line));
  return records;
}

std::set<std::string> lines_of(const std::string& path) {
  std::set<std::string> lines;
  std::istringstream in(ttcg::test::read_text(path));
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

//! The "[tokens=<letters>][expect=<e>]" header the test server writes into each text.
struct Expected {
  std::int64_t tokens = -1;
  std::string expect;
};
Expected expected_of(const std::string& text) {
  Expected e;
  const auto t = text.find("[tokens="), x = text.find("][expect=");
  if (t != 0 || x == std::string::npos) return e;
  e.tokens = 0;
  for (std::size_t i = 8; i < x; ++i) e.tokens = 10 * e.tokens + (text[i] - 'a');
  e.expect = text.substr(x + 9, text.find(']', x + 1) - x - 9);
  return e;
}

//! Every record is one question of write_gsm8k_questions(n), once, with `samples` samples whose tokens, verdicts and
//! extracted answers are what the server billed and meant.
void expect_exact_log(const std::vector<Json>& records, int n, int samples) {
  ASSERT_EQ(static_cast<int>(records.size()), n);
  std::set<std::string> qids;
  for (const Json& r : records) {
    const std::string qid = r["qid"];
    EXPECT_TRUE(qids.insert(qid).second) << "duplicate " << qid;
    const int i = std::stoi(qid.substr(1));
    EXPECT_EQ(r["ground_truths"][0], std::to_string(ttcg::test::gsm8k_gold(i)));
    ASSERT_EQ(static_cast<int>(r["answers"].size()), samples) << qid;
    ASSERT_EQ(r["num_tokens"].size(), r["answers"].size());
    ASSERT_EQ(r["correct"].size(), r["answers"].size());
    for (int j = 0; j < samples; ++j) {
      const Expected e = expected_of(r["answers"][j]);
      ASSERT_GE(e.tokens, 0) << r["answers"][j];
      EXPECT_EQ(r["num_tokens"][j], e.tokens) << qid << " sample " << j;
      EXPECT_EQ(r["correct"][j], e.expect == "correct") << qid << " sample " << j << ": " << r["answers"][j];
      EXPECT_EQ(r["extracted"][j].is_null(), e.expect == "none") << r["answers"][j];
      EXPECT_TRUE(r["rewards"][j].is_null());
    }
  }
  for (int i = 0; i < n; ++i) {
    char qid[16];
    std::snprintf(qid, sizeof qid, "q%04d", i);
    EXPECT_TRUE(qids.count(qid)) << "missing " << qid;
  }
}

class CollectCli : public ttcg::test::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);  // the servers are local whatever proxy the machine uses
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }
  std::string questions(int n) const { return ttcg::test::write_gsm8k_questions(work() / "q.jsonl", n); }
  fs::path server_dir(const std::string& name) const { return work().parent_path() / name; }
  //! The collect command line for the server(s) at `endpoints`.
  static std::string collect(const std::string& endpoints, const std::string& questions, int samples,
                             const std::string& output, const std::string& more = "") {
    return "collect --endpoint " + endpoints + " --model test-model --questions '" + questions + "' --samples " +
           std::to_string(samples) + " -o '" + output + "' --backoff-base 0.02 --backoff-max 0.5 " + more;
  }
};

TEST_F(CollectCli, CollectsEveryQuestionExactlyThroughEveryKindOfFault) {
  const std::string q = questions(40);
  OpenAiTestServer server(server_dir("server"), q,
                          {"--fault", "429:151", "--fault",        "500:11",  "--fault",       "503:37",  "--fault",
                           "drop:13", "--fault", "truncate:19",    "--fault", "malformed:17",  "--fault", "nousage:23",
                           "--fault", "slow:29", "--slow-seconds", "0.2",     "--retry-after", "1"});
  const CliResult r = cli(collect(server.url(), q, 16, in_work("run.jsonl"), "--concurrency 8 --seed 1"));
  ASSERT_EQ(r.code, 0) << r.err;
  const Json stats = server.stop();
  for (const char* kind : {"429", "500", "503", "drop", "truncate", "malformed", "nousage", "slow"})
    EXPECT_GT(stats["faults"].value(kind, 0), 0) << kind << ": " << stats.dump();
  EXPECT_EQ(stats["retry_after_violations"], 0) << "a request came back sooner than Retry-After asked";
  EXPECT_EQ(stats["pause_violations"], 0) << "a request came while the server asked to be left alone";
  expect_exact_log(read_records(in_work("run.jsonl")), 40, 16);
  ttcg::test::expect_contains(r.err, {"40 of 40 questions complete", "requests/s", "tokens/s", "wrote "});

  const CliResult info = cli("runlog-info run.jsonl");
  ASSERT_EQ(info.code, 0) << info.err;
  ttcg::test::expect_contains(
      info.out, {"model: test-model", "questions: 40", "samples per question: 16", "malformed: 0, duplicates: 0"});
  std::int64_t correct = 0;
  for (const Json& rec : read_records(in_work("run.jsonl")))
    for (const Json& c : rec["correct"]) correct += c.get<bool>() ? 1 : 0;
  ttcg::test::expect_contains(info.out, {"correct: " + std::to_string(correct) + " "});
  const CliResult curves = cli("curves run.jsonl -o curves.h5 --csv curves.csv --method majority");
  ASSERT_EQ(curves.code, 0) << curves.err;
  EXPECT_TRUE(fs::exists(work() / "curves.h5"));
  ttcg::test::expect_contains(curves.out, {"test-model", "theta"});
}

TEST_F(CollectCli, SeveralEndpointsShareTheLoadOnEitherApi) {
  const std::string q = questions(12);
  OpenAiTestServer a(server_dir("a"), q), b(server_dir("b"), q);
  const CliResult r = cli(collect(a.url() + "," + b.url(), q, 4, in_work("run.jsonl"),
                                  "--api completions --concurrency 4 --prompt-template 'Q: {{question}}\nA:'"));
  ASSERT_EQ(r.code, 0) << r.err;
  const Json sa = a.stop(), sb = b.stop();
  EXPECT_GT(sa["answered"].get<int>(), 8) << sa.dump();
  EXPECT_GT(sb["answered"].get<int>(), 8) << sb.dump();
  EXPECT_EQ(sa["answered"].get<int>() + sb["answered"].get<int>(), 48);
  const std::vector<Json> records = read_records(in_work("run.jsonl"));
  expect_exact_log(records, 12, 4);
  EXPECT_EQ(records[0]["settings"]["api"], "completions");
  EXPECT_EQ(records[0]["prompt"].get<std::string>().rfind("Q: Question number", 0), 0u);
}

TEST_F(CollectCli, ADeadEndpointRestsWhileTheOthersTakeTheLoad) {
  const std::string q = questions(10);
  OpenAiTestServer alive(server_dir("alive"), q);
  // Port 9 (discard) has no listener on a test machine: every request to it is refused.
  const CliResult r =
      cli(collect("http://127.0.0.1:9/v1," + alive.url(), q, 4, in_work("run.jsonl"), "--concurrency 4"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(alive.stop()["answered"], 40);
  expect_exact_log(read_records(in_work("run.jsonl")), 10, 4);
  EXPECT_EQ(r.err.find("transport: 0"), std::string::npos) << r.err;
}

TEST_F(CollectCli, SendsTheApiKeyFromTheEnvironment) {
  const std::string q = questions(3);
  OpenAiTestServer server(server_dir("server"), q, {"--api-key", "s3cret"});
  const CliResult without = cli(collect(server.url(), q, 2, in_work("a.jsonl")));
  EXPECT_EQ(without.code, 1);
  ttcg::test::expect_contains(without.err, {"HTTP 401", "invalid API key"}, "stderr");
  ::setenv("TTCG_TEST_KEY", "s3cret", 1);
  const CliResult with = cli(collect(server.url(), q, 2, in_work("b.jsonl"), "--api-key-env TTCG_TEST_KEY"));
  ::unsetenv("TTCG_TEST_KEY");
  ASSERT_EQ(with.code, 0) << with.err;
  expect_exact_log(read_records(in_work("b.jsonl")), 3, 2);
  EXPECT_EQ(ttcg::test::read_text(work() / "b.jsonl").find("s3cret"), std::string::npos);
}

TEST_F(CollectCli, QuestionMappingAndTheCompanionRunLogMapping) {
  // The server's questions 1 and 2 in another layout: ids, another field name, the gold answer as a number.
  const std::vector<Json> gsm8k = read_records(questions(3));
  std::string layout;
  for (int i = 1; i <= 2; ++i)
    layout +=
        Json{{"id", i == 1 ? "a" : "b"}, {"problem", gsm8k[i]["question"]}, {"solution", ttcg::test::gsm8k_gold(i)}}
            .dump() +
        "\n";
  write("layout.jsonl", layout);
  write("layout.toml",
        "format = \"ttcgames-question-mapping\"\nversion = 1\n[fields]\nqid = \"id\"\n"
        "question = \"problem\"\nanswer = \"solution\"\n[answers]\ntolerance = 0.001\n");
  OpenAiTestServer server(server_dir("server"), questions(3));
  const CliResult r =
      cli(collect(server.url(), in_work("layout.jsonl"), 4, in_work("run.jsonl"), "--mapping layout.toml --seed 3"));
  ASSERT_EQ(r.code, 0) << r.err;
  ttcg::test::expect_contains(r.err, {"run.mapping.toml"});
  const std::vector<Json> records = read_records(in_work("run.jsonl"));
  ASSERT_EQ(records.size(), 2u);
  for (const Json& rec : records) {
    EXPECT_TRUE(rec["qid"] == "a" || rec["qid"] == "b");
    EXPECT_EQ(rec["ground_truths"][0], rec["qid"] == "a" ? "10" : "13");
    EXPECT_DOUBLE_EQ(rec["settings"]["answers"]["tolerance"].get<double>(), 0.001);
    for (std::size_t j = 0; j < rec["answers"].size(); ++j)
      EXPECT_EQ(rec["correct"][j], expected_of(rec["answers"][j]).expect == "correct");
  }
  const CliResult info = cli("runlog-info run.jsonl --mapping run.mapping.toml");
  ASSERT_EQ(info.code, 0) << info.err;
  ttcg::test::expect_contains(info.out, {"questions: 2", "samples per question: 4"});
}

TEST_F(CollectCli, ProgressBarOnATerminal) {
  if (!fs::exists("/usr/bin/script")) GTEST_SKIP() << "no /usr/bin/script to give the program a terminal";
  const std::string q = questions(20);
  OpenAiTestServer server(server_dir("server"), q, {"--latency", "0.01"});
  const std::string command =
      std::string(TTCG_CLI) + " " + collect(server.url(), q, 8, in_work("run.jsonl"), "--concurrency 2");
  const fs::path terminal = work() / "terminal.txt";
  const int status = std::system(("cd " + ttcg::test::quote(work().string()) + " && /usr/bin/script -qec " +
                                  ttcg::test::quote(command) + " /dev/null > " + ttcg::test::quote(terminal.string()) +
                                  " 2>&1 </dev/null")
                                     .c_str());
  const std::string shown = ttcg::test::read_text(terminal);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << shown;
  ttcg::test::expect_contains(shown, {"collect [", "questions", "req/s", "tok/s", "ETA", "\r"}, "the terminal");
  expect_exact_log(read_records(in_work("run.jsonl")), 20, 8);
}

TEST_F(CollectCli, KillNineThenResumeLosesAndDuplicatesNothing) {
  const std::string q = questions(40);
  OpenAiTestServer server(server_dir("server"), q, {"--latency", "0.01", "--fault", "500:9", "--fault", "drop:14"});
  const std::string reference = in_work("reference.jsonl");
  ASSERT_EQ(cli(collect(server.url(), q, 16, reference, "--concurrency 4 --seed 7")).code, 0);

  const std::string run = in_work("run.jsonl");
  std::vector<std::string> argv = {
      TTCG_CLI,         "collect", "--endpoint", server.url(), "--model",       "test-model", "--questions", q,
      "--samples",      "16",      "-o",         run,          "--concurrency", "4",          "--seed",      "7",
      "--backoff-base", "0.02"};
  const pid_t pid = ttcg::test::spawn(argv, work(), work() / "bg.out", work() / "bg.err");
  const auto start = std::chrono::steady_clock::now();
  while (read_records(run).size() < 5) {
    ASSERT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), RECORDS_TIMEOUT);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  EXPECT_EQ(ttcg::test::wait_for(pid), -SIGKILL);
  const std::size_t kept = lines_of(run).size();
  EXPECT_LT(kept, 40u) << "the run finished before it was killed";
  // A crash in the middle of a write leaves a torn last line: resume must cut it.
  { std::ofstream(run, std::ios::app | std::ios::binary) << R"({"qid": "q0039", "prompt": "Quest)"; }

  const CliResult resumed = cli(collect(server.url(), q, 16, run, "--concurrency 4 --seed 7 --resume"));
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  ttcg::test::expect_contains(resumed.err, {"cut a torn last line", "before this run"});
  expect_exact_log(read_records(run), 40, 16);
  EXPECT_EQ(lines_of(run), lines_of(reference)) << "the resumed log differs from an uninterrupted one";
  const CliResult again = cli(collect(server.url(), q, 16, run, "--seed 7 --resume"));
  ASSERT_EQ(again.code, 0) << again.err;
  ttcg::test::expect_contains(again.err, {"40 of 40 questions complete (40 before this run)", " 0 requests"});
}

TEST_F(CollectCli, SigtermStopsCleanlyAndResumeFinishes) {
  const std::string q = questions(20);
  OpenAiTestServer server(server_dir("server"), q, {"--latency", "0.02"});
  const std::string run = in_work("run.jsonl");
  const pid_t pid = ttcg::test::spawn({TTCG_CLI, "collect", "--endpoint", server.url(), "--model", "test-model",
                                       "--questions", q, "--samples", "8", "-o", run, "--concurrency", "2"},
                                      work(), work() / "bg.out", work() / "bg.err");
  const auto start = std::chrono::steady_clock::now();
  while (read_records(run).size() < 2) {
    ASSERT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), RECORDS_TIMEOUT);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(ttcg::test::wait_for(pid), 75);
  ttcg::test::expect_contains(ttcg::test::read_text(work() / "bg.err"), {"stopped by signal", "--resume"});
  const std::size_t kept = read_records(run).size();
  EXPECT_LT(kept, 20u);
  const CliResult resumed = cli(collect(server.url(), q, 8, run, "--resume"));
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  expect_exact_log(read_records(run), 20, 8);
}

TEST_F(CollectCli, GivesUpAfterBoundedAttemptsNamingTheQuestion) {
  const std::string q = questions(10);
  {
    OpenAiTestServer broken(server_dir("broken"), q, {"--fail-question", "Question number 3:"});
    const CliResult r = cli(collect(broken.url(), q, 4, in_work("run.jsonl"), "--max-attempts 3"));
    EXPECT_EQ(r.code, 75) << r.err;
    ttcg::test::expect_contains(r.err, {"question 'q0003' (" + q + ":4)", "gave up after 3 attempts", "HTTP 500",
                                        "this question always fails", "--resume"});
  }
  for (const Json& rec : read_records(in_work("run.jsonl"))) EXPECT_NE(rec["qid"], "q0003");
  OpenAiTestServer healthy(server_dir("healthy"), q);
  const CliResult r = cli(collect(healthy.url(), q, 4, in_work("run.jsonl"), "--resume"));
  ASSERT_EQ(r.code, 0) << r.err;
  expect_exact_log(read_records(in_work("run.jsonl")), 10, 4);
}

TEST_F(CollectCli, RequestErrorsStopAtOnceAndTimeoutsAreRetried) {
  const std::string q = questions(5);
  OpenAiTestServer server(server_dir("server"), q, {"--fault", "slow:3", "--slow-seconds", "3"});
  const CliResult wrong = cli("collect --endpoint " + server.url() + " --model no-such-model --questions '" + q +
                              "' --samples 4 -o wrong.jsonl");
  EXPECT_EQ(wrong.code, 1);
  ttcg::test::expect_contains(wrong.err, {"question 'q0000'", "HTTP 404", "no-such-model", "does not exist"}, "stderr");
  const CliResult slow = cli(collect(server.url(), q, 4, in_work("run.jsonl"), "--timeout 0.5 --concurrency 4"));
  ASSERT_EQ(slow.code, 0) << slow.err;
  EXPECT_EQ(slow.err.find("transport: 0"), std::string::npos) << "no request timed out: " << slow.err;
  expect_exact_log(read_records(in_work("run.jsonl")), 5, 4);
}

TEST_F(CollectCli, EveryOptionIsCheckedBeforeAnyRequest) {
  const std::string q = questions(3);
  const std::string base = "collect --endpoint http://127.0.0.1:9/v1 --model m --questions '" + q + "' ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--samples 0", "--samples 0: out of range; valid: 1 to 100000"},
      {"--samples abc", "--samples 'abc': not an integer; valid: 1 to 100000"},
      {"--samples 2 --concurrency 0", "--concurrency 0: out of range; valid: 1 to 4096"},
      {"--samples 2 --temperature 2.5", "--temperature 2.5: out of range; valid: [0, 2]"},
      {"--samples 2 --timeout -1", "--timeout -1: out of range; valid: (0, 86400]"},
      {"--samples 2 --max-attempts 0", "--max-attempts 0: out of range; valid: 1 to 1000"},
      {"--samples 2 --api chats", "--api 'chats'"},
      {"--samples 2 --extra-body '{\"stream\": true}'", "key 'stream'"},
      {"--samples 2 -o '" + q + "'", "is the --questions file"},
      {"--samples 2 --prompt-template '{{question'", "not closed"},
  };
  for (const auto& [args, message] : cases) {
    const CliResult r = cli(base + args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.err;
    ttcg::test::expect_contains(r.err, {message}, "stderr");
  }
  const CliResult url = cli("collect --endpoint ftp://127.0.0.1/v1 --model m --questions '" + q + "' --samples 2");
  EXPECT_EQ(url.code, 1);
  ttcg::test::expect_contains(url.err, {"unsupported scheme 'ftp'", "valid: an http:// or https:// URL"}, "stderr");
  EXPECT_EQ(cli("collect --endpoint http://127.0.0.1:9 --questions '" + q + "' --samples 2").code, 1);
  for (const auto& e : fs::directory_iterator(work()))
    EXPECT_EQ(e.path().filename(), "q.jsonl") << "written before the checks passed: " << e.path();
  ttcg::test::write_text(work() / "exists.jsonl", "");
  const CliResult exists = cli(base + "--samples 2 -o exists.jsonl");
  EXPECT_EQ(exists.code, 1);
  ttcg::test::expect_contains(exists.err, {"exists; continue it with --resume"}, "stderr");
}

TEST_F(CollectCli, SettingsFileAndResumeConsistency) {
  const std::string q = questions(6);
  OpenAiTestServer server(server_dir("server"), q);
  write("collect.toml", "format = \"ttcgames-collect\"\nversion = 1\nendpoints = [\"" + server.url() +
                            "\"]\nmodel = \"org/test-model\"\nmodel_name = \"Tester\"\nquestions = \"q.jsonl\"\n"
                            "samples = 3\noutput = \"runs/tester.jsonl\"\n[sampling]\ntemperature = 0.5\n"
                            "[client]\nconcurrency = 2\nbackoff_base = 0.01\n");
  // The served name differs: the server knows "test-model" only, so --model on the command line wins.
  const CliResult r = cli("collect --config collect.toml --model test-model --limit 4");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<Json> records = read_records(in_work("runs/tester.jsonl"));
  expect_exact_log(records, 4, 3);
  EXPECT_EQ(records[0]["model_name"], "Tester");
  EXPECT_DOUBLE_EQ(records[0]["settings"]["temperature"].get<double>(), 0.5);
  const CliResult other = cli("collect --config collect.toml --model test-model --temperature 0.6 --resume");
  EXPECT_EQ(other.code, 1);
  ttcg::test::expect_contains(other.err, {"temperature = 0.5, this run has 0.6"}, "stderr");
  const CliResult more = cli("collect --config collect.toml --model test-model --resume");
  ASSERT_EQ(more.code, 0) << more.err;
  expect_exact_log(read_records(in_work("runs/tester.jsonl")), 6, 3);
  const CliResult bad = cli("collect --config collect.toml --samples 4 --resume --model test-model");
  EXPECT_EQ(bad.code, 1);
  ttcg::test::expect_contains(bad.err, {"records have 3 samples, --samples is 4"}, "stderr");
}

}  // namespace
