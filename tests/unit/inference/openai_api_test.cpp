// The OpenAI-compatible API subset of `ttcgames collect` (inference/openai_api.hpp) and its run-log writer
// (inference/runlog_writer.hpp): endpoint URLs, request bodies, response parsing, what a result means, the backoff,
// the records and their durable, resumable output.
#include "ttcgames/inference/openai_api.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scratch_dir.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/runlog_reader.hpp"
#include "ttcgames/inference/runlog_writer.hpp"

namespace {

namespace fs = std::filesystem;
using ttcg::Api;
using ttcg::InputError;
using Json = nlohmann::json;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(EndpointUrl, AppendsTheApiPathToBaseUrls) {
  EXPECT_EQ(ttcg::endpoint_url("http://node1:8000/v1", Api::chat), "http://node1:8000/v1/chat/completions");
  EXPECT_EQ(ttcg::endpoint_url("http://node1:8000/v1/", Api::completions), "http://node1:8000/v1/completions");
  EXPECT_EQ(ttcg::endpoint_url("http://127.0.0.1:8080", Api::chat), "http://127.0.0.1:8080/v1/chat/completions");
  EXPECT_EQ(ttcg::endpoint_url("https://api.example.org/openai/v1", Api::chat),
            "https://api.example.org/openai/v1/chat/completions");
  EXPECT_EQ(ttcg::endpoint_url("http://h:1/v1/completions", Api::completions), "http://h:1/v1/completions");
}

TEST(EndpointUrl, RejectsWhatIsNotAnHttpUrl) {
  EXPECT_NE(message_of([] { ttcg::endpoint_url("ftp://h/v1", Api::chat); }).find("unsupported scheme 'ftp'"),
            std::string::npos);
  EXPECT_NE(message_of([] { ttcg::endpoint_url("node1:8000", Api::chat); }).find("--endpoint 'node1:8000'"),
            std::string::npos);
  EXPECT_NE(message_of([] { ttcg::endpoint_url("http://h:99999/v1", Api::chat); }).find("not a URL"),
            std::string::npos);
  EXPECT_NE(
      message_of([] { ttcg::endpoint_url("http://h/v1/chat/completions", Api::completions); }).find("is the chat API"),
      std::string::npos);
}

TEST(RequestBody, CarriesOneSampleAndTheSamplingSettings) {
  ttcg::SamplingParams p;
  p.model = "m";
  p.temperature = 0.6;
  p.max_tokens = 64;
  p.system = "be brief";
  p.extra_body = R"({"top_k": 20})";
  const Json chat = Json::parse(ttcg::request_body(p, "2+2?", 7));
  EXPECT_EQ(chat["model"], "m");
  EXPECT_EQ(chat["n"], 1);
  EXPECT_EQ(chat["stream"], false);
  EXPECT_EQ(chat["max_tokens"], 64);
  EXPECT_DOUBLE_EQ(chat["temperature"].get<double>(), 0.6);
  EXPECT_EQ(chat["top_k"], 20);
  EXPECT_FALSE(chat.contains("seed"));
  ASSERT_EQ(chat["messages"].size(), 2u);
  EXPECT_EQ(chat["messages"][0]["role"], "system");
  EXPECT_EQ(chat["messages"][1]["content"], "2+2?");
  p.api = Api::completions;
  p.seed = 3;
  const Json completion = Json::parse(ttcg::request_body(p, "2+2?", 7));
  EXPECT_EQ(completion["prompt"], "2+2?");
  EXPECT_EQ(completion["seed"], 7);
  EXPECT_FALSE(completion.contains("messages"));
}

TEST(RequestBody, ExtraBodyMustBeAnObjectThatOverridesNothingEssential) {
  EXPECT_NO_THROW(ttcg::check_extra_body(R"({"top_k": 20, "min_p": 0.1})", "--extra-body"));
  EXPECT_NE(message_of([] { ttcg::check_extra_body("[1]", "--extra-body"); }).find("must be a JSON object"),
            std::string::npos);
  EXPECT_NE(message_of([] { ttcg::check_extra_body("{", "--extra-body"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(message_of([] { ttcg::check_extra_body(R"({"n": 4})", "--extra-body"); }).find("key 'n'"),
            std::string::npos);
}

TEST(SampleSeed, DependsOnSeedQuestionAndSampleOnly) {
  EXPECT_EQ(ttcg::sample_seed(1, "q0001", 3), ttcg::sample_seed(1, "q0001", 3));
  EXPECT_NE(ttcg::sample_seed(1, "q0001", 3), ttcg::sample_seed(1, "q0001", 4));
  EXPECT_NE(ttcg::sample_seed(1, "q0001", 3), ttcg::sample_seed(1, "q0002", 3));
  EXPECT_NE(ttcg::sample_seed(1, "q0001", 3), ttcg::sample_seed(2, "q0001", 3));
  for (int j = 0; j < 100; ++j) {
    const std::int64_t s = ttcg::sample_seed(9, "q", j);
    EXPECT_GE(s, 0);
    EXPECT_LE(s, 2147483647);
  }
}

TEST(ParseCompletion, ReadsTextTokensAndFinishReason) {
  std::string why;
  const auto chat = ttcg::parse_completion(
      R"({"choices":[{"message":{"role":"assistant","content":"\\boxed{4}"},"finish_reason":"stop"}],
          "usage":{"prompt_tokens":5,"completion_tokens":17,"total_tokens":22}})",
      Api::chat, why);
  ASSERT_TRUE(chat) << why;
  EXPECT_EQ(chat->text, "\\boxed{4}");
  EXPECT_EQ(chat->completion_tokens, 17);
  EXPECT_EQ(chat->prompt_tokens, 5);
  EXPECT_FALSE(chat->reasoning_tokens);
  EXPECT_EQ(chat->finish_reason, "stop");
  const auto reasoning = ttcg::parse_completion(
      R"({"choices":[{"message":{"content":null},"finish_reason":"length"}],
          "usage":{"completion_tokens":100,"completion_tokens_details":{"reasoning_tokens":90}}})",
      Api::chat, why);
  ASSERT_TRUE(reasoning) << why;
  EXPECT_EQ(reasoning->text, "");
  EXPECT_EQ(reasoning->reasoning_tokens, 90);
  const auto text =
      ttcg::parse_completion(R"({"choices":[{"text":"7"}],"usage":{"completion_tokens":1}})", Api::completions, why);
  ASSERT_TRUE(text) << why;
  EXPECT_EQ(text->text, "7");
  const auto integral =
      ttcg::parse_completion(R"({"choices":[{"text":"7"}],"usage":{"completion_tokens":12.0}})", Api::completions, why);
  ASSERT_TRUE(integral) << why;
  EXPECT_EQ(integral->completion_tokens, 12);
}

TEST(ParseCompletion, MalformedBodiesSayWhy) {
  std::string why;
  EXPECT_FALSE(ttcg::parse_completion(R"({"choices":[{"text":"7"})", Api::completions, why));
  EXPECT_NE(why.find("not valid JSON"), std::string::npos) << why;
  EXPECT_FALSE(ttcg::parse_completion(R"({"choices":[{"text":"7"}]})", Api::completions, why));
  EXPECT_NE(why.find("usage.completion_tokens"), std::string::npos) << why;
  EXPECT_FALSE(ttcg::parse_completion(R"({"choices":[]})", Api::completions, why));
  EXPECT_NE(why.find("choices[0]"), std::string::npos) << why;
  EXPECT_FALSE(ttcg::parse_completion(R"({"choices":[{"text":"7"}],"usage":{"completion_tokens":1}})", Api::chat, why));
  EXPECT_NE(why.find("message.content"), std::string::npos) << why;
  EXPECT_FALSE(
      ttcg::parse_completion(R"({"choices":[{"text":"7"}],"usage":{"completion_tokens":-3}})", Api::completions, why));
  EXPECT_FALSE(
      ttcg::parse_completion(R"({"choices":[{"text":"7"}],"usage":{"completion_tokens":2.5}})", Api::completions, why));
}

TEST(Classify, RetriesServerTroubleAndFailsOnRequestErrors) {
  ttcg::HttpResult r;
  r.transport_ok = false;
  r.error = "Empty reply from server";
  r.curl_code = 52;
  EXPECT_EQ(ttcg::classify(r, Api::chat).outcome, ttcg::Outcome::retry);
  r.transport_ok = true;
  for (const long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    r.status = status;
    r.body = R"({"error":{"message":"busy"}})";
    const ttcg::Verdict v = ttcg::classify(r, Api::chat);
    EXPECT_EQ(v.outcome, ttcg::Outcome::retry) << status;
    EXPECT_NE(v.why.find("busy"), std::string::npos) << v.why;
  }
  for (const long status : {400L, 401L, 403L, 404L, 422L}) {
    r.status = status;
    EXPECT_EQ(ttcg::classify(r, Api::chat).outcome, ttcg::Outcome::fail) << status;
  }
  r.status = 200;
  r.body = "<html>";
  EXPECT_EQ(ttcg::classify(r, Api::chat).outcome, ttcg::Outcome::retry);
  r.body = R"({"choices":[{"message":{"content":"x"}}],"usage":{"completion_tokens":3}})";
  const ttcg::Verdict ok = ttcg::classify(r, Api::chat);
  ASSERT_EQ(ok.outcome, ttcg::Outcome::success);
  EXPECT_EQ(ok.completion->completion_tokens, 3);
}

TEST(Backoff, GrowsExponentiallyWithJitterUpToTheCapAndHonoursRetryAfter) {
  const ttcg::Backoff b{0.5, 4.0};
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 1, 0.0, std::nullopt), 0.25);
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 1, 0.999, std::nullopt), 0.25 + 0.25 * 0.999);
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 3, 0.0, std::nullopt), 1.0);
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 10, 0.0, std::nullopt), 2.0);  // capped: d = 4
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 1000, 1.0, std::nullopt), 4.0);
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 1, 0.5, 7.0), 7.0);
  EXPECT_DOUBLE_EQ(ttcg::backoff_delay(b, 10, 0.5, 0.0), 3.0);
}

