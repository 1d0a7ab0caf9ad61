// The inputs of `ttcgames collect`: questions through their mappings (inference/questions.hpp), prompt templates,
// the settings file and the checks run before any request (inference/collect.hpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "scratch_dir.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/collect.hpp"
#include "ttcgames/inference/questions.hpp"

namespace {

namespace fs = std::filesystem;
using ttcg::InputError;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

class CollectInputs : public ttcg::test::ScratchDirTest {
 protected:
  //! Settings that pass every check.
  ttcg::CollectSettings valid() const {
    ttcg::CollectSettings s;
    s.endpoints = {"http://127.0.0.1:8000/v1"};
    s.model = "org/Model-7B";
    s.questions = write("q.jsonl", R"({"question": "1+1?", "answer": "#### 2"})"
                                   "\n");
    s.samples = 4;
    s.output = (dir_ / "out.jsonl").string();
    return s;
  }
};

TEST_F(CollectInputs, ReadsGsm8kQuestionsWithTheDefaultPrompt) {
  const std::string file =
      write("gsm8k.jsonl", R"({"question": "Tom has 3 apples and buys 4. How many?", "answer": "3+4=7\n#### 7"})"
                           "\n\n"
                           R"({"question": "Half of 1,000?", "answer": "It is 500.\n#### 500"})"
                           "\n");
  const auto q = ttcg::read_questions(file, ttcg::gsm8k_question_mapping(), ttcg::PromptTemplate());
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].qid, "q0000");
  EXPECT_EQ(q[1].qid, "q0001");
  EXPECT_EQ(q[1].line, 3);
  EXPECT_EQ(q[0].gold, "7");
  EXPECT_EQ(q[1].gold, "500");
  EXPECT_EQ(q[0].prompt,
            "Tom has 3 apples and buys 4. How many?\nPlease reason step by step, and put your final answer within "
            "\\boxed{}.");
}

TEST_F(CollectInputs, MappingsNameFieldsGoldRulesAndAnswerRules) {
  const std::string mapping = write("gpqa.toml", R"(
format = "ttcgames-question-mapping"
version = 1
[fields]
qid = "id"
question = "problem.text"
answer = "solution"
[gold]
rule = "pattern"
pattern = 'correct: ([A-D])'
[answers]
rule = "multiple-choice"
)");
  const ttcg::QuestionMapping m = ttcg::load_question_mapping(mapping);
  EXPECT_EQ(m.answers.rule, ttcg::AnswerRule::multiple_choice);
  const std::string file = write(
      "gpqa.jsonl", R"({"id": 17, "problem": {"text": "Pick one"}, "choices": ["x", "y"], "solution": "correct: C"})"
                    "\n");
  const ttcg::PromptTemplate prompt("{{question}} A) {{choices[0]}} B) {{ choices[1] }}\nAnswer: $LETTER");
  const auto q = ttcg::read_questions(file, m, prompt);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].qid, "17");
  EXPECT_EQ(q[0].gold, "C");
  EXPECT_EQ(q[0].prompt, "Pick one A) x B) y\nAnswer: $LETTER");

  ttcg::QuestionMapping boxed = ttcg::gsm8k_question_mapping();
  boxed.gold = ttcg::GoldRule::boxed;
  EXPECT_EQ(ttcg::gold_answer("so \\boxed{\\frac{1}{2}} done", boxed), "\\frac{1}{2}");
  EXPECT_FALSE(ttcg::gold_answer("no box", boxed));
  boxed.gold = ttcg::GoldRule::whole;
  EXPECT_EQ(ttcg::gold_answer("  42 ", boxed), "42");
  EXPECT_EQ(ttcg::gold_answer("a #### 1 #### 2", ttcg::gsm8k_question_mapping()), "2");
}

TEST_F(CollectInputs, BadQuestionsNameFileAndLine) {
  const auto read = [&](const std::string& text) {
    const std::string file = write("bad.jsonl", text);
    return message_of([&] { ttcg::read_questions(file, ttcg::gsm8k_question_mapping(), ttcg::PromptTemplate()); });
  };
  EXPECT_NE(read("{\"question\": \"a\", \"answer\": \"#### 1\"}\n{oops}\n").find("bad.jsonl:2: not valid JSON"),
            std::string::npos);
  EXPECT_NE(read("{\"question\": \"a\"}\n").find("bad.jsonl:1: field 'answer' (answer): no key 'answer'"),
            std::string::npos);
  EXPECT_NE(read("{\"question\": \" \", \"answer\": \"#### 1\"}\n").find("(question) is empty"), std::string::npos);
  EXPECT_NE(read("{\"question\": \"a\", \"answer\": \"#### \"}\n").find("no gold answer"), std::string::npos);
  EXPECT_NE(read("").find("no questions"), std::string::npos);
  const std::string dup = write("dup.jsonl",
                                "{\"id\": 1, \"question\": \"a\", \"answer\": 1}\n"
                                "{\"id\": 1, \"question\": \"b\", \"answer\": 2}\n");
  ttcg::QuestionMapping m = ttcg::gsm8k_question_mapping();
  m.qid = ttcg::parse_json_path("id", {});
  EXPECT_NE(message_of([&] {
              ttcg::read_questions(dup, m, ttcg::PromptTemplate());
            }).find("dup.jsonl:2: duplicate question id '1' (first at " + dup + ":1)"),
            std::string::npos);
  const ttcg::PromptTemplate needs_field("{{question}} {{hint}}");
  EXPECT_NE(message_of([&] { ttcg::read_questions(dup, m, needs_field); }).find("field 'hint'"), std::string::npos);
}

