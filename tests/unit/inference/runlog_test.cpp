// Reading run logs (runlog_reader.hpp, field_mapping.hpp): the shipped synthetic logs in the reference layout, the
// real ToT Game-of-24 and Qwen2.5-Math logs through their shipped mappings (with the published Tree-of-Thoughts
// numbers), compressed round trips, block boundaries, long lines, thread-count independence, and one test per kind
// of bad input. Expected values are recomputed from the files with nlohmann::json, independently of the reader.
#include "ttcgames/inference/runlog_reader.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"

namespace ttcg {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string RUNLOGS = std::string(TTCG_INPUTS_DIR) + "/runlogs";
const std::string SYNTH_A = RUNLOGS + "/synthetic/SynthA-7B--temp-0.7--samples-64--max-512.jsonl";
const std::string SYNTH_R = RUNLOGS + "/synthetic/reason-SynthR-7B--temp-0.6--samples-32--max-2048.jsonl";
const std::string TOT_COT = RUNLOGS + "/tot-game24/gpt-4_0.7_naive_cot_sample_100_start900_end1000.json";
const std::string TOT_IO = RUNLOGS + "/tot-game24/gpt-4_0.7_naive_standard_sample_100_start900_end1000.json";
const std::string QWEN = RUNLOGS + "/qwen25-math-rm-maj/math_cot_100.jsonl";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

//! A scratch directory per test.
class RunLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(TTCG_BINARY_DIR) / "test_scratch" / "runlog" / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  fs::path dir_;
};

//! A reference-layout record with n samples.
std::string record(const std::string& qid, int n, const std::string& extra = "", int tokens = 10) {
  json r;
  r["qid"] = qid;
  r["answers"] = json::array();
  r["explanations"] = json::array();
  r["correct"] = json::array();
  r["rewards"] = json::array();
  r["num_tokens"] = json::array();
  for (int j = 0; j < n; ++j) {
    r["answers"].push_back("\\boxed{" + std::to_string(j % 3) + "}");
    r["explanations"].push_back("boxed='" + std::to_string(j % 3) + "'; numeric compare; truth='1'");
    r["correct"].push_back(j % 3 == 1);
    r["rewards"].push_back(0.5 * j);
    r["num_tokens"].push_back(tokens + j);
  }
  r["ground_truths"] = {"1"};
  r["model_name"] = "Tiny";
  std::string s = r.dump();
  if (!extra.empty()) s.insert(s.size() - 1, "," + extra);
  return s;
}

void expect_same(const RunLog& a, const RunLog& b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.qid, b.qid);
  EXPECT_EQ(a.ground_truth, b.ground_truth);
  EXPECT_EQ(a.offset, b.offset);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.correct, b.correct);
  EXPECT_EQ(a.reward, b.reward);
  ASSERT_EQ(a.tokens.size(), b.tokens.size());
  for (std::size_t s = 0; s < a.tokens.size(); ++s) {
    EXPECT_TRUE(a.tokens[s] == b.tokens[s] || (std::isnan(a.tokens[s]) && std::isnan(b.tokens[s])));
    EXPECT_TRUE(a.think_tokens[s] == b.think_tokens[s] ||
                (std::isnan(a.think_tokens[s]) && std::isnan(b.think_tokens[s])));
  }
  EXPECT_EQ(a.report.lines, b.report.lines);
  EXPECT_EQ(a.report.records, b.report.records);
  EXPECT_EQ(a.report.malformed, b.report.malformed);
  EXPECT_EQ(a.report.duplicates, b.report.duplicates);
  EXPECT_EQ(a.report.messages, b.report.messages);
}

// --- The shipped synthetic logs (reference layout) ------------------------------------------------------------------

