#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/run/results.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "ttcgames/core/error.hpp"

namespace fs = std::filesystem;

namespace ttcg {
namespace {

QuestionTable small_table(const std::string& model) {
  QuestionTable t;
  t.model = model;
  t.method = "majority";
  t.theta = {1, 4};
  t.qid = {"q0", "q1", "q2"};
  t.p_correct = {0.1, 0.2, 0.5, 0.6, 1.0, 1.0};
  t.tokens = {10, 40, 20, 80, 30, 120};
  return t;
}

TEST(QuestionTable, MeansOverQuestionsAreTheCurves) {
  const QuestionTable t = small_table("m");
  const auto a = t.mean_accuracy(), x = t.mean_tokens();
  EXPECT_DOUBLE_EQ(a[0], 1.6 / 3.0);
  EXPECT_DOUBLE_EQ(a[1], 1.8 / 3.0);
  EXPECT_DOUBLE_EQ(x[0], 20.0);
  EXPECT_DOUBLE_EQ(x[1], 80.0);
}

TEST(QuestionTable, ValidationNamesTheProblem) {
  QuestionTable t = small_table("m");
  t.validate("here");
  t.p_correct[3] = 1.5;
  EXPECT_THROW(
      {
        try {
          t.validate("here");
        } catch (const InputError& e) {
          EXPECT_NE(std::string(e.what()).find("question 'q1' at level 1"), std::string::npos) << e.what();
          throw;
        }
      },
      InputError);
  t = small_table("m");
  t.qid[2] = "q0";
  EXPECT_THROW(t.validate("here"), InputError);
  t = small_table("m");
  t.tokens.pop_back();
  EXPECT_THROW(t.validate("here"), InputError);
  t = small_table("m");
  t.tokens[0] = -1.0;
  EXPECT_THROW(t.validate("here"), InputError);
}

TEST(QuestionTable, Hdf5RoundTripUnderTheCurvesLayout) {
  const fs::path path = fs::temp_directory_path() / ("ttcg_qt_" + std::to_string(::getpid()) + ".h5");
  {
    h5::File f = h5::File::create(path.string());
    h5::Group root = f.root();
    write_root_attributes(root, RunInfo{}, 0, "");  // a curves file starts with them
    for (const char* model : {"B-model", "A-model"}) {
      h5::Group g = root.create_group(std::string("curves/synth/majority/questions/") + model);
      write_question_table(g, small_table(model));
    }
  }
  const auto tables = read_question_tables(path.string(), "synth", "majority");
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].model, "A-model");
  EXPECT_EQ(tables[1].model, "B-model");
  const QuestionTable expected = small_table("A-model");
  EXPECT_EQ(tables[0].qid, expected.qid);
  EXPECT_EQ(tables[0].theta, expected.theta);
  EXPECT_EQ(tables[0].p_correct, expected.p_correct);
  EXPECT_EQ(tables[0].tokens, expected.tokens);
  EXPECT_THROW(read_question_tables(path.string(), "synth", "best-of-n"), InputError);
  fs::remove(path);
}

}  // namespace
}  // namespace ttcg