class OutputFile : public ttcg::test::ScratchDirTest {
 protected:
  static ttcg::CollectedRecord record(const std::string& qid, int samples) {
    ttcg::CollectedRecord r{qid, "What is 2+2?", "4", "model-a", R"({"temperature":0.7})", {}};
    for (int j = 0; j < samples; ++j) {
      ttcg::CollectedSample s;
      s.text = "so \\boxed{" + std::to_string(3 + j % 2) + "}";
      s.tokens = 10 + j;
      s.extracted = std::to_string(3 + j % 2);
      s.correct = j % 2 == 1;
      s.finish_reason = "stop";
      if (j == 0) s.think_tokens = 4;
      r.samples.push_back(s);
    }
    return r;
  }
};

TEST_F(OutputFile, RecordsAreReadByTheReferenceReader) {
  {
    ttcg::RunLogAppender out(path("run.jsonl"));
    out.append(format_record(record("q0", 3)) + format_record(record("q1", 3)));
  }
  const ttcg::RunLog log = ttcg::read_runlog({path("run.jsonl")});
  ASSERT_EQ(log.questions(), 2u);
  EXPECT_EQ(log.model, "model-a");
  EXPECT_EQ(log.samples(0), 3);
  EXPECT_EQ(log.ground_truth[1], "4");
  EXPECT_EQ(log.tokens[0], 10.0);
  EXPECT_EQ(log.think_tokens[0], 4.0);
  EXPECT_EQ(log.tokens[2], 12.0);
  EXPECT_EQ(log.correct[1], 1);
  EXPECT_EQ(log.label[0], log.label[2]);  // both "3"
  EXPECT_NE(log.label[0], log.label[1]);
  EXPECT_EQ(log.report.malformed, 0);
}