TEST(RunLogSynthetic, FilesLoadWithTheRightCountsAndValues) {
  for (const auto& [file, samples] : std::vector<std::pair<std::string, int>>{
           {SYNTH_A, 64},
           {RUNLOGS + "/synthetic/SynthB-1B--temp-0.7--samples-64--max-512.jsonl", 64},
           {RUNLOGS + "/synthetic/SynthC-3B--temp-0.7--samples-64--max-512.jsonl", 64},
           {SYNTH_R, 32}}) {
    SCOPED_TRACE(file);
    const RunLog log = read_runlog({file});
    const std::vector<json> records = read_jsonl(file);
    ASSERT_EQ(log.questions(), 200u);
    EXPECT_EQ(log.min_samples(), samples);
    EXPECT_EQ(log.samples(), 200u * samples);
    EXPECT_EQ(log.report.lines, 200);
    EXPECT_EQ(log.report.records, 200);
    EXPECT_EQ(log.report.malformed, 0);
    EXPECT_EQ(log.report.duplicates, 0);
    EXPECT_EQ(log.model, records[0]["model_name"].get<std::string>());
    std::size_t s = 0;
    int no_answer = 0, labelled_none = 0, null_rewards = 0, infinite_rewards = 0;
    for (std::size_t q = 0; q < records.size(); ++q) {
      const json& r = records[q];
      EXPECT_EQ(log.qid[q], r["qid"].get<std::string>());
      EXPECT_EQ(log.ground_truth[q], r["ground_truths"][0].get<std::string>());
      for (std::size_t j = 0; j < r["correct"].size(); ++j, ++s) {
        EXPECT_EQ(log.correct[s], r["correct"][j].get<bool>() ? 1 : 0);
        const json& reward = r["rewards"][j];
        if (reward.is_null()) ++null_rewards;
        if (std::isinf(log.reward[s])) ++infinite_rewards;
        if (!reward.is_null()) {
          EXPECT_EQ(log.reward[s], reward.get<double>());
        }
        const json& t = r["num_tokens"][j];
        if (t.is_array()) {
          EXPECT_EQ(log.think_tokens[s], t[0].get<double>());
          EXPECT_EQ(log.tokens[s], t[1].get<double>());
        } else {
          EXPECT_EQ(log.tokens[s], t.get<double>());
          EXPECT_TRUE(std::isnan(log.think_tokens[s]));
        }
        if (r["explanations"][j].get<std::string>().rfind("no numeric content", 0) == 0) ++no_answer;
        if (log.label[s] < 0) ++labelled_none;
      }
    }
    EXPECT_EQ(s, log.samples());
    EXPECT_EQ(null_rewards, infinite_rewards);
    EXPECT_EQ(no_answer, labelled_none);
    EXPECT_EQ(log.has_think_tokens(), samples == 32);
    EXPECT_TRUE(log.has_tokens());
  }
}

TEST(RunLogSynthetic, LabelsFromTextsEqualLabelsFromExplanations) {
  // The verifier wrote the explanations from the texts, so both sources must give the same classes.
  RunLogOptions texts;
  texts.mapping.answer_source = AnswerSource::texts;
  for (const std::string& file : {SYNTH_A, SYNTH_R}) {
    const RunLog a = read_runlog({file});
    const RunLog b = read_runlog({file}, texts);
    EXPECT_EQ(a.label, b.label) << file;
  }
}

TEST(RunLogSynthetic, LabelsAreNumberedInOrderOfFirstAppearance) {
  const RunLog log = read_runlog({SYNTH_A});
  for (std::size_t q = 0; q < log.questions(); ++q) {
    std::int32_t next = 0;
    for (std::int64_t s = log.offset[q]; s < log.offset[q + 1]; ++s) {
      ASSERT_LE(log.label[s], next) << "question " << q;
      if (log.label[s] == next) ++next;
    }
  }
}

TEST(RunLogSynthetic, ShippedReferenceMappingEqualsTheBuiltInLayout) {
  RunLogOptions o;
  o.mapping = load_field_mapping(RUNLOGS + "/reference.toml");
  expect_same(read_runlog({SYNTH_A}), read_runlog({SYNTH_A}, o));
}

TEST(RunLogSynthetic, ModelNameFromTheFileNameWhenRecordsHaveNone) {
  EXPECT_EQ(model_from_file_name("/x/SynthA-7B--temp-0.7--samples-64--max-512.jsonl"), "SynthA-7B");
  EXPECT_EQ(model_from_file_name("reason-R1--temp-0.6--samples-32--max-2048.jsonl.zst"), "reason-R1");
  EXPECT_EQ(model_from_file_name("run.jsonl.gz"), "run");
  EXPECT_EQ(model_from_file_name("data.json"), "data");
  RunLogOptions o;
  o.mapping.model_name.reset();
  EXPECT_EQ(read_runlog({SYNTH_R}, o).model, "reason-SynthR-7B");
  o.model = "override";
  EXPECT_EQ(read_runlog({SYNTH_R}, o).model, "override");
}

// --- Streaming: blocks, long lines, threads, compression ------------------------------------------------------------

TEST_F(RunLogTest, LinesSplitAcrossBlockBoundariesReadTheSame) {
  const RunLog whole = read_runlog({SYNTH_A});
  for (const std::size_t block : {std::size_t{1}, std::size_t{97}, std::size_t{4096}, std::size_t{100000}}) {
    RunLogOptions o;
    o.block_bytes = block;
    SCOPED_TRACE(block);
    expect_same(whole, read_runlog({SYNTH_A}, o));
  }
}

TEST_F(RunLogTest, ArbitrarilyLongLinesAreRead) {
  const std::string big(3'000'000, 'x');
  json r = json::parse(record("long", 4));
  r["answers"][2] = big + " \\boxed{2}";
  r["prompt"] = big;
  const std::string file =
      write("long.jsonl", record("a", 3) + "\n" + r.dump() + "\n" + record("b", 2));  // no final newline
  RunLogOptions o;
  o.block_bytes = 1024;
  o.mapping.answer_source = AnswerSource::texts;
  const RunLog log = read_runlog({file}, o);
  ASSERT_EQ(log.questions(), 3u);
  EXPECT_EQ(log.qid, (std::vector<std::string>{"a", "long", "b"}));
  EXPECT_EQ(log.samples(1), 4);
  EXPECT_EQ(log.label[3 + 2], 2);  // "\boxed{2}" at the end of the long text is the third class
}

