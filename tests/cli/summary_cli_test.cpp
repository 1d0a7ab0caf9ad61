// End-to-end tests of `ttcgames summary --format table|csv|json` for every kind of result file (markets with their
// auctions, populations, ensembles, curves), of files of format version 1 (tests/data/v1) and 2, of the Student-t
// intervals and of non-converged replicates being left out of the statistics and counted.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_support.hpp"
#include "ttcgames/core/student_t.hpp"

namespace {

using Json = nlohmann::json;
using ttcg::test::CliResult;
using ttcg::test::expect_contains;
using ttcg::test::quote;
using ttcg::test::read_text;

const std::string TINY = std::string(TTCG_TEST_DATA_DIR) + "/tiny-everything.toml";
const std::string V1 = std::string(TTCG_TEST_DATA_DIR) + "/v1/tiny-everything-v1.h5";
const std::string CURVES = std::string(TTCG_TEST_DATA_DIR) + "/golden/curves-permutations.h5";
// The interval's half-width against t_{0.975,n-1}·standard_error, both printed to 17 digits.
constexpr double INTERVAL_TOLERANCE = 1e-12;  // relative

//! A CSV section as columns: header name → values (no quoted commas in these tables' numbers).
using Columns = std::map<std::string, std::vector<std::string>>;
std::vector<Columns> parse_csv(const std::string& text) {
  std::vector<Columns> sections;
  std::vector<std::string> header;
  std::istringstream in(text);
  std::string line;
  const auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (const char c : l) {
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted)
        cells.push_back(std::move(cell)), cell.clear();
      else
        cell += c;
    }
    cells.push_back(cell);
    return cells;
  };
  while (std::getline(in, line)) {
    if (line.empty()) {
      header.clear();
      continue;
    }
    const std::vector<std::string> cells = split(line);
    if (header.empty()) {
      header = cells;
      sections.emplace_back();
      for (const std::string& h : header) sections.back()[h];
      continue;
    }
    EXPECT_EQ(cells.size(), header.size()) << line;
    for (std::size_t c = 0; c < header.size() && c < cells.size(); ++c) sections.back()[header[c]].push_back(cells[c]);
  }
  return sections;
}

//! Every statistic row of a JSON array: its interval is Student t around the mean (or absent below two values).
void expect_student_t(const Json& rows) {
  ASSERT_TRUE(rows.is_array());
  for (const Json& r : rows) {
    const std::int64_t n = r.at("count").get<std::int64_t>();
    if (n < 2) {
      EXPECT_TRUE(r.at("ci95_low").is_null()) << r.dump();
      continue;
    }
    if (r.at("standard_error").is_null()) continue;
    const double half = r.at("ci95_high").get<double>() - r.at("mean").get<double>();
    const double expected =
        ttcg::student_t_quantile(0.975, static_cast<double>(n - 1)) * r.at("standard_error").get<double>();
    EXPECT_NEAR(half, expected, INTERVAL_TOLERANCE * std::abs(expected) + 1e-300) << r.dump();
  }
}

class SummaryCli : public ttcg::test::CliTest {
 protected:
  //! The tiny scenario's file (market at two betas, auction, ensemble of 30, population of 2 replicates).
  std::string tiny_file() {
    const CliResult r = cli("run " + quote(TINY) + " -o tiny.h5 -q --threads 2");
    EXPECT_EQ(r.code, 0) << r.err;
    return in_work("tiny.h5");
  }
  Json json(const std::string& file, const std::string& kind = "") {
    const CliResult r = cli("summary " + quote(file) + " --format json" + (kind.empty() ? "" : " --kind " + kind));
    EXPECT_EQ(r.code, 0) << r.err;
    return Json::parse(r.out);
  }
  std::vector<Columns> csv(const std::string& file, const std::string& kind = "") {
    const CliResult r = cli("summary " + quote(file) + " --format csv" + (kind.empty() ? "" : " --kind " + kind));
    EXPECT_EQ(r.code, 0) << r.err;
    return parse_csv(r.out);
  }
};

TEST_F(SummaryCli, MarketsOneRowPerScenarioAndBeta) {
  const std::string file = tiny_file();
  const Json doc = json(file, "markets");
  EXPECT_EQ(doc.at("format_version"), 2);
  ASSERT_EQ(doc.at("markets").size(), 2u);
  const Json& row = doc["markets"][0];
  EXPECT_EQ(row.at("scenario"), "tiny-everything");
  EXPECT_EQ(row.at("beta"), 200.0);
  EXPECT_EQ(row.at("equilibrium_theta").size(), 3u);
  EXPECT_NEAR(row.at("price_of_anarchy").get<double>(),
              row.at("optimal_welfare").get<double>() / row.at("equilibrium_welfare").get<double>(), 1e-12);
  EXPECT_EQ(row.at("auction_winner"), "Qwen2.5-7B");
  const std::vector<Columns> sections = csv(file, "markets");
  ASSERT_EQ(sections.size(), 1u);
  const Columns& c = sections[0];
  ASSERT_EQ(c.at("beta").size(), 2u);
  EXPECT_EQ(c.at("beta")[1], "1000");
  EXPECT_EQ(std::stod(c.at("price_of_anarchy")[0]), row.at("price_of_anarchy").get<double>());
  EXPECT_EQ(c.at("equilibrium_theta")[0], "64;64;64");
  const CliResult table = cli("summary " + quote(file) + " --kind markets");
  expect_contains(table.out, {"PoA", "equilibrium theta", "(64,64,64)", "Legend", "1/USD"});
}