TEST_F(OutputFile, OneWriterAtATime) {
  ttcg::RunLogAppender first(path("run.jsonl"));
  EXPECT_NE(message_of([&] { ttcg::RunLogAppender second(path("run.jsonl")); }).find("another ttcgames collect"),
            std::string::npos);
}

TEST_F(OutputFile, ScanCutsATornLastLineAndKeepsWholeRecords) {
  const std::string a = format_record(record("q0", 2)), b = format_record(record("q1", 2));
  std::ofstream(path("run.jsonl"), std::ios::binary) << a << b << b.substr(0, b.size() / 2);
  const ttcg::ExistingOutput e = ttcg::scan_collected_output(path("run.jsonl"));
  EXPECT_EQ(e.records, 2);
  EXPECT_EQ(e.torn_bytes, static_cast<std::int64_t>(b.size() / 2));
  EXPECT_EQ(e.samples, 2);
  EXPECT_EQ(e.model_name, "model-a");
  EXPECT_EQ(Json::parse(e.settings_json), Json::parse(R"({"temperature":0.7})"));
  EXPECT_EQ(fs::file_size(path("run.jsonl")), a.size() + b.size());
  EXPECT_EQ(ttcg::scan_collected_output(path("run.jsonl")).torn_bytes, 0);
  EXPECT_EQ(ttcg::scan_collected_output(path("missing.jsonl")).records, 0);
}

TEST_F(OutputFile, ScanRefusesWhatCollectDidNotWrite) {
  std::ofstream(path("dup.jsonl"), std::ios::binary)
      << format_record(record("q0", 2)) << format_record(record("q0", 2));
  EXPECT_NE(message_of([&] { ttcg::scan_collected_output(path("dup.jsonl")); }).find("dup.jsonl:2: duplicate qid 'q0'"),
            std::string::npos);
  std::ofstream(path("mixed.jsonl"), std::ios::binary)
      << format_record(record("q0", 2)) << format_record(record("q1", 3));
  EXPECT_NE(message_of([&] { ttcg::scan_collected_output(path("mixed.jsonl")); }).find("3 samples"), std::string::npos);
  std::ofstream(path("other.jsonl"), std::ios::binary) << R"({"qid": "q0", "answers": ["x"]})"
                                                       << "\n";
  EXPECT_NE(message_of([&] { ttcg::scan_collected_output(path("other.jsonl")); }).find("not a collected record"),
            std::string::npos);
  std::ofstream(path("bad.jsonl"), std::ios::binary) << "{oops\n" << format_record(record("q0", 2));
  EXPECT_NE(message_of([&] { ttcg::scan_collected_output(path("bad.jsonl")); }).find("bad.jsonl:1: not valid JSON"),
            std::string::npos);
}

}  // namespace