TEST_F(RunLogTest, ResultsDoNotDependOnTheThreadCount) {
  // Many small records with malformed lines and duplicates spread over several blocks.
  std::string text;
  for (int i = 0; i < 400; ++i) {
    if (i % 37 == 5) text += "{broken\n";
    text += record(std::string("q").append(std::to_string(i % 300)), 1 + i % 5);
    text += '\n';
    if (i % 50 == 0) text += "\n";
  }
  const std::string file = write("many.jsonl", text);
  RunLogOptions o;
  o.block_bytes = 5000;
  o.threads = 1;
  const RunLog one = read_runlog({file}, o);
  EXPECT_EQ(one.questions(), 300u);
  EXPECT_EQ(one.report.duplicates, 100);
  EXPECT_EQ(one.report.malformed, 11);
  for (const int threads : {2, 3}) {
    o.threads = threads;
    SCOPED_TRACE(threads);
    expect_same(one, read_runlog({file}, o));
  }
}

TEST_F(RunLogTest, GzipAndZstdRoundTrips) {
  const std::string plain = read_text(SYNTH_A);
  const std::string gz = (dir_ / "a.jsonl.gz").string();
  gzFile g = gzopen(gz.c_str(), "wb");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(gzwrite(g, plain.data(), static_cast<unsigned>(plain.size())), static_cast<int>(plain.size()));
  gzclose(g);
  std::string zst(ZSTD_compressBound(plain.size()), '\0');
  const std::size_t n = ZSTD_compress(zst.data(), zst.size(), plain.data(), plain.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  zst.resize(n);
  const std::string zst_file = write("a.jsonl.zst", zst);
  const RunLog expected = read_runlog({SYNTH_A});
  for (const std::size_t block : {std::size_t{1000}, DEFAULT_RUNLOG_BLOCK_BYTES}) {
    RunLogOptions o;
    o.block_bytes = block;
    RunLog a = read_runlog({gz}, o), b = read_runlog({zst_file}, o);
    a.files = b.files = expected.files;
    expect_same(expected, a);
    expect_same(expected, b);
  }
}

TEST_F(RunLogTest, CorruptCompressedFilesAreErrors) {
  const std::string plain = read_text(SYNTH_A);
  std::string zst(ZSTD_compressBound(plain.size()), '\0');
  zst.resize(ZSTD_compress(zst.data(), zst.size(), plain.data(), plain.size(), 3));
  const std::string truncated = write("t.jsonl.zst", zst.substr(0, zst.size() / 2));
  EXPECT_THROW(read_runlog({truncated}), InputError);
  const std::string gz = (dir_ / "t.jsonl.gz").string();
  gzFile g = gzopen(gz.c_str(), "wb");
  gzwrite(g, plain.data(), static_cast<unsigned>(plain.size()));
  gzclose(g);
  const std::string bytes = read_text(gz);
  const std::string cut = write("cut.jsonl.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(read_runlog({cut}), InputError);
}

// --- Bad input: one test each -------------------------------------------------------------------------------------

TEST_F(RunLogTest, MalformedLineIsReportedWithFileAndLineAndSkipped) {
  const std::string file = write("m.jsonl", record("a", 2) + "\n{\"qid\": \"b\", oops}\n" + record("c", 2) + "\n");
  const RunLog log = read_runlog({file});
  EXPECT_EQ(log.questions(), 2u);
  EXPECT_EQ(log.report.malformed, 1);
  EXPECT_EQ(log.report.lines, 3);
  ASSERT_EQ(log.report.messages.size(), 1u);
  EXPECT_NE(log.report.messages[0].find(file + ":2: not valid JSON"), std::string::npos) << log.report.messages[0];
}

TEST_F(RunLogTest, StrictModeFailsOnTheFirstMalformedRecord) {
  const std::string file = write("s.jsonl", record("a", 2) + "\n" + record("b", 2) + "\n[1, 2]\n{\"x\": 1}\n");
  RunLogOptions o;
  o.strictness = Strictness::strict;
  try {
    read_runlog({file}, o);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file + ":3: a record must be a JSON object"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_runlog({file}).report.malformed, 2);  // without --strict both are skipped
}

TEST_F(RunLogTest, NaNGetsAClearMessage) {
  std::string bad = record("b", 2);
  bad.replace(bad.find("0.5"), 3, "NaN");
  const std::string file = write("nan.jsonl", record("a", 2) + "\n" + bad + "\n");
  const RunLog log = read_runlog({file});
  ASSERT_EQ(log.report.malformed, 1);
  EXPECT_NE(log.report.messages[0].find(":2: not valid JSON: NaN at column"), std::string::npos)
      << log.report.messages[0];
  EXPECT_NE(log.report.messages[0].find("write null for a missing reward"), std::string::npos);
}

TEST_F(RunLogTest, MissingFieldIsReported) {
  json r = json::parse(record("b", 2));
  r.erase("correct");
  const std::string file = write("missing.jsonl", record("a", 2) + "\n" + r.dump() + "\n");
  const RunLog log = read_runlog({file});
  ASSERT_EQ(log.report.malformed, 1);
  EXPECT_NE(log.report.messages[0].find(":2: missing field 'correct'"), std::string::npos) << log.report.messages[0];
}

TEST_F(RunLogTest, NullAnswerSourceFallsBackToTheNext) {
  json r = json::parse(record("a", 3));
  r["explanations"] = nullptr;  // absent: the texts give the answers
  json s = json::parse(record("b", 3));
  s["correct"] = nullptr;  // a required field that is null is missing
  const RunLog log = read_runlog({write("null.jsonl", r.dump() + "\n" + s.dump() + "\n")});
  EXPECT_EQ(log.label, (std::vector<std::int32_t>{0, 1, 2}));
  ASSERT_EQ(log.report.malformed, 1);
  EXPECT_NE(log.report.messages[0].find(":2: missing field 'correct'"), std::string::npos) << log.report.messages[0];
}

TEST_F(RunLogTest, ArraysOfDifferentLengthsAreReported) {
  json r = json::parse(record("b", 3));
  r["rewards"].erase(r["rewards"].begin());
  const std::string file = write("lengths.jsonl", r.dump() + "\n" + record("a", 2) + "\n");
  const RunLog log = read_runlog({file});
  ASSERT_EQ(log.report.malformed, 1);
  EXPECT_NE(log.report.messages[0].find(":1: field 'rewards' has 2 values but 'correct' has 3"), std::string::npos)
      << log.report.messages[0];
}

TEST_F(RunLogTest, NegativeTokensAreReported) {
  json r = json::parse(record("b", 3));
  r["num_tokens"][1] = -5;
  json pair = json::parse(record("c", 2));
  pair["num_tokens"][0] = {12, -1};
  const std::string file = write("neg.jsonl", record("a", 2) + "\n" + r.dump() + "\n" + pair.dump() + "\n");
  const RunLog log = read_runlog({file});
  ASSERT_EQ(log.report.malformed, 2);
  EXPECT_NE(log.report.messages[0].find(":2: field 'num_tokens'[1] is -5; token counts must lie in 0..2^53"),
            std::string::npos)
      << log.report.messages[0];
  EXPECT_NE(log.report.messages[1].find(":3: field 'num_tokens'[0] is -1"), std::string::npos);
}

TEST_F(RunLogTest, WrongTypesAreReported) {
  json verdict = json::parse(record("b", 2));
  verdict["correct"][0] = "yes";
  json tokens = json::parse(record("c", 2));
  tokens["num_tokens"][1] = {1, 2, 3};
  json reward = json::parse(record("d", 2));
  reward["rewards"][0] = "high";
  const std::string file =
      write("types.jsonl", record("a", 2) + "\n" + verdict.dump() + "\n" + tokens.dump() + "\n" + reward.dump());
  const RunLog log = read_runlog({file});
  ASSERT_EQ(log.report.malformed, 3);
  EXPECT_NE(log.report.messages[0].find("'correct'[0] must be true/false or 0/1"), std::string::npos);
  EXPECT_NE(log.report.messages[1].find("'num_tokens'[1] must be a token count or [think_tokens, total_tokens]"),
            std::string::npos);
  EXPECT_NE(log.report.messages[2].find("'rewards'[0] must be a number or null"), std::string::npos);
}

TEST_F(RunLogTest, RecordWithoutSamplesIsReported) {
  const std::string file = write("empty-record.jsonl", record("a", 2) + "\n" + record("b", 0) + "\n");
  const RunLog log = read_runlog({file});
  ASSERT_EQ(log.report.malformed, 1);
  EXPECT_NE(log.report.messages[0].find(":2: no samples"), std::string::npos) << log.report.messages[0];
}

TEST_F(RunLogTest, EmptyFileIsAnError) {
  for (const std::string& text : {std::string(), std::string("\n  \n\n")}) {
    const std::string file = write("empty.jsonl", text);
    try {
      read_runlog({file});
      FAIL() << "expected an InputError";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(file + ": empty run log: no records"), std::string::npos) << e.what();
    }
  }
}

TEST_F(RunLogTest, MissingFileIsAnError) {
  EXPECT_THROW(read_runlog({(dir_ / "nope.jsonl").string()}), InputError);
  EXPECT_THROW(read_runlog({}), InputError);
}

TEST_F(RunLogTest, NoValidRecordIsAnError) {
  const std::string file = write("bad.jsonl", "{\n{\"qid\": 1}\n");
  try {
    read_runlog({file});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no valid records in the run log (2 malformed; first: " + file + ":1:"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(RunLogTest, DuplicateQidsKeepTheFirstAcrossFiles) {
  const std::string f1 = write("d1.jsonl", record("a", 2) + "\n" + record("b", 3) + "\n" + record("a", 4) + "\n");
  const std::string f2 = write("d2.jsonl", record("b", 5) + "\n" + record("c", 1) + "\n");
  const RunLog log = read_runlog({f1, f2});
  EXPECT_EQ(log.qid, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(log.samples(0), 2);
  EXPECT_EQ(log.samples(1), 3);
  EXPECT_EQ(log.report.duplicates, 2);
  EXPECT_EQ(log.report.records, 3);
  ASSERT_EQ(log.report.messages.size(), 2u);
  EXPECT_NE(log.report.messages[0].find(f1 + ":3: duplicate qid 'a' skipped (the first, at " + f1 + ":1, is kept)"),
            std::string::npos)
      << log.report.messages[0];
  EXPECT_NE(log.report.messages[1].find(f2 + ":1: duplicate qid 'b'"), std::string::npos);
}

TEST_F(RunLogTest, MessagesAreBoundedButCountsExact) {
  std::string text = record("ok", 1) + "\n";
  for (int i = 0; i < 50; ++i) text += "nope\n";
  const RunLog log = read_runlog({write("many-bad.jsonl", text)});
  EXPECT_EQ(log.report.malformed, 50);
  EXPECT_EQ(log.report.messages.size(), MAX_RUNLOG_MESSAGES);
}

TEST_F(RunLogTest, VerdictsAreComputedWhenOnlyTheGoldAnswerIsMapped) {
  const std::string file = write("gold.jsonl", record("a", 6) + "\n");
  RunLogOptions o;
  o.mapping.correct.reset();
  const RunLog computed = read_runlog({file}, o);
  EXPECT_EQ(computed.correct, read_runlog({file}).correct);  // boxed j % 3 == 1 against truth "1"
}

// --- Field mappings -------------------------------------------------------------------------------------------------

TEST_F(RunLogTest, JsonArrayWithRecordsPathAndPerFileTokens) {
  const std::string file = write("obj.json", R"({"usage": {"total": 900}, "data": [
      {"id": 7, "outs": [{"text": "Answer: 4", "ok": true}, {"text": "Answer: 5", "ok": false}]},
      {"id": 8, "outs": [{"text": "Answer: None", "ok": false}, {"text": "Answer: 5", "ok": 1},
                         {"text": "no answer", "ok": 0}, {"text": "Answer: 5 ", "ok": 1}]}]})");
  const std::string mapping = write("obj.toml", R"(format = "ttcgames-runlog-mapping"
version = 1
layout = "json-array"
records = "data"
[fields]
qid = "id"
texts = "outs[*].text"
correct = "outs[*].ok"
[answers]
rule = "pattern"
pattern = 'Answer:\s*(.*)'
abstain = "None"
[tokens]
file = "usage.total"
)");
  RunLogOptions o;
  o.mapping = load_field_mapping(mapping);
  const RunLog log = read_runlog({file}, o);
  EXPECT_EQ(log.qid, (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(log.label, (std::vector<std::int32_t>{0, 1, -1, 0, -1, 0}));
  EXPECT_EQ(log.correct, (std::vector<std::uint8_t>{1, 0, 0, 1, 0, 1}));
  for (double t : log.tokens) EXPECT_DOUBLE_EQ(t, 150.0);  // 900 tokens over 6 samples
  EXPECT_TRUE(std::isinf(log.reward[0]));                  // no rewards mapped: missing
  EXPECT_EQ(log.model, "obj");
}

TEST_F(RunLogTest, MultipleChoiceExplanationsThroughAMapping) {
  // GPQA-style reference records: the verifier's "parsed='C'" explanations vote.
  const std::string file =
      write("gpqa.jsonl", R"({"qid": "g1", "answers": ["Answer: C", "Answer: b", "?", "Answer: C"],)"
                          R"( "explanations": ["parsed='C'; truth='B'", "parsed='B'; truth='B'",)"
                          R"( "no Answer: <LETTER> found; truth='B'", "parsed='C'; truth='B'"],)"
                          R"( "correct": [false, true, false, false], "num_tokens": [1, 2, 3, 4]})");
  const std::string mapping = write("gpqa.toml", R"(format = "ttcgames-runlog-mapping"
version = 1
[fields]
qid = "qid"
texts = "answers"
explanations = "explanations"
correct = "correct"
tokens = "num_tokens"
[answers]
rule = "multiple-choice"
)");
  RunLogOptions o;
  o.mapping = load_field_mapping(mapping);
  const RunLog from_explanations = read_runlog({file}, o);
  EXPECT_EQ(from_explanations.label, (std::vector<std::int32_t>{0, 1, -1, 0}));
  o.mapping.answer_source = AnswerSource::texts;
  EXPECT_EQ(read_runlog({file}, o).label, from_explanations.label);
}

TEST_F(RunLogTest, JsonArrayLayoutErrors) {
  RunLogOptions o;
  o.mapping.layout = RunLogLayout::json_array;
  const std::string object = write("object.json", R"({"data": [1]})");
  EXPECT_THROW(read_runlog({object}, o), InputError);  // the document is not an array
  o.mapping.records = parse_json_path("rows", SourceLocation{"test"});
  try {
    read_runlog({object}, o);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("records path 'rows': no key 'rows'"), std::string::npos) << e.what();
  }
  o.mapping.records.reset();
  const std::string broken = write("broken.json", "[{\"qid\": 1,");
  EXPECT_THROW(read_runlog({broken}, o), InputError);
  const std::string empty = write("empty.json", "[]");
  EXPECT_THROW(read_runlog({empty}, o), InputError);
  const std::string one_bad = write("one-bad.json", std::string("[") + record("a", 2) + ", 5, " + record("b", 1) + "]");
  const RunLog log = read_runlog({one_bad}, o);
  EXPECT_EQ(log.questions(), 2u);
  ASSERT_EQ(log.report.malformed, 1);
  EXPECT_NE(log.report.messages[0].find(one_bad + ": record 2: a record must be a JSON object"), std::string::npos)
      << log.report.messages[0];
}

TEST_F(RunLogTest, CumulativeCounterDifferencesAndRestarts) {
  const std::string file = write("c.jsonl",
                                 "{\"q\": 1, \"c\": [true, false], \"t\": [\"1\", \"2\"], \"u\": {\"n\": 100}}\n"
                                 "{\"q\": 2, \"c\": [true], \"t\": [\"1\"], \"u\": {\"n\": 160}}\n"
                                 "{\"q\": 3, \"c\": [false], \"t\": [\"1\"], \"u\": {\"n\": 40}}\n"
                                 "{\"q\": 3, \"c\": [false], \"t\": [\"1\"], \"u\": {\"n\": 90}}\n"
                                 "{\"q\": 4, \"c\": [false, true], \"t\": [\"1\", \"2\"], \"u\": {\"n\": 130}}\n");
  const std::string mapping = write("c.toml", R"(format = "ttcgames-runlog-mapping"
version = 1
[fields]
qid = "q"
correct = "c"
texts = "t"
[tokens]
record = "u.n"
cumulative = true
)");
  RunLogOptions o;
  o.mapping = load_field_mapping(mapping);
  const RunLog log = read_runlog({file}, o);
  EXPECT_EQ(log.report.counter_restarts, 1);
  EXPECT_EQ(log.report.duplicates, 1);
  // 100 over 2 samples; 60; restart: 40; (the duplicate used 50); 40 over 2 samples.
  EXPECT_EQ(log.tokens, (std::vector<double>{50.0, 50.0, 60.0, 40.0, 20.0, 20.0}));
}

TEST_F(RunLogTest, MappingErrorsNameTheKey) {
  struct Case {
    std::string toml;
    std::string message;
  };
  const std::string head = "format = \"ttcgames-runlog-mapping\"\nversion = 1\n";
  const std::vector<Case> cases = {
      {head + "[fields]\nqid = \"q\"\ntext = \"t\"\ncorrect = \"c\"\n",
       "unknown key 'fields.text' (did you mean 'fields.texts'?)"},
      {head + "layot = \"jsonl\"\n[fields]\ntexts = \"t\"\ncorrect = \"c\"\n",
       "unknown key 'layot' (did you mean 'layout'?)"},
      {head + "[fields]\ntexts = \"t[\"\ncorrect = \"c\"\n", "bad JSON path \"t[\""},
      {head + "[fields]\ntexts = \"a[*].b[*]\"\ncorrect = \"c\"\n", "more than one [*]"},
      {head + "[fields]\ncorrect = \"c\"\n", "name at least one answer source"},
      {head + "[fields]\ntexts = \"t\"\n", "name the verdicts, or ground_truth"},
      {head + "[fields]\ntexts = \"t\"\ncorrect = \"c\"\n[answers]\nrule = \"patern\"\n", "did you mean \"pattern\""},
      {head + "[fields]\ntexts = \"t\"\ncorrect = \"c\"\n[answers]\nrule = \"pattern\"\npattern = \"(\"\n",
       "'answers.pattern' is not a valid regular expression"},
      {head + "[fields]\ntexts = \"t\"\ncorrect = \"c\"\n[tokens]\ncumulative = true\n", "needs 'tokens.record'"},
      {head + "[fields]\ntexts = \"t\"\ncorrect = \"c\"\ntokens = \"n\"\n[tokens]\nrecord = \"u\"\n",
       "cannot be combined with per-sample 'fields.tokens'"},
      {"version = 1\n[fields]\ntexts = \"t\"\ncorrect = \"c\"\n", "missing key 'format'"},
      {head + "records = \"data\"\n[fields]\ntexts = \"t\"\ncorrect = \"c\"\n",
       "applies only to layout = \"json-array\""},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path = write("bad" + std::to_string(i) + ".toml", cases[i].toml);
    try {
      load_field_mapping(path);
      ADD_FAILURE() << "no error for case " << i;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(cases[i].message), std::string::npos) << "case " << i << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(path + ":"), std::string::npos) << e.what();
    }
  }
}

TEST(RunLogMapping, EmbeddedTableReadsLikeAFileAndNamesItsKeys) {
  const std::string text = R"([providers.runlog]
layout = "json-array"
[providers.runlog.fields]
qid = "idx"
texts = "ys"
correct = "accs"
[providers.runlog.answers]
rule = "pattern"
pattern = 'Answer:\s*(.*)'
abstain = "None"
vote = "exact-string"
[providers.runlog.tokens]
record = "usage_so_far.completion_tokens"
cumulative = true
)";
  const toml::table root = toml::parse(std::string_view(text), std::string_view("scenario.toml"));
  TableReader table(*root["providers"]["runlog"].as_table(), "providers.runlog", "scenario.toml");
  RunLogOptions embedded;
  embedded.mapping = parse_field_mapping(table);
  RunLogOptions file;
  file.mapping = load_field_mapping(RUNLOGS + "/tot-game24-standard.toml");
  RunLog a = read_runlog({TOT_IO}, embedded), b = read_runlog({TOT_IO}, file);
  a.model = b.model;
  expect_same(a, b);

  const toml::table bad = toml::parse(std::string_view("[runlog.fields]\ntexts = \"t\"\ncorrect = \"c\"\nqd = \"q\"\n"),
                                      std::string_view("s.toml"));
  TableReader bad_table(*bad["runlog"].as_table(), "runlog", "s.toml");
  try {
    parse_field_mapping(bad_table);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find("s.toml:4:1: unknown key 'runlog.fields.qd' (did you mean 'runlog.fields.qid'?)"),
        std::string::npos)
        << e.what();
  }
}