TEST_F(SummaryCli, PopulationsAndEnsemblesOneRowPerStatisticWithStudentTIntervals) {
  const std::string file = tiny_file();
  const Json doc = json(file);
  for (const char* kind : {"markets", "populations", "ensembles"}) EXPECT_TRUE(doc.contains(kind)) << kind;
  EXPECT_FALSE(doc.contains("curves"));
  const Json& pop = doc.at("populations");
  expect_student_t(pop);
  std::map<std::string, int> groups;
  for (const Json& r : pop) ++groups[r.at("group").get<std::string>()];
  EXPECT_EQ(groups["replicates"], 9);
  EXPECT_EQ(groups["market"], 7);
  EXPECT_EQ(groups["auction"], 7);
  EXPECT_EQ(groups["first_best"], 1);
  for (const Json& r : pop) {
    EXPECT_EQ(r.at("converged"), 2);
    EXPECT_EQ(r.at("non_converged"), 0);
  }
  const Json& ens = doc.at("ensembles");
  ASSERT_EQ(ens.size(), 9u);
  expect_student_t(ens);
  EXPECT_EQ(ens[0].at("quantity"), "inefficiency_percent");
  EXPECT_EQ(ens[0].at("units"), "percent");
  EXPECT_EQ(ens[0].at("count"), 30);
  // Two replicates: t_{0.975,1} = 12.7, six and a half times the normal 1.96.
  for (const Json& r : pop)
    if (r.at("group") == "replicates" && r.at("quantity") == "equilibrium_welfare")
      EXPECT_NEAR((r.at("ci95_high").get<double>() - r.at("mean").get<double>()) / r.at("standard_error").get<double>(),
                  12.706204736, 1e-8);
  const std::vector<Columns> sections = csv(file);
  ASSERT_EQ(sections.size(), 3u);  // markets, populations, ensembles
  EXPECT_EQ(sections[1].at("kind").size(), pop.size());
  EXPECT_EQ(sections[2].at("quantity").size(), 9u);
  EXPECT_EQ(sections[2].at("converged")[0], "30");
  const CliResult table = cli("summary " + quote(file));
  expect_contains(table.out, {"Replicates: converged 2 of 2", "Student-t", "converged 30, non-converged 0", "Legend",
                              "PoA = SW*/SW"});
}

TEST_F(SummaryCli, CurvesOneRowPerModelAndTheta) {
  const Json doc = json(CURVES);
  ASSERT_TRUE(doc.contains("curves"));
  const Json& rows = doc["curves"];
  ASSERT_FALSE(rows.empty());
  for (const Json& r : rows) {
    for (const char* k : {"dataset", "method", "model", "theta", "accuracy", "tokens", "questions"})
      EXPECT_TRUE(r.contains(k)) << k;
    if (!r.at("accuracy_low").is_null())
      EXPECT_LE(r.at("accuracy_low").get<double>(), r.at("accuracy_high").get<double>());
  }
  const std::vector<Columns> sections = csv(CURVES, "curves");
  ASSERT_EQ(sections.size(), 1u);
  EXPECT_EQ(sections[0].at("model").size(), rows.size());
  const CliResult table = cli("summary " + quote(CURVES));
  EXPECT_EQ(table.code, 0) << table.err;
  expect_contains(table.out, {"== curves", "accuracy", "Legend"});
}

TEST_F(SummaryCli, ReadsFormatVersion1Files) {
  const Json doc = json(V1);
  EXPECT_EQ(doc.at("format_version"), 1);
  EXPECT_EQ(doc.at("markets").size(), 2u);
  EXPECT_EQ(doc.at("ensembles").size(), 9u);
  EXPECT_EQ(doc.at("ensembles")[0].at("converged"), 30);
  EXPECT_FALSE(doc.at("ensembles")[0].at("median").is_null());  // quantiles_exact/ of version 1
  expect_student_t(doc.at("ensembles"));
  expect_student_t(doc.at("populations"));
  EXPECT_EQ(doc.at("populations").size(), 24u);
  // The sums of a v1 file are the same as those the current program writes for the same scenario.
  const Json now = json(tiny_file(), "ensembles");
  EXPECT_EQ(doc["ensembles"][0].at("mean"), now["ensembles"][0].at("mean"));
  const CliResult table = cli("summary " + quote(V1));
  EXPECT_EQ(table.code, 0) << table.err;
  expect_contains(table.out, {"== tiny-everything", "== ensemble", "== population", "Student-t"});
}

TEST_F(SummaryCli, NonConvergedReplicatesAreLeftOutAndCounted) {
  std::string text = read_text(TINY);
  text.replace(text.find("record_history = true"), 21, "record_history = true\nmax_rounds = 1");
  for (std::size_t at; (at = text.find("\"../../inputs")) != std::string::npos;)
    text.replace(at, 13, "\"" + std::string(TTCG_INPUTS_DIR));
  const std::string scenario = write("nc.toml", text);
  const CliResult r = cli("population " + quote(scenario) + " -o nc.h5 -q");
  ASSERT_EQ(r.code, 0) << r.err;
  const Json doc = json(in_work("nc.h5"), "populations");
  for (const Json& row : doc.at("populations")) {
    EXPECT_EQ(row.at("converged"), 0);
    EXPECT_EQ(row.at("non_converged"), 2);
    EXPECT_EQ(row.at("count"), 0) << row.dump();
    EXPECT_TRUE(row.at("mean").is_null());
  }
  const CliResult table = cli("summary " + quote(in_work("nc.h5")));
  expect_contains(table.out, {"converged 0 of 2; non-converged 2 (left out"});
}

TEST_F(SummaryCli, BadFormatOrKindIsAUsageError) {
  EXPECT_NE(cli("summary " + quote(V1) + " --format xml").code, 0);
  EXPECT_NE(cli("summary " + quote(V1) + " --kind planets").code, 0);
}

}  // namespace