TEST_F(CollectInputs, BadTemplatesAndMappingsAreInputErrors) {
  EXPECT_NE(message_of([] { ttcg::PromptTemplate("{{question"); }).find("not closed"), std::string::npos);
  EXPECT_NE(message_of([] { ttcg::PromptTemplate("{{}}"); }).find("empty placeholder"), std::string::npos);
  EXPECT_NE(message_of([] { ttcg::PromptTemplate("{{a[*]}}"); }).find("[*]"), std::string::npos);
  EXPECT_NO_THROW(ttcg::PromptTemplate("\\boxed{} and {single}"));
  const std::string typo = write("typo.toml",
                                 "format = \"ttcgames-question-mapping\"\nversion = 1\n"
                                 "[fields]\nquestoin = \"q\"\n");
  EXPECT_NE(message_of([&] { ttcg::load_question_mapping(typo); }).find("did you mean 'fields.question'"),
            std::string::npos);
  const std::string runlog = write("runlog.toml", "format = \"ttcgames-runlog-mapping\"\nversion = 1\n");
  EXPECT_NE(message_of([&] { ttcg::load_question_mapping(runlog); }).find("expected \"ttcgames-question-mapping\""),
            std::string::npos);
  const std::string regex = write("regex.toml",
                                  "format = \"ttcgames-question-mapping\"\nversion = 1\n"
                                  "[gold]\nrule = \"pattern\"\npattern = '(['\n");
  EXPECT_NE(message_of([&] { ttcg::load_question_mapping(regex); }).find("regex.toml:5"), std::string::npos);
}

TEST_F(CollectInputs, SettingsFileIsReadAndCheckedWithLocations) {
  write("q.jsonl", R"({"question": "1+1?", "answer": "#### 2"})"
                   "\n");
  const std::string file = write("collect.toml", R"(
format = "ttcgames-collect"
version = 1
endpoints = ["http://node1:8000/v1", "http://node2:8000/v1"]
model = "Qwen/Qwen2.5-7B-Instruct"
questions = "q.jsonl"
samples = 16
output = "runs/qwen.jsonl"
[sampling]
api = "completions"
temperature = 0.6
max_tokens = 1024
seed = 5
extra_body = { top_k = 20 }
[prompt]
template = "Q: {{question}}\nA:"
[client]
concurrency = 64
max_attempts = 4
backoff_base = 0.1
)");
  ttcg::CollectSettings s;
  ttcg::load_collect_settings(file, s);
  EXPECT_EQ(s.endpoints.size(), 2u);
  EXPECT_EQ(s.questions, (dir_ / "q.jsonl").string());
  EXPECT_EQ(s.output, (dir_ / "runs/qwen.jsonl").string());
  EXPECT_EQ(s.sampling.api, ttcg::Api::completions);
  EXPECT_EQ(s.sampling.seed, 5);
  EXPECT_EQ(nlohmann::json::parse(s.sampling.extra_body)["top_k"], 20);
  EXPECT_EQ(s.concurrency, 64);
  ttcg::finalize_collect_settings(s);
  EXPECT_EQ(s.model_name, "Qwen2.5-7B-Instruct");
  EXPECT_EQ(s.sampling.model, "Qwen/Qwen2.5-7B-Instruct");

  const auto load = [&](const std::string& text) {
    const std::string bad = write("bad.toml", "format = \"ttcgames-collect\"\nversion = 1\n" + text);
    return message_of([&] {
      ttcg::CollectSettings t;
      ttcg::load_collect_settings(bad, t);
    });
  };
  EXPECT_NE(load("samples = 0\n").find("bad.toml:3:11: 'samples' is 0; valid: 1 to 100000"), std::string::npos);
  EXPECT_NE(load("[sampling]\ntemperature = 3.5\n").find("'sampling.temperature' is 3.5; valid: [0, 2]"),
            std::string::npos);
  EXPECT_NE(load("[client]\nconcurrency = 0\n").find("valid: 1 to 4096"), std::string::npos);
  EXPECT_NE(load("[client]\ntimeout = 0\n").find("valid: (0, 86400]"), std::string::npos);
  EXPECT_NE(load("endpoints = [\"ftp://x\"]\n").find("bad.toml:3"), std::string::npos);
  EXPECT_NE(load("[sampling]\nextra_body = { n = 2 }\n").find("key 'n'"), std::string::npos);
  EXPECT_NE(load("[client]\nconcurency = 2\n").find("did you mean 'client.concurrency'"), std::string::npos);
  EXPECT_NE(load("[prompt]\ntemplate = \"{{question\"\n").find("bad.toml:4"), std::string::npos);
}