// --- Real third-party logs through the shipped mappings ------------------------------------------------------------

struct TotFile {
  std::string file;
  std::string mapping;
  double published_per_sample;  // Tree of Thoughts, Table 2
  double published_best_of_100;
};

//! Completion tokens per puzzle from the cumulative counter, with restarts, computed here independently.
std::vector<double> tot_tokens_per_puzzle(const json& records, int& restarts) {
  std::vector<double> out;
  double last = 0.0;
  restarts = 0;
  for (const json& r : records) {
    const double c = r["usage_so_far"]["completion_tokens"].get<double>();
    if (c < last) ++restarts;
    out.push_back(c < last ? c : c - last);
    last = c;
  }
  return out;
}

TEST(RunLogTot, LoadsThroughTheShippedMappingsWithThePublishedNumbers) {
  for (const TotFile& t : {TotFile{TOT_COT, "tot-game24-cot.toml", 0.040, 0.49},
                           TotFile{TOT_IO, "tot-game24-standard.toml", 0.073, 0.33}}) {
    SCOPED_TRACE(t.mapping);
    RunLogOptions o;
    o.mapping = load_field_mapping(RUNLOGS + "/" + t.mapping);
    const RunLog log = read_runlog({t.file}, o);
    ASSERT_EQ(log.questions(), 100u);
    EXPECT_EQ(log.min_samples(), 100);
    EXPECT_EQ(log.qid.front(), "900");
    EXPECT_EQ(log.qid.back(), "999");
    EXPECT_EQ(log.report.malformed, 0);
    double correct = 0.0;
    int any = 0;
    for (std::size_t q = 0; q < log.questions(); ++q) {
      bool some = false;
      for (std::int64_t s = log.offset[q]; s < log.offset[q + 1]; ++s) {
        correct += log.correct[s];
        some = some || log.correct[s];
      }
      any += some ? 1 : 0;
    }
    // Per-sample accuracy and best of 100 ("any correct"), at the paper's one-decimal percent rounding.
    EXPECT_NEAR(correct / static_cast<double>(log.samples()), t.published_per_sample, 0.0005);
    EXPECT_DOUBLE_EQ(any / 100.0, t.published_best_of_100);
    // Tokens per puzzle from the cumulative counter.
    const json records = json::parse(read_text(t.file));
    int restarts = 0;
    const std::vector<double> expected = tot_tokens_per_puzzle(records, restarts);
    EXPECT_EQ(log.report.counter_restarts, restarts);
    for (std::size_t q = 0; q < log.questions(); ++q) {
      double sum = 0.0;
      for (std::int64_t s = log.offset[q]; s < log.offset[q + 1]; ++s) sum += log.tokens[s];
      EXPECT_NEAR(sum, expected[q], 1e-9 * expected[q]) << "puzzle " << log.qid[q];
      EXPECT_GT(sum, 0.0);
    }
  }
}

