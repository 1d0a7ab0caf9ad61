// Work units, their byte archives and the checkpoint journal (docs/cluster.md): bit-exact encodings, torn journal
// tails, fingerprints, static assignment and the single-process executor's stop/resume logic.
#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

#include "in_process.hpp"
#include "scratch_dir.hpp"
#include "ttcgames/core/archive.hpp"
#include "ttcgames/population/population_archive.hpp"
#include "ttcgames/run/checkpoint.hpp"
#include "ttcgames/run/ensemble_stage.hpp"
#include "ttcgames/run/job.hpp"
#include "ttcgames/run/population_stage.hpp"
#include "ttcgames/run/scenario.hpp"
#include "ttcgames/run/work_units.hpp"

namespace fs = std::filesystem;

namespace ttcg {
namespace {

template <class Body>
std::string input_error_message(Body body) {
  try {
    body();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return {};
}

//! Suites whose tests write checkpoint journals into a scratch directory of their own.
class JournalFiles : public ttcg::test::ScratchDirTest {
 protected:
  fs::path scratch(const std::string& name) const { return dir_ / name; }
};
class CheckpointJournalFiles : public JournalFiles {};
class WorkUnits : public JournalFiles {};

Bytes bytes_of(const std::string& s) {
  Bytes b(s.size());
  std::memcpy(b.data(), s.data(), s.size());
  return b;
}

std::uint64_t bits(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

TEST(Archive, RoundTripIsBitExact) {
  const double nan_payload = std::bit_cast<double>(0x7ff8000000012345ull);
  ArchiveWriter w;
  w.put(-0.0);
  w.put(nan_payload);
  w.put(std::numeric_limits<double>::infinity());
  w.put<std::int32_t>(-7);
  w.put(std::vector<double>{1.5, -2.25});
  w.put(std::string("gsm8k-majority"));
  w.put(std::vector<std::string>{"a", "", "ccc"});
  w.put(bytes_of("xyz"));
  const Bytes b = w.take();
  ArchiveReader r(b, "test");
  EXPECT_EQ(bits(r.get<double>()), bits(-0.0));
  EXPECT_EQ(bits(r.get<double>()), bits(nan_payload));
  EXPECT_EQ(r.get<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.get<std::int32_t>(), -7);
  EXPECT_EQ(r.get_vector<double>(), (std::vector<double>{1.5, -2.25}));
  EXPECT_EQ(r.get_string(), "gsm8k-majority");
  EXPECT_EQ(r.get_strings(), (std::vector<std::string>{"a", "", "ccc"}));
  EXPECT_EQ(r.get_bytes(), bytes_of("xyz"));
  r.finish();
}

TEST(Archive, TruncatedOrOverlongArchivesAreErrors) {
  ArchiveWriter w;
  w.put(std::vector<double>{1.0, 2.0, 3.0});
  Bytes b = w.take();
  Bytes shorter(b.begin(), b.end() - 1);
  ArchiveReader r(shorter, "a short record");
  EXPECT_THROW(r.get_vector<double>(), InputError);
  Bytes longer = b;
  longer.push_back(std::byte{0});
  ArchiveReader r2(longer, "a long record");
  r2.get_vector<double>();
  EXPECT_THROW(r2.finish(), InputError);
  // A length prefix far beyond the data must not allocate or read out of bounds.
  ArchiveWriter huge;
  huge.put<std::uint64_t>(std::uint64_t{1} << 60);
  const Bytes h = huge.take();
  ArchiveReader r3(h, "a corrupt length");
  EXPECT_THROW(r3.get_vector<double>(), InputError);
}

TEST(BetaResultEncoding, EveryFieldSurvivesBitForBit) {
  const Scenario s = load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/aime-reasoning.toml");
  const MarketTable t = build_market_table(s.providers, s.market);
  DynamicsOptions d = s.dynamics;
  d.record_history = true;
  BetaResult b = solve_market_unit(t, 1000.0, s, true, Backend::cpu);
  b.dynamics = run_dynamics(Game(t, 1000.0), d);
  b.optimum.gap = std::numeric_limits<double>::quiet_NaN();
  const auto decode = [&](const Bytes& bytes) { return decode_beta_result(bytes, "unit", t.n, t.K, 1000.0, true); };
  const BetaResult c = decode(encode_beta_result(b));
  EXPECT_EQ(encode_beta_result(c), encode_beta_result(b));
  EXPECT_EQ(c.dynamics.profile, b.dynamics.profile);
  EXPECT_EQ(c.dynamics.history, b.dynamics.history);
  EXPECT_EQ(c.dynamics.potential, b.dynamics.potential);
  EXPECT_EQ(bits(c.welfare), bits(b.welfare));
  EXPECT_EQ(c.shares, b.shares);
  EXPECT_EQ(c.optimum.profile, b.optimum.profile);
  EXPECT_TRUE(std::isnan(c.optimum.gap));
  ASSERT_TRUE(c.equilibria.has_value());
  EXPECT_EQ(c.equilibria->count, b.equilibria->count);
  EXPECT_EQ(c.equilibria->stored, b.equilibria->stored);
  EXPECT_EQ(c.equilibria->worst_profile, b.equilibria->worst_profile);
  EXPECT_EQ(c.equilibria->work, b.equilibria->work);
  EXPECT_EQ(bits(c.stats.weighted_utility), bits(b.stats.weighted_utility));
  Bytes torn = encode_beta_result(b);
  torn.pop_back();
  EXPECT_THROW(decode(torn), InputError);

  // A well-formed result that cannot belong to the unit is refused before anything uses it.
  const Bytes good = encode_beta_result(b);
  EXPECT_THROW(decode_beta_result(good, "unit", t.n, t.K, 200.0, true), InputError);       // another beta
  EXPECT_THROW(decode_beta_result(good, "unit", t.n + 1, t.K, 1000.0, true), InputError);  // another market
  EXPECT_THROW(decode_beta_result(good, "unit", t.n, t.K, 1000.0, false), InputError);     // not enumerated
  for (const auto& damage : std::vector<std::function<void(BetaResult&)>>{
           [](BetaResult& x) { x.dynamics.profile.back() = 99; }, [](BetaResult& x) { x.dynamics.profile.pop_back(); },
           [](BetaResult& x) { x.optimum.profile[0] = -1; }, [](BetaResult& x) { x.shares.push_back(0.5); },
           [](BetaResult& x) { x.dynamics.history.back().push_back(0); },
           [](BetaResult& x) { x.dynamics.potential.pop_back(); },
           [](BetaResult& x) { x.certificate.worst_provider = 7; },
           [](BetaResult& x) { x.equilibria->stored.push_back(Profile(x.dynamics.profile.size(), 99)); },
           [](BetaResult& x) { x.equilibria->count = -1; },
           [](BetaResult& x) { x.equilibria->worst_profile.assign(x.dynamics.profile.size(), -2); }}) {
    BetaResult damaged = b;
    damage(damaged);
    const std::string message = input_error_message([&] { decode(encode_beta_result(damaged)); });
    EXPECT_EQ(message.rfind("unit: ", 0), 0u) << message;
  }
}

TEST_F(CheckpointJournalFiles, RecordsSurviveAndATornTailIsCut) {
  const std::string path = scratch("run.h5.ckpt").string();
  {
    CheckpointJournal j = CheckpointJournal::create(path, "fingerprint A");
    j.append(3, bytes_of("three"));
    j.append(0, bytes_of("zero"));
    j.append(3, bytes_of("again"));  // a unit recorded twice keeps its first record
    j.append(7, bytes_of("seven, torn below"));
    j.sync();
  }
  const auto full = fs::file_size(path);
  fs::resize_file(path, full - 3);
  std::map<std::uint64_t, Bytes> records;
  std::uint64_t discarded = 0;
  {
    CheckpointJournal j = CheckpointJournal::resume(path, "fingerprint A", records, &discarded);
    EXPECT_EQ(records.size(), 2u);
    EXPECT_EQ(records.at(3), bytes_of("three"));
    EXPECT_EQ(records.at(0), bytes_of("zero"));
    EXPECT_GT(discarded, 0u);
    j.append(7, bytes_of("seven"));
  }
  CheckpointJournal j = CheckpointJournal::resume(path, "fingerprint A", records, &discarded);
  EXPECT_EQ(discarded, 0u);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.at(7), bytes_of("seven"));
  j.remove();
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(CheckpointJournalFiles, CorruptRecordEndsTheValidPrefix) {
  const std::string path = scratch("corrupt.ckpt").string();
  {
    CheckpointJournal j = CheckpointJournal::create(path, "fp");
    j.append(1, bytes_of("one"));
    j.append(2, bytes_of("two"));
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-6, std::ios::end);  // inside the last payload: its checksum no longer matches
    f.put('X');
  }
  std::map<std::uint64_t, Bytes> records;
  CheckpointJournal::resume(path, "fp", records);
  EXPECT_EQ(records.size(), 1u);
  EXPECT_TRUE(records.count(1));
}

TEST_F(CheckpointJournalFiles, ForeignOrMissingJournalsAreRefused) {
  const std::string path = scratch("x.ckpt").string();
  std::map<std::uint64_t, Bytes> records;
  EXPECT_THROW(CheckpointJournal::resume(path, "fp", records), InputError);
  { CheckpointJournal::create(path, "fingerprint A"); }
  try {
    CheckpointJournal::resume(path, "fingerprint B", records);
    FAIL() << "a different fingerprint was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("different run"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "not a journal";
  EXPECT_THROW(CheckpointJournal::resume(path, "fingerprint A", records), InputError);
}

TEST_F(WorkUnits, StaticRoundRobinAssignmentCoversEveryUnitOnce) {
  const std::vector<std::uint64_t> pending{0, 2, 3, 5, 8, 9, 11};
  for (int ranks = 1; ranks <= 5; ++ranks) {
    std::vector<std::uint64_t> all;
    for (int r = 0; r < ranks; ++r) {
      const auto mine = assigned_units(pending, r, ranks);
      EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
      all.insert(all.end(), mine.begin(), mine.end());
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, pending) << ranks << " ranks";
  }
  EXPECT_EQ(assigned_units(pending, 1, 3), (std::vector<std::uint64_t>{2, 8}));
}

TEST_F(WorkUnits, StopAndResumeGiveTheUninterruptedResults) {
  UnitWork work;
  work.count = 23;
  work.wave = 4;
  work.compute = [](std::uint64_t u) { return bytes_of("unit " + std::to_string(u * u)); };
  for (const UnitParallelism p : {UnitParallelism::across_units, UnitParallelism::within_unit}) {
    work.parallelism = p;
    UnitControl plain;
    const UnitOutcome reference = execute_units(Communicator::world(), work, plain);
    ASSERT_TRUE(reference.complete);
    ASSERT_EQ(reference.results.size(), 23u);
    EXPECT_EQ(reference.results[5], bytes_of("unit 25"));

    const std::string path = scratch("stop.ckpt").string();
    std::map<std::uint64_t, Bytes> records;
    {
      CheckpointJournal j = CheckpointJournal::create(path, "fp");
      UnitControl control;
      control.journal = &j;
      control.max_new_units = 5;  // stops after the second wave of 4
      const UnitOutcome stopped = execute_units(Communicator::world(), work, control);
      EXPECT_FALSE(stopped.complete);
      EXPECT_EQ(stopped.computed, 8u);
      EXPECT_TRUE(stopped.results.empty());
    }
    CheckpointJournal j = CheckpointJournal::resume(path, "fp", records);
    EXPECT_EQ(records.size(), 8u);
    UnitControl control;
    control.journal = &j;
    control.resumed = records;
    std::uint64_t last_done = 0;
    control.progress = [&](std::uint64_t done, std::uint64_t total) {
      EXPECT_EQ(total, 23u);
      EXPECT_GE(done, last_done);
      last_done = done;
    };
    const UnitOutcome resumed = execute_units(Communicator::world(), work, control);
    ASSERT_TRUE(resumed.complete);
    EXPECT_EQ(resumed.resumed, 8u);
    EXPECT_EQ(resumed.computed, 15u);
    EXPECT_EQ(last_done, 23u);
    EXPECT_EQ(resumed.results, reference.results);
    j.remove();
  }
}

TEST_F(WorkUnits, WavesOfTinyUnitsGrowAndStayWithinTheBudget) {
  UnitWork work;
  work.count = 5000;
  work.compute = [](std::uint64_t u) { return bytes_of(std::to_string(u)); };
  std::uint64_t waves = 0;
  UnitControl control;
  control.progress = [&](std::uint64_t, std::uint64_t) { ++waves; };
  const UnitOutcome all = execute_units(Communicator::world(), work, control);
  ASSERT_TRUE(all.complete);
  EXPECT_EQ(all.results[4321], bytes_of("4321"));
  // Fixed waves of 8 units per thread would take at least 5000 / (8 · 64) ≈ 10 waves on any thread count.
  EXPECT_LE(waves, 6u) << "progress calls: one before the first wave and one after each";

  UnitControl budget;  // the first wave stays at its fixed size, so a small budget stops after it
  budget.max_new_units = 3;
  const UnitOutcome stopped = execute_units(Communicator::world(), work, budget);
  EXPECT_FALSE(stopped.complete);
  EXPECT_LT(stopped.computed, work.count);
}

TEST(MarketStage, AssemblesWhatEachUnitSolves) {
  const Scenario s = load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/gsm8k-reasoning.toml");
  JobOptions o;
  o.enumerate = true;
  const MarketStage stage({s}, o);
  EXPECT_EQ(stage.units(), s.betas().size());
  UnitControl control;
  const UnitOutcome outcome = execute_units(Communicator::world(), stage.work(), control);
  ASSERT_TRUE(outcome.complete);
  const std::vector<ScenarioResult> assembled = stage.assemble(outcome.results);
  const MarketTable table = build_market_table(s.providers, s.market);
  ASSERT_EQ(assembled.size(), 1u);
  ASSERT_EQ(assembled[0].betas.size(), s.betas().size());
  for (std::size_t j = 0; j < s.betas().size(); ++j)
    EXPECT_EQ(encode_beta_result(assembled[0].betas[j]),
              encode_beta_result(solve_market_unit(table, s.betas()[j], s, true, Backend::cpu)))
        << "beta " << j;
  EXPECT_EQ(assembled[0].auction.level, run_auction(table, s.reserve).level);
  EXPECT_EQ(RunJob({s}, o).fingerprint(), RunJob({s}, o).fingerprint());
  JobOptions other = o;
  other.enumerate = false;
  EXPECT_NE(RunJob({s}, o).fingerprint(), RunJob({s}, other).fingerprint());
  EXPECT_THROW(RunJob({s, s}, o), InputError);
}

}  // namespace
}  // namespace ttcg

namespace ttcg {
namespace {

//! The paper's GSM8K market with a small ensemble and a small population, all three parts in one scenario.
Scenario mixed_scenario() {
  Scenario s = load_scenario(std::string(TTCG_INPUTS_DIR) + "/populations/gsm8k-heterogeneous.toml");
  s.population->users = 3000;
  s.population->replicates = 3;
  s.population->block_size = 512;
  const Scenario e = load_scenario(std::string(TTCG_INPUTS_DIR) + "/ensembles/paper-gsm8k-ensemble.toml");
  s.ensemble = e.ensemble;
  s.ensemble->name = s.name;
  s.ensemble->markets = 3000;
  s.ensemble->block_size = 1000;
  return s;
}

TEST(RunJob, PartsAreNumberedInOrderAndAssembleToTheUnitsSolvedApart) {
  const Scenario s = mixed_scenario();
  const RunJob job({s}, JobOptions{});
  ASSERT_EQ(job.parts().size(), 3u);
  EXPECT_EQ(job.parts()[0].work.count, s.betas().size());
  EXPECT_EQ(job.parts()[1].work.first_unit, s.betas().size());
  EXPECT_EQ(job.parts()[1].work.count, 3u);
  EXPECT_EQ(job.parts()[2].work.first_unit, s.betas().size() + 3);
  EXPECT_EQ(job.parts()[2].work.count, 3u);
  EXPECT_EQ(job.units(), s.betas().size() + 6);

  // Units computed in reverse order, as other ranks might: the assembly depends only on the unit numbers.
  std::vector<Bytes> results(job.units());
  for (const RunPart& p : job.parts())
    for (std::uint64_t u = p.work.count; u-- > 0;) results[p.work.first_unit + u] = p.work.compute(u);
  const RunResults r = job.assemble(results, 0.0);

  const MarketTable table = build_market_table(s.providers, s.market);
  ASSERT_EQ(r.markets.size(), 1u);
  ASSERT_EQ(r.markets[0].betas.size(), s.betas().size());
  for (std::size_t j = 0; j < s.betas().size(); ++j)
    EXPECT_EQ(encode_beta_result(r.markets[0].betas[j]),
              encode_beta_result(solve_market_unit(table, s.betas()[j], s, s.enumerate, Backend::cpu)));

  const auto problem = make_ensemble_problem(s);
  std::vector<EnsembleBlockResult> blocks;
  for (std::int64_t b = 0; b < problem->blocks(); ++b)
    blocks.push_back(compute_ensemble_block(*problem, b, Backend::cpu));
  const EnsembleSummary ensemble = merge_ensemble_blocks(*problem, std::move(blocks));
  ASSERT_EQ(r.ensembles.size(), 1u);
  EXPECT_EQ(r.ensembles[0].summary.tallies.markets, ensemble.tallies.markets);
  EXPECT_EQ(r.ensembles[0].summary.records.price_of_anarchy, ensemble.records.price_of_anarchy);
  EXPECT_EQ(bits(r.ensembles[0].summary.tallies.inefficiency.sum), bits(ensemble.tallies.inefficiency.sum));
  EXPECT_EQ(bits(r.ensembles[0].summary.tallies.inefficiency.sum_sq), bits(ensemble.tallies.inefficiency.sum_sq));

  PopulationResult population = prepare_population(s, Backend::cpu);
  for (std::int64_t x = 0; x < population.spec.replicates; ++x)
    add_replicate(population, solve_replicate(population, x, Backend::cpu));
  ASSERT_EQ(r.populations.size(), 1u);
  ASSERT_EQ(r.populations[0].replicates.size(), population.replicates.size());
  for (std::size_t i = 0; i < population.replicates.size(); ++i) {
    ReplicateResult a = r.populations[0].replicates[i], b = population.replicates[i];
    a.seconds = b.seconds = 0.0;  // timings
    EXPECT_EQ(encode_replicate_result(a), encode_replicate_result(b)) << "replicate " << i;
  }
  EXPECT_EQ(encode_outcome_block(r.populations[0].outcomes), encode_outcome_block(population.outcomes));

  // The orchestrator, in-process, gives the same results.
  const testing_support::InProcessRun run = testing_support::run_in_process({s});
  ASSERT_EQ(run.results.markets.size(), 1u);
  for (std::size_t j = 0; j < s.betas().size(); ++j)
    EXPECT_EQ(encode_beta_result(run.results.markets[0].betas[j]), encode_beta_result(r.markets[0].betas[j]));
  ASSERT_EQ(run.results.ensembles.size(), 1u);
  EXPECT_EQ(run.results.ensembles[0].summary.records.price_of_anarchy, ensemble.records.price_of_anarchy);
  EXPECT_EQ(bits(run.results.ensembles[0].summary.tallies.inefficiency.sum), bits(ensemble.tallies.inefficiency.sum));
  ASSERT_EQ(run.results.populations.size(), 1u);
  EXPECT_EQ(encode_outcome_block(run.results.populations[0].outcomes), encode_outcome_block(population.outcomes));
}

//! The compute time a unit's envelope carries (RunJob's parts time their units).
double unit_seconds(const Bytes& envelope) {
  ArchiveReader r(envelope, "timed unit");
  return r.get<double>();
}

TEST(RunJob, EveryPartRecordsItsOwnComputeTimeAndTheRunItsWallTime) {
  const Scenario reasoning = load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/aime-reasoning.toml");
  Scenario s = mixed_scenario();
  s.population->users = 500;
  s.population->block_size = 250;
  s.ensemble->markets = 400;
  s.ensemble->block_size = 200;
  const RunJob job({s, reasoning}, JobOptions{});
  std::vector<Bytes> results(job.units());
  for (const RunPart& p : job.parts())
    for (std::uint64_t u = 0; u < p.work.count; ++u) results[p.work.first_unit + u] = p.work.compute(u);
  const RunResults r = job.assemble(results, 123.0);
  EXPECT_EQ(r.seconds, 123.0);
  ASSERT_EQ(r.markets.size(), 2u);
  // Market units are numbered scenario by scenario: the first scenario's β, then the second's.
  const std::size_t first_betas = s.betas().size();
  double first = 0.0, second = 0.0;
  for (std::size_t u = 0; u < job.parts()[0].work.count; ++u)
    (u < first_betas ? first : second) += unit_seconds(results[u]);
  EXPECT_GT(first, 0.0);
  EXPECT_GE(r.markets[0].seconds, first);
  EXPECT_GE(r.markets[1].seconds, second);
  EXPECT_LT(r.markets[0].seconds, first + 0.1) << "its units plus its auction";
  EXPECT_NE(r.markets[0].seconds, r.markets[1].seconds);
  double blocks = 0.0, replicates = 0.0;
  for (std::uint64_t u = 0; u < job.parts()[1].work.count; ++u)
    blocks += unit_seconds(results[job.parts()[1].work.first_unit + u]);
  for (std::uint64_t u = 0; u < job.parts()[2].work.count; ++u)
    replicates += unit_seconds(results[job.parts()[2].work.first_unit + u]);
  EXPECT_EQ(r.ensembles.at(0).seconds, blocks);
  EXPECT_EQ(r.populations.at(0).seconds, replicates);
}

TEST(RunJob, ReplicateEncodingIsBitExactAndRejectsTornRecords) {
  const Scenario s = mixed_scenario();
  const PopulationResult setup = prepare_population(s, Backend::cpu);
  const ReplicateResult x = solve_replicate(setup, 1, Backend::cpu);
  const Bytes b = encode_replicate_result(x);
  const auto decode = [&](const Bytes& bytes) { return decode_replicate_result(bytes, "replicate", setup, 1); };
  EXPECT_EQ(encode_replicate_result(decode(b)), b);
  EXPECT_EQ(decode(b).dynamics.profile, x.dynamics.profile);
  Bytes torn(b.begin(), b.end() - 3);
  EXPECT_THROW(decode(torn), InputError);
  EXPECT_THROW(decode_replicate_result(b, "replicate", setup, 0), InputError);  // another replicate's result
  for (const auto& damage : std::vector<std::function<void(ReplicateResult&)>>{
           [](ReplicateResult& r) { r.dynamics.profile[0] = 42; },
           [](ReplicateResult& r) { r.demand.shares.pop_back(); },
           [](ReplicateResult& r) { r.demand.profit.push_back(1.0); },
           [](ReplicateResult& r) { r.optimum.profile.clear(); },
           [](ReplicateResult& r) { r.optimum.method = "guess"; },
           [](ReplicateResult& r) { r.outcomes.market.choices.pop_back(); },
           [](ReplicateResult& r) { r.outcomes.auction.welfare_hist.counts.push_back(0); },
           [](ReplicateResult& r) { r.outcomes.market.payment_hist.hi += 1.0; },
           [](ReplicateResult& r) { r.outcomes.market.payment_hist.counts[0] = std::int64_t{1} << 62; },
           [](ReplicateResult& r) { r.outcomes.auction.choices[0] = -1; },
           [](ReplicateResult& r) { r.outcomes.first_best.count = -5; }}) {
    ReplicateResult d = x;
    damage(d);
    EXPECT_THROW(decode(encode_replicate_result(d)), InputError);
  }
}

TEST(RunJob, PartSelectionAndEmptyJobs) {
  const Scenario s = mixed_scenario();
  JobOptions only_ensemble;
  only_ensemble.markets = only_ensemble.populations = false;
  const RunJob job({s}, only_ensemble);
  ASSERT_EQ(job.parts().size(), 1u);
  EXPECT_EQ(job.parts()[0].work.first_unit, 0u);
  EXPECT_EQ(job.root_seed(), s.ensemble->seed);
  EXPECT_NE(job.fingerprint(), RunJob({s}, JobOptions{}).fingerprint());
  Scenario bare = load_scenario(std::string(TTCG_INPUTS_DIR) + "/ensembles/paper-gsm8k-ensemble.toml");
  JobOptions markets_only;
  markets_only.ensembles = markets_only.populations = false;
  EXPECT_THROW(RunJob({bare}, markets_only), InputError);  // no [beta]: nothing to run
}

}  // namespace
}  // namespace ttcg