TEST_F(CollectInputs, FinalChecksNameTheOptionAndItsRange) {
  const auto check = [&](const std::function<void(ttcg::CollectSettings&)>& change) {
    ttcg::CollectSettings s = valid();
    change(s);
    return message_of([&] { ttcg::finalize_collect_settings(s); });
  };
  EXPECT_EQ(check([](auto&) {}), "(no error)");
  EXPECT_NE(check([](auto& s) { s.endpoints.clear(); }).find("no endpoint"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.endpoints = {"localhost"}; }).find("--endpoint 'localhost'"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.model.clear(); }).find("no model"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.samples = 0; }).find("--samples N"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.samples = 200000; }).find("--samples 200000: out of range; valid: 1 to 100000"),
            std::string::npos);
  EXPECT_NE(check([](auto& s) { s.sampling.top_p = 0.0; }).find("--top-p 0: out of range; valid: (0, 1]"),
            std::string::npos);
  EXPECT_NE(check([](auto& s) { s.sampling.max_tokens = 0; }).find("--max-tokens 0"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.concurrency = 5000; }).find("valid: 1 to 4096"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.max_attempts = 0; }).find("--max-attempts 0"), std::string::npos);
  EXPECT_NE(check([](auto& s) {
              s.backoff = {2.0, 1.0};
            }).find("--backoff-max 1: out of range; valid: [2, 86400]"),
            std::string::npos);
  EXPECT_NE(check([](auto& s) { s.api_key_env = "TTCG_SURELY_UNSET_VARIABLE"; }).find("is not set"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.questions += ".missing"; }).find("no such file"), std::string::npos);
  EXPECT_NE(check([](auto& s) { s.output = s.questions; }).find("is the --questions file"), std::string::npos);
  EXPECT_NE(check([&](auto& s) { s.output = (dir_ / "." / "q.jsonl").string(); }).find("is the --questions file"),
            std::string::npos);
  write("out.jsonl", "");
  EXPECT_NE(check([](auto&) {}).find("exists; continue it with --resume"), std::string::npos);
  EXPECT_EQ(check([](auto& s) { s.resume = true; }), "(no error)");
  ttcg::CollectSettings s = valid();
  s.output.clear();
  s.sampling.temperature = 0.7;
  s.sampling.max_tokens = 512;
  ttcg::finalize_collect_settings(s);
  EXPECT_EQ(s.output, "Model-7B--temp-0.7--samples-4--max-512.jsonl");
}

TEST_F(CollectInputs, ShippedMappingsAndSettingsLoad) {
  const std::string dir = std::string(TTCG_INPUTS_DIR) + "/collect/";
  const ttcg::QuestionMapping gsm8k = ttcg::load_question_mapping(dir + "gsm8k.toml");
  EXPECT_EQ(gsm8k.question.text, "question");
  EXPECT_EQ(gsm8k.gold, ttcg::GoldRule::marker);
  EXPECT_FALSE(gsm8k.qid);
  const ttcg::QuestionMapping math = ttcg::load_question_mapping(dir + "math.toml");
  EXPECT_EQ(math.gold, ttcg::GoldRule::boxed);
  const std::string file =
      write("math.jsonl", R"({"problem": "Half of one?", "solution": "It is \\boxed{\\frac{1}{2}}.",)"
                          R"( "unique_id": "test/algebra/1.json"})"
                          "\n");
  const auto q = ttcg::read_questions(file, math, ttcg::PromptTemplate());
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].qid, "test/algebra/1.json");
  EXPECT_EQ(q[0].gold, "\\frac{1}{2}");
  ttcg::CollectSettings s;
  ttcg::load_collect_settings(dir + "example.toml", s);
  EXPECT_EQ(s.samples, 128);
  EXPECT_EQ(s.concurrency, 64);
  EXPECT_EQ(s.mapping, dir + "gsm8k.toml");
  EXPECT_EQ(s.prompt_template, ttcg::DEFAULT_PROMPT_TEMPLATE);
}

TEST_F(CollectInputs, CompanionMappingReadsTheOutputWithItsAnswerRule) {
  ttcg::QuestionMapping m = ttcg::gsm8k_question_mapping();
  m.answers.rule = ttcg::AnswerRule::multiple_choice;
  m.answers.choices = "ABCDE";
  const std::string file = write("companion.toml", ttcg::runlog_mapping_for(m));
  const ttcg::FieldMapping f = ttcg::load_field_mapping(file);
  EXPECT_EQ(f.answers.rule, ttcg::AnswerRule::multiple_choice);
  EXPECT_EQ(f.answers.choices, "ABCDE");
  EXPECT_EQ(f.tokens->text, "num_tokens");
  EXPECT_FALSE(f.explanations);
}

}  // namespace