TEST(RunLogTot, CotCounterRestartsOnceAtIdx932) {
  RunLogOptions o;
  o.mapping = load_field_mapping(RUNLOGS + "/tot-game24-cot.toml");
  const RunLog log = read_runlog({TOT_COT}, o);
  EXPECT_EQ(log.report.counter_restarts, 1);
  const json records = json::parse(read_text(TOT_COT));
  EXPECT_EQ(records[32]["idx"].get<int>(), 932);
  double sum = 0.0;
  for (std::int64_t s = log.offset[32]; s < log.offset[33]; ++s) sum += log.tokens[s];
  const double expected = records[32]["usage_so_far"]["completion_tokens"].get<double>();
  EXPECT_NEAR(sum, expected, 1e-12 * expected);  // the counter's value itself: a restart from zero
}

TEST(RunLogTot, CotSelfConsistencyOver100SamplesIsThePublished9Percent) {
  // Majority over all 100 samples with exact-string votes on the text after "Answer:", abstentions ("None") and
  // outputs without an answer not voting, ties to the first seen answer (the smallest label).
  RunLogOptions o;
  o.mapping = load_field_mapping(RUNLOGS + "/tot-game24-cot.toml");
  const RunLog log = read_runlog({TOT_COT}, o);
  int right = 0, abstentions = 0;
  for (std::size_t q = 0; q < log.questions(); ++q) {
    std::map<std::int32_t, int> count;
    for (std::int64_t s = log.offset[q]; s < log.offset[q + 1]; ++s) {
      if (log.label[s] >= 0) ++count[log.label[s]];
      abstentions += log.label[s] < 0 ? 1 : 0;
    }
    if (count.empty()) continue;
    std::int32_t best = -1;
    int best_count = 0;
    for (const auto& [label, c] : count)  // ascending labels: the first seen wins ties
      if (c > best_count) best = label, best_count = c;
    bool ok = false;
    for (std::int64_t s = log.offset[q]; s < log.offset[q + 1]; ++s)
      ok = ok || (log.label[s] == best && log.correct[s]);
    right += ok ? 1 : 0;
  }
  EXPECT_EQ(right, 9);  // 9.0 %
  EXPECT_GT(abstentions, 0);
}

