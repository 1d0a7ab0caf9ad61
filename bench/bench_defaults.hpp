// Shared sizes and inputs of the benchmark programs: the paper's markets from inputs/paper, the synthetic run logs
// from inputs/runlogs.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ttcgames/market/market.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::bench {

//! The nine paper scenarios, in a fixed order.
inline const std::vector<std::string> PAPER_SCENARIOS = {"gsm8k-majority", "gsm8k-best-of-n", "gsm8k-reasoning",
                                                         "aime-majority",  "aime-best-of-n",  "aime-reasoning",
                                                         "gpqa-majority",  "gpqa-best-of-n",  "gpqa-reasoning"};

//! The instruct market used for the 9×6 enumeration benchmarks (6^9 ≈ 1.0e7 profiles).
inline const char* const ENUMERATION_MARKET = "gsm8k-majority";
//! β of the single-market benchmarks (one of the paper's table values).
constexpr double DEFAULT_BETA = 1000.0;

//! The synthetic instruct-model run logs (reference JSONL layout) replicated into the run-log benchmark input.
inline const std::vector<std::string> SYNTHETIC_RUNLOGS = {
    "runlogs/synthetic/SynthA-7B--temp-0.7--samples-64--max-512.jsonl",
    "runlogs/synthetic/SynthB-1B--temp-0.7--samples-64--max-512.jsonl",
    "runlogs/synthetic/SynthC-3B--temp-0.7--samples-64--max-512.jsonl"};
//! Size of the generated reference-JSONL input of the parse benchmarks (the target is >= 200 MB/s on 2 cores).
constexpr std::size_t RUNLOG_BENCH_BYTES = std::size_t{256} << 20;

inline Scenario paper_scenario(const std::string& name) {
  return load_scenario(std::string(TTCG_INPUTS_DIR) + "/paper/" + name + ".toml");
}

inline MarketTable paper_table(const std::string& name) {
  const Scenario s = paper_scenario(name);
  return build_market_table(s.providers, s.market);
}

}  // namespace ttcg::bench

namespace ttcg::bench {

//! The inference-stage benchmark: a GSM8K-sized run log (1319 questions × 128 samples, the reference's 6 levels
//! 1..64) and the permutation count of the speed target.
constexpr std::int64_t CURVES_QUESTIONS = 1319;
constexpr std::int32_t CURVES_SAMPLES = 128;
constexpr std::int64_t CURVES_PERMUTATIONS = 1000;

}  // namespace ttcg::bench

namespace ttcg::bench {

//! The population benchmarks: users per replicate on the CPU and on a GPU, users per block, and the questions of the
//! per-question variant (9 providers × 6 levels of the paper's GSM8K majority market either way).
constexpr std::int64_t POPULATION_CPU_USERS = std::int64_t{1} << 20;
constexpr std::int64_t POPULATION_GPU_USERS = std::int64_t{1} << 26;
constexpr std::int64_t POPULATION_BLOCK_SIZE = 4096;
constexpr int POPULATION_QUESTIONS = 256;

}  // namespace ttcg::bench

namespace ttcg::bench {

//! The structural enumeration's large markets: n providers cycled from the paper's GSM8K majority models with
//! seeded ±20% price jitter (16×6: 2.8e12 profiles), and synthetic n×K markets with increasing accuracy and token
//! curves (30×10: 1e30 profiles), at the β of the single-market benchmarks.
constexpr int LARGE_PAPER_PROVIDERS = 16;
constexpr int SYNTHETIC_PROVIDERS = 30;
constexpr int SYNTHETIC_LEVELS = 10;
constexpr std::uint64_t LARGE_MARKET_SEED = 7;

inline MarketTable replicated_paper_table(int n, std::uint64_t seed) {
  const Scenario s = paper_scenario(ENUMERATION_MARKET);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  ProviderSet set;
  set.theta = s.providers.theta;
  for (int i = 0; i < n; ++i) {
    ProviderCurves p = s.providers.providers[static_cast<std::size_t>(i) % s.providers.providers.size()];
    p.name += "#" + std::to_string(i);
    p.usd_per_million_tokens *= jitter(rng);
    set.providers.push_back(p);
  }
  return build_market_table(set, s.market);
}

inline MarketTable synthetic_table(int n, int K, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  ProviderSet set;
  for (int k = 0; k < K; ++k) set.theta.push_back(std::pow(2.0, k));
  for (int i = 0; i < n; ++i) {
    ProviderCurves p;
    p.name = "S" + std::to_string(i);
    p.usd_per_million_tokens = 0.05 + 0.3 * u(rng);
    double accuracy = 0.2 + 0.5 * u(rng), tokens = 100.0 + 400.0 * u(rng);
    for (int k = 0; k < K; ++k) {
      accuracy = std::min(1.0, accuracy + 0.08 * u(rng));
      tokens *= 1.3 + 1.5 * u(rng);
      p.accuracy.push_back(accuracy);
      p.tokens.push_back(tokens);
    }
    set.providers.push_back(p);
  }
  MarketParams m;
  m.alpha = 0.02;
  return build_market_table(set, m);
}

}  // namespace ttcg::bench
