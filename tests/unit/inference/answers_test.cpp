// Answer extraction and comparison (answers.hpp): tables of cases for the reference rules (boxed/fbox nesting,
// fallback number, thousands separators, decimals, fractions, percent, currency), the numeric tolerance, the
// explanation strings of the reference verifiers, multiple choice, a custom pattern with an abstention token, and
// the two vote rules.
#include "ttcgames/inference/answers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"

namespace ttcg {
namespace {

struct BoxCase {
  std::string text;
  std::optional<std::string> content;
};

TEST(Answers, LastBoxedContentMatchesBraces) {
  const std::vector<BoxCase> cases = {
      {"so \\boxed{42}.", "42"},
      {"\\boxed{1} then \\boxed{2}", "2"},
      {"\\fbox{7}", "7"},
      {"\\boxed{3} and \\fbox{ 9 }", "9"},
      {"\\boxed {5}", "5"},                       // whitespace before the brace
      {"\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"},  // nested braces
      {"\\boxed{a{b{c}}d}", "a{b{c}}d"},
      {"\\boxed{12} \\boxed{unclosed", std::nullopt},  // the last box is unclosed: no box
      {"no box here 12", std::nullopt},
      {"\\boxed12", std::nullopt},
  };
  for (const auto& c : cases) {
    const auto got = last_boxed_content(c.text);
    ASSERT_EQ(got.has_value(), c.content.has_value()) << c.text;
    if (got) {
      EXPECT_EQ(std::string(*got), *c.content) << c.text;
    }
  }
}

TEST(Answers, LastNumberTokenFollowsTheReferenceTokenizer) {
  const std::vector<BoxCase> cases = {
      {"Final answer: 17", "17"},
      {"1 then 2 then 3.", "3"},  // a '.' without digits after is not part of the number
      {"costs $1,234.50 in total", "$1,234.50"},
      {"about -3.5 degrees", "-3.5"},
      {"it is 3 1/2 cups", "3 1/2"},
      {"rate 45 %", "45 %"},
      {"(12)", "(12)"},
      {"[7]", "[7]"},
      {"1234,567", "567"},  // not a thousands group: two numbers
      {"1,2345", "5"},      // "1,234" then "5"
      {"no digits", std::nullopt},
  };
  for (const auto& c : cases) {
    const auto got = last_number_token(c.text);
    ASSERT_EQ(got.has_value(), c.content.has_value()) << c.text;
    if (got) {
      EXPECT_EQ(std::string(*got), *c.content) << c.text;
    }
  }
}

struct NumberCase {
  std::string text;
  std::optional<double> value;
};

TEST(Answers, ParseNumberReadsTheReferenceForms) {
  const std::vector<NumberCase> cases = {
      {"42", 42.0},
      {" 42 ", 42.0},
      {"230.0", 230.0},
      {"1,234", 1234.0},
      {"1,234,567.25", 1234567.25},
      {"$1,000", 1000.0},
      {"\u20ac12", 12.0},
      {"\u00a35.5", 5.5},
      {"\u20b9100", 100.0},
      {"-7", -7.0},
      {"- 7", -7.0},
      {"50%", 0.5},
      {"12.5 %", 0.125},
      {"-50%", -0.5},
      {"3/4", 0.75},
      {"3 1/2", 3.5},
      {"1/0", std::nullopt},
      {"2 1/0", 2.0},
      {"(12)", 12.0},
      {"[0.5]", 0.5},
      {"1e3", 1000.0},
      {"1_000", 1000.0},
      {".5", 0.5},
      {"5.", 5.0},
      {"+3", 3.0},
      {"x=5", std::nullopt},
      {"\\frac{1}{2}", std::nullopt},
      {"", std::nullopt},
      {"abc", std::nullopt},
      {"1__0", std::nullopt},
  };
  for (const auto& c : cases) {
    const auto got = parse_number(c.text);
    ASSERT_EQ(got.has_value(), c.value.has_value()) << "'" << c.text << "'";
    if (got) {
      EXPECT_DOUBLE_EQ(*got, *c.value) << "'" << c.text << "'";
    }
  }
  EXPECT_TRUE(std::isinf(*parse_number("1e999")));
}

TEST(Answers, NumericToleranceIsRelativeToTheTruthAboveOne) {
  constexpr double TOL = DEFAULT_ANSWER_TOLERANCE;
  EXPECT_TRUE(numbers_match(100.0009, 100.0, TOL));   // 9e-4 <= 1e-5 * 100
  EXPECT_FALSE(numbers_match(100.0011, 100.0, TOL));  // 1.1e-3 > 1e-3
  EXPECT_TRUE(numbers_match(0.000009, 0.0, TOL));     // max(1, |truth|) = 1
  EXPECT_FALSE(numbers_match(0.000011, 0.0, TOL));
  EXPECT_TRUE(numbers_match(-5.00004, -5.0, TOL));
}

struct TextCase {
  std::string text;
  std::string truth;
  std::optional<std::string> raw;
  bool correct;
};

TEST(Answers, BoxedNumberRuleExtractsAndCompares) {
  const AnswerExtractor x;
  const std::vector<TextCase> cases = {
      {"Working... Therefore \\boxed{230.0}", "230", "230.0", true},
      {"\\fbox{230}", "230", "230", true},
      {"Final answer: 1,234", "1234", "1,234", true},
      {"\\boxed{x} so the answer is 12", "12", "12", true},  // a box without a digit falls back to the last number
      {"\\boxed{\\frac{3}{4}} hmm 7", "0.75", "\\frac{3}{4}", false},  // a box with digits is kept, not numeric
      {"\\boxed{50\\%}", "0.5", "50\\%", false},
      {"The answer is \\boxed{50%}.", "0.5", "50%", true},
      {"I cannot tell.", "3", std::nullopt, false},
      {"\\boxed{abc}", "abc", std::nullopt, false},  // no digit in the box and none in the text
      {"\\boxed{100.0009}", "100", "100.0009", true},
  };
  for (const auto& c : cases) {
    const Answer a = x.from_text(c.text);
    ASSERT_EQ(a.raw.has_value(), c.raw.has_value()) << c.text;
    if (a.raw) {
      EXPECT_EQ(*a.raw, *c.raw) << c.text;
    }
    EXPECT_EQ(x.is_correct(a, c.truth), c.correct) << c.text;
  }
}

TEST(Answers, StringComparisonWhenNotNumeric) {
  const AnswerExtractor x;
  const Answer a = x.from_text("\\boxed{\\frac{1}{2}}");
  EXPECT_FALSE(a.value.has_value());
  EXPECT_TRUE(x.is_correct(a, " \\frac{1}{2} "));
  EXPECT_FALSE(x.vote_key(a).has_value());  // the reference votes with the parsed value: none here
}

TEST(Answers, ExplanationsOfTheReferenceVerifiers) {
  const AnswerExtractor x;
  struct Case {
    std::string explanation;
    std::optional<std::string> raw;
  };
  const std::vector<Case> cases = {
      {"boxed='230.0'; numeric compare: pred=230.0 truth=460.0 tol=1e-05; truth='460'", "230.0"},
      {"extracted='1,234'; numeric compare: pred=1234.0 truth=1234.0 tol=1e-05; truth='1234'", "1,234"},
      {"no numeric content found; truth='284'", std::nullopt},
      {"boxed='x=5'; string compare: pred='x=5' truth='5'; truth='5'", "x=5"},
      {"boxed=' 7 '; numeric compare: ...", "7"},
      {"boxed=''; string compare", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    const Answer a = x.from_explanation(c.explanation);
    ASSERT_EQ(a.raw.has_value(), c.raw.has_value()) << c.explanation;
    if (a.raw) {
      EXPECT_EQ(*a.raw, *c.raw) << c.explanation;
    }
  }
  // The voting key is the parsed value: "230.0" and "230" agree, "x=5" does not vote.
  EXPECT_EQ(x.vote_key(x.from_explanation("boxed='230.0'; n")), x.vote_key(x.from_explanation("extracted='230'; n")));
  EXPECT_FALSE(x.vote_key(x.from_explanation("boxed='x=5'; string compare")).has_value());
}

TEST(Answers, MultipleChoiceTakesTheLastAnswerLetter) {
  AnswerOptions o;
  o.rule = AnswerRule::multiple_choice;
  const AnswerExtractor x(o);
  const std::vector<TextCase> cases = {
      {"Answer: B", "B", "B", true},
      {"answer : c", "C", "C", true},
      {"Answer: $D$", "d", "D", true},
      {"Answer: A ... on reflection Answer: C", "C", "C", true},
      {"Answer: E", "E", std::nullopt, false},  // not among the choices ABCD
      {"The answer is B", "B", std::nullopt, false},
  };
  for (const auto& c : cases) {
    const Answer a = x.from_text(c.text);
    ASSERT_EQ(a.raw.has_value(), c.raw.has_value()) << c.text;
    if (a.raw) {
      EXPECT_EQ(*a.raw, *c.raw) << c.text;
    }
    EXPECT_EQ(x.is_correct(a, c.truth), c.correct) << c.text;
  }
  EXPECT_EQ(*x.from_explanation("parsed='c'; truth='B'").raw, "C");
  EXPECT_FALSE(x.from_explanation("no Answer: <LETTER> found; truth='B'").raw.has_value());
}

TEST(Answers, CustomPatternWithAbstention) {
  AnswerOptions o;
  o.rule = AnswerRule::pattern;
  o.pattern = R"(Answer:\s*(.*))";
  o.abstain = "None";
  o.vote = VoteRule::exact_string;
  const AnswerExtractor x(o);
  EXPECT_EQ(*x.from_text("Steps:\n1 + 1 = 2\nAnswer: (6 - 4) * 12 = 24").raw, "(6 - 4) * 12 = 24");
  EXPECT_FALSE(x.from_text("Steps...\nAnswer: None").raw.has_value());  // abstains
  EXPECT_FALSE(x.from_text("Answer:   None  ").raw.has_value());        // trimmed before the comparison
  EXPECT_FALSE(x.from_text("There is no solution.").raw.has_value());   // no match: no answer
  EXPECT_EQ(*x.from_text("Answer: 1\nAnswer: 2").raw, "2");             // the last match
  EXPECT_FALSE(x.vote_key(x.from_text("Answer: None")).has_value());
  // Exact-string votes: different spellings are different classes.
  EXPECT_NE(x.vote_key(x.from_text("Answer: 4*6")), x.vote_key(x.from_text("Answer: 4 * 6")));
  // A pattern without a group uses the whole match; numeric comparison when both sides parse.
  AnswerOptions whole;
  whole.rule = AnswerRule::pattern;
  whole.pattern = R"(\d+(\.\d+)?(?=\s*$))";
  const AnswerExtractor y(whole);
  const Answer a = y.from_text("so it is 24.0");
  EXPECT_EQ(*a.raw, ".0");  // group 1 when the pattern has one and it matched
  AnswerOptions nogroup;
  nogroup.rule = AnswerRule::pattern;
  nogroup.pattern = R"(\d+\s*$)";
  const AnswerExtractor z(nogroup);
  EXPECT_EQ(*z.from_text("value 24").raw, "24");
  EXPECT_TRUE(z.is_correct(z.from_text("value 24"), "24.000001"));
}

TEST(Answers, BadPatternIsAnInputError) {
  AnswerOptions o;
  o.rule = AnswerRule::pattern;
  o.pattern = "Answer: (";
  EXPECT_THROW(AnswerExtractor{o}, InputError);
  o.pattern = "";
  EXPECT_THROW(AnswerExtractor{o}, InputError);
}

TEST(Answers, VoteRulesAndLabelsInOrderOfFirstAppearance) {
  AnswerOptions parsed;
  const AnswerExtractor p(parsed);
  AnswerOptions exact;
  exact.vote = VoteRule::exact_string;
  const AnswerExtractor e(exact);
  const std::vector<std::string> preds = {"230", "230.0", "29", "", "230"};
  AnswerLabeler lp, le;
  std::vector<int> by_value, by_string;
  for (const auto& s : preds) {
    by_value.push_back(lp.label(p.vote_key(p.from_parsed(s))));
    by_string.push_back(le.label(e.vote_key(e.from_parsed(s))));
  }
  EXPECT_EQ(by_value, (std::vector<int>{0, 0, 1, -1, 0}));  // str(float): 230 == 230.0; "" has no value
  EXPECT_EQ(by_string, (std::vector<int>{0, 1, 2, 3, 0}));  // exact strings; "" is an answer too
  lp.reset();
  EXPECT_EQ(lp.label(p.vote_key(p.from_parsed("29"))), 0);
}

}  // namespace
}  // namespace ttcg