TEST(RunLogQwen, LoadsThroughTheShippedMapping) {
  RunLogOptions o;
  o.mapping = load_field_mapping(RUNLOGS + "/qwen25-math.toml");
  const RunLog log = read_runlog({QWEN}, o);
  ASSERT_EQ(log.questions(), 100u);
  EXPECT_EQ(log.min_samples(), 8);
  EXPECT_EQ(log.model, "Qwen2.5-Math");
  EXPECT_FALSE(log.has_tokens());
  const std::vector<json> records = read_jsonl(QWEN);
  int majority_right = 0;
  for (std::size_t q = 0; q < records.size(); ++q) {
    const json& r = records[q];
    EXPECT_EQ(log.qid[q], std::to_string(r["idx"].get<int>()));
    EXPECT_EQ(log.ground_truth[q], r["gt"].get<std::string>());
    std::map<std::string, std::int32_t> classes;  // exact-string classes in order of first appearance
    for (std::size_t j = 0; j < 8; ++j) {
      const std::size_t s = static_cast<std::size_t>(log.offset[q]) + j;
      EXPECT_EQ(log.correct[s], r["score"][j].get<bool>() ? 1 : 0);
      EXPECT_EQ(log.reward[s], r["pred_score"][j][0].get<double>());
      const auto [it, inserted] =
          classes.try_emplace(r["pred"][j].get<std::string>(), static_cast<std::int32_t>(classes.size()));
      EXPECT_EQ(log.label[s], it->second);
    }
    // The repository's maj@8: most common prediction, ties to the first seen, scored by its first sample.
    std::vector<int> count(classes.size(), 0);
    for (std::size_t j = 0; j < 8; ++j) ++count[static_cast<std::size_t>(log.label[log.offset[q] + j])];
    const auto best = static_cast<std::int32_t>(std::max_element(count.begin(), count.end()) - count.begin());
    for (std::size_t j = 0; j < 8; ++j)
      if (log.label[log.offset[q] + j] == best) {
        majority_right += log.correct[log.offset[q] + j];
        break;
      }
  }
  EXPECT_EQ(majority_right, 93);  // the script's maj@8 on this file: 93.0
}

}  // namespace
}  // namespace ttcg
