// The population engine: passes over one replicate's users on the CPU (OpenMP over fixed blocks, merged in block
// order) or the GPU (cuda/population/population.cu), the mixed-logit utility oracle, the independent certificate, the
// social optimum under population demand, and the run of a scenario's [population].
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <iomanip>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "per_block.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/core/text.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/welfare_math.hpp"
#include "ttcgames/population/cuda_population.hpp"
#include "ttcgames/population/population.hpp"
#include "ttcgames/population/population_optimum.hpp"

namespace ttcg {

using population_detail::merge_in_order;
using population_detail::per_block;

using population::OnlineLogSum;

// ---------------------------------------------------------------------------------------------------------------
// Engine

struct PopulationEngine::Device {
  cuda::PopulationHandle* handle = nullptr;
  ~Device() { cuda::population_close(handle); }
};

namespace {

//! InputError unless every user's log attractions β_u·(α_u·φ − p) and β_u·v0_u lie within ±LOG_ATTRACTION_LIMIT
//! (market_math.hpp), bounded per user with |α_u·φ − p| ≤ α_u + max p (φ ≤ 1).
void check_log_space(const QueryTables& tables, const Population& users) {
  double max_price = 0.0;
  for (const double p : tables.price) max_price = std::max(max_price, std::fabs(p));
  for (std::int64_t u = 0; u < users.size(); ++u) {
    const double beta = users.beta[u];
    const double x = std::max(beta * (std::fabs(users.alpha[u]) + max_price), beta * std::fabs(users.v0[u]));
    if (!(x <= LOG_ATTRACTION_LIMIT))
      throw InputError("replicate " + std::to_string(users.replicate) + ", user " + std::to_string(u) +
                       ": beta = " + number_text(beta, 6) + " with alpha = " + number_text(users.alpha[u], 6) +
                       " USD and v0 = " + number_text(users.v0[u], 6) + " USD gives log attractions up to " +
                       number_text(x, 6) + ", beyond +-" + number_text(LOG_ATTRACTION_LIMIT, 6) +
                       " (the range computed exactly in double precision); narrow the [population] beta, value_scale "
                       "or v0 distributions");
  }
}

//! NumericalError naming the population, replicate and quantity unless the replicate's numbers are finite (PoA may
//! be +inf when SW ≤ 0 < SW*, the relative regret +inf where a utility underflows).
void check_finite(const ReplicateResult& r, const std::string& name) {
  const auto fail = [&](const std::string& quantity, double v) {
    throw NumericalError(name + " population, replicate " + std::to_string(r.replicate) + ": " + quantity + " is " +
                         number_text(v, 6) + " (no convention allows a non-finite value here; please report this)");
  };
  const auto finite = [&](const std::string& quantity, double v) {
    if (!std::isfinite(v)) fail(quantity, v);
  };
  const Demand& d = r.demand;
  for (std::size_t i = 0; i < d.shares.size(); ++i) finite("the share of provider " + std::to_string(i), d.shares[i]);
  for (std::size_t i = 0; i < d.profit.size(); ++i) finite("the profit of provider " + std::to_string(i), d.profit[i]);
  finite("the outside share", d.outside_share);
  finite("the equilibrium welfare", r.equilibrium_welfare);
  finite("the weighted value", d.weighted_value);
  finite("the weighted price", d.weighted_price);
  finite("the optimal welfare", r.optimum.welfare);
  finite("the optimum's upper bound", r.optimum.upper_bound);
  finite("the first-best welfare", r.first_best);
  finite("the maximum regret", r.certificate.max_regret);
  if (std::isnan(r.certificate.max_relative_regret))
    fail("the maximum relative regret", r.certificate.max_relative_regret);
  if (std::isnan(r.price_of_anarchy) || r.price_of_anarchy == -INFINITY)
    fail("the price of anarchy", r.price_of_anarchy);
}

}  // namespace

PopulationEngine::PopulationEngine(const QueryTables& tables, const PopulationSpec& spec, std::int64_t replicate,
                                   Backend backend)
    : tables_(&tables), spec_(spec), backend_(backend) {
  if (spec.users < 1 || spec.users > POPULATION_MAX_USERS) throw InputError("population: users out of range");
  if (spec.block_size < 1) throw InputError("population: block_size must be >= 1");
  const PopulationSampler sampler(spec, tables);
  if (backend == Backend::cuda) {
    device_ = std::make_unique<Device>();
    device_->handle =
        cuda::population_open(tables.view(), sampler.view(), spec.seed, replicate, spec.users, spec.block_size);
    users_.replicate = replicate;
    users_.alpha.resize(spec.users);
    users_.beta.resize(spec.users);
    users_.v0.resize(spec.users);
    users_.question.resize(spec.users);
    cuda::population_users(device_->handle, users_.alpha.data(), users_.beta.data(), users_.v0.data(),
                           users_.question.data());
  } else {
    users_ = sample_population(sampler, spec.users, replicate, spec.block_size);
  }
  check_log_space(tables, users_);
}

PopulationEngine::~PopulationEngine() = default;

std::int64_t PopulationEngine::blocks() const {
  return (users() + spec_.block_size - 1) / spec_.block_size;
}

Demand PopulationEngine::demand(std::span<const int> profile) const {
  ++passes_;
  const QueryTables& t = *tables_;
  const ProfileTables at(t, profile);
  const population::ProfileView pv = at.view(t.n, t.Q);
  std::vector<DemandSums> parts;
  if (backend_ == Backend::cuda) {
    const std::size_t stride = static_cast<std::size_t>(2 * t.n + 4);
    std::vector<double> raw(static_cast<std::size_t>(blocks()) * stride);
    cuda::population_demand(device_->handle, pv, raw.data());
    parts.resize(blocks());
    for (std::int64_t b = 0; b < blocks(); ++b) {
      const double* r = raw.data() + b * stride;
      DemandSums& s = parts[b];
      const BlockRange range = block_range(users(), spec_.block_size, b);
      s.users = range.end - range.begin;
      s.shares.assign(r, r + t.n);
      s.profit.assign(r + t.n, r + 2 * t.n);
      s.outside = r[2 * t.n];
      s.welfare = r[2 * t.n + 1];
      s.value = r[2 * t.n + 2];
      s.price = r[2 * t.n + 3];
    }
  } else {
    const population::QueryView g = t.view();
    const population::UsersView uv = users_.view();
    parts = per_block<DemandSums>(
        blocks(), [&](std::int64_t b) { return demand_block(g, pv, uv, block_range(users(), spec_.block_size, b)); });
  }
  return merge_in_order(parts).mean();
}

void PopulationEngine::log_utilities(std::span<const int> profile, int i, std::span<double> out) const {
  ++passes_;
  const QueryTables& t = *tables_;
  const ProfileTables at(t, profile);
  const population::ProfileView pv = at.view(t.n, t.Q);
  std::vector<UtilitySums> parts;
  if (backend_ == Backend::cuda) {
    const std::size_t cells = static_cast<std::size_t>(blocks()) * t.K;
    std::vector<double> max(cells), sum(cells);
    cuda::population_utilities(device_->handle, pv, i, max.data(), sum.data());
    parts.resize(blocks());
    for (std::int64_t b = 0; b < blocks(); ++b)
      for (int k = 0; k < t.K; ++k) parts[b].levels.push_back(OnlineLogSum{max[b * t.K + k], sum[b * t.K + k]});
  } else {
    const population::QueryView g = t.view();
    const population::UsersView uv = users_.view();
    parts = per_block<UtilitySums>(blocks(), [&](std::int64_t b) {
      return utilities_block(g, pv, uv, i, block_range(users(), spec_.block_size, b));
    });
  }
  const UtilitySums total = merge_in_order(parts);
  const double log_users = std::log(static_cast<double>(users()));
  for (int k = 0; k < t.K; ++k) out[k] = total.levels[k].value() - log_users;
}

void PopulationEngine::welfare_deviations(std::span<const int> profile, int i, std::span<double> out) const {
  ++passes_;
  const QueryTables& t = *tables_;
  const ProfileTables at(t, profile);
  const population::ProfileView pv = at.view(t.n, t.Q);
  const population::QueryView g = t.view();
  const population::UsersView uv = users_.view();
  auto parts = per_block<WelfareSums>(blocks(), [&](std::int64_t b) {
    return welfare_deviations_block(g, pv, uv, i, block_range(users(), spec_.block_size, b));
  });
  const WelfareSums total = merge_in_order(parts);
  for (int k = 0; k < t.K; ++k) out[k] = total.levels[k] / static_cast<double>(users());
}

std::vector<double> PopulationEngine::welfare_of_profiles(std::int64_t first, std::int64_t count) const {
  passes_ += count;
  const population::QueryView g = tables_->view();
  const population::UsersView uv = users_.view();
  // Parallel over chunks of profiles; each profile's sum runs over the blocks in order, so any split gives the
  // same bits.
  constexpr std::int64_t PROFILES_PER_CHUNK = 64;
  const std::int64_t chunks = (count + PROFILES_PER_CHUNK - 1) / PROFILES_PER_CHUNK;
  std::vector<double> out(count, 0.0);
  auto done = per_block<int>(chunks, [&](std::int64_t c) {
    const std::int64_t begin = c * PROFILES_PER_CHUNK, size = std::min(PROFILES_PER_CHUNK, count - begin);
    std::vector<double> sums(size, 0.0);
    for (std::int64_t b = 0; b < blocks(); ++b) {
      const std::vector<double> part =
          welfare_profiles_block(g, uv, first + begin, size, block_range(users(), spec_.block_size, b));
      for (std::int64_t j = 0; j < size; ++j) sums[j] += part[j];
    }
    for (std::int64_t j = 0; j < size; ++j) out[begin + j] = sums[j] / static_cast<double>(users());
    return 0;
  });
  return out;
}

Certificate PopulationEngine::certify(std::span<const int> profile) const {
  ++passes_;
  const QueryTables& t = *tables_;
  const population::QueryView g = t.view();
  const population::UsersView uv = users_.view();
  struct Parts {
    std::vector<OnlineLogSum> sums;
    void merge(const Parts& o) {
      for (std::size_t c = 0; c < sums.size(); ++c) sums[c].merge(o.sums[c]);
    }
  };
  auto parts = per_block<Parts>(blocks(), [&](std::int64_t b) {
    return Parts{deviations_block(g, profile, uv, block_range(users(), spec_.block_size, b))};
  });
  const Parts total = merge_in_order(parts);
  const double log_users = std::log(static_cast<double>(users()));
  Certificate cert;
  for (int i = 0; i < t.n; ++i) {
    const double log_u = total.sums[static_cast<std::size_t>(i) * t.K + profile[i]].value() - log_users;
    double best = log_u;
    for (int k = 0; k < t.K; ++k)
      best = std::max(best, total.sums[static_cast<std::size_t>(i) * t.K + k].value() - log_users);
    add_regret(cert, i, log_u, best);
  }
  return cert;
}

double PopulationEngine::first_best() const {
  const population::QueryView g = tables_->view();
  const population::UsersView uv = users_.view();
  struct Sum {
    double v = 0.0;
    void merge(const Sum& o) { v += o.v; }
  };
  auto parts = per_block<Sum>(blocks(), [&](std::int64_t b) {
    const BlockRange r = block_range(users(), spec_.block_size, b);
    Sum s;
    for (std::int64_t u = r.begin; u < r.end; ++u)
      s.v += population::first_best(g, uv.alpha[u], uv.v0[u], uv.question[u]);
    return s;
  });
  return merge_in_order(parts).v / static_cast<double>(users());
}

UserOutcomes PopulationEngine::user_outcome_records(std::span<const int> profile, Reserve reserve,
                                                    BlockRange range) const {
  const QueryTables& t = *tables_;
  const ProfileTables at(t, profile);
  if (backend_ == Backend::cuda) {
    UserOutcomes out;
    const std::size_t count = static_cast<std::size_t>(range.end - range.begin);
    out.market.resize(count);
    out.auction.resize(count);
    out.first_best.resize(count);
    cuda::population_outcomes(device_->handle, at.view(t.n, t.Q), profile.data(), reserve, spec_.seed, users_.replicate,
                              range.begin, range.end - range.begin, out.market.data(), out.auction.data(),
                              out.first_best.data());
    return out;
  }
  return user_outcomes(t.view(), at, profile, users_.view(), reserve, spec_.seed, users_.replicate, range);
}

OutcomeTallies PopulationEngine::outcomes(std::span<const int> profile, Reserve reserve,
                                          const HistogramRanges& ranges) const {
  const QueryTables& t = *tables_;
  const population::UsersView uv = users_.view();
  if (backend_ == Backend::cuda) {
    // The device computes the per-user records of a chunk of blocks; the host tallies them in user order, so the
    // tallies equal the CPU's bit for bit.
    constexpr std::int64_t USERS_PER_CHUNK = std::int64_t{1} << 20;
    OutcomeTallies total = make_outcome_tallies(t.n, ranges);
    const std::int64_t blocks_per_chunk = std::max<std::int64_t>(1, USERS_PER_CHUNK / spec_.block_size);
    for (std::int64_t b0 = 0; b0 < blocks(); b0 += blocks_per_chunk) {
      const std::int64_t b1 = std::min(blocks(), b0 + blocks_per_chunk);
      const BlockRange chunk{block_range(users(), spec_.block_size, b0).begin,
                             block_range(users(), spec_.block_size, b1 - 1).end};
      const UserOutcomes records = user_outcome_records(profile, reserve, chunk);
      auto parts = per_block<OutcomeTallies>(b1 - b0, [&](std::int64_t j) {
        const BlockRange r = block_range(users(), spec_.block_size, b0 + j);
        UserOutcomes slice;
        const auto from = r.begin - chunk.begin, to = r.end - chunk.begin;
        slice.market.assign(records.market.begin() + from, records.market.begin() + to);
        slice.auction.assign(records.auction.begin() + from, records.auction.begin() + to);
        slice.first_best.assign(records.first_best.begin() + from, records.first_best.begin() + to);
        OutcomeTallies tally = make_outcome_tallies(t.n, ranges);
        tally_outcomes(slice, uv, r, tally);
        return tally;
      });
      for (const OutcomeTallies& p : parts) total.merge(p);
    }
    return total;
  }
  const ProfileTables at(t, profile);
  const population::QueryView g = t.view();
  auto parts = per_block<OutcomeTallies>(blocks(), [&](std::int64_t b) {
    return outcome_block(g, at, profile, uv, reserve, spec_.seed, users_.replicate,
                         block_range(users(), spec_.block_size, b), ranges);
  });
  return merge_in_order(parts);
}

// ---------------------------------------------------------------------------------------------------------------
// Oracle

PopulationOracle::PopulationOracle(const PopulationEngine& engine) : engine_(&engine), scratch_(engine.levels()) {}

void PopulationOracle::prepare(const int* profile, int i) {
  std::vector<int> key(profile, profile + engine_->providers());
  key[i] = -1 - i;  // log u_i(·, k_{−i}) does not depend on k_i; the marker keeps providers apart
  if (const auto it = memo_.find(key); it != memo_.end()) {
    current_ = &it->second;
    return;
  }
  ++passes_;
  engine_->log_utilities(std::span<const int>(profile, engine_->providers()), i, scratch_);
  if (memo_.size() < MAX_MEMO) {
    current_ = &memo_.emplace(std::move(key), scratch_).first->second;
  } else {
    current_ = &scratch_;
  }
}

ReplicateResult solve_replicate(const PopulationResult& setup, std::int64_t replicate, Backend backend) {
  const auto start = std::chrono::steady_clock::now();
  const PopulationEngine engine = [&] {
    try {
      return PopulationEngine(setup.tables, setup.spec, replicate, backend);
    } catch (const InputError& e) {
      throw InputError(setup.name + " population: " + e.what());
    }
  }();
  ReplicateResult rr;
  rr.replicate = replicate;
  PopulationOracle oracle(engine);
  rr.dynamics = run_oracle_dynamics(oracle, setup.dynamics, PotentialFunction{});
  const Profile& k = rr.dynamics.profile;
  rr.certificate = engine.certify(k);
  rr.demand = engine.demand(k);
  rr.equilibrium_welfare = rr.demand.welfare;
  rr.optimum = population_optimum(engine, setup.spec, k);
  rr.first_best = engine.first_best();
  rr.price_of_anarchy = welfare_ratio(rr.optimum.welfare, rr.equilibrium_welfare);
  if (setup.spec.realize) rr.outcomes = engine.outcomes(k, setup.reserve, setup.ranges);
  check_finite(rr, setup.name);
  rr.passes = engine.passes();
  rr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rr;
}

void add_replicate(PopulationResult& result, ReplicateResult replicate) {
  if (replicate.replicate != static_cast<std::int64_t>(result.replicates.size()))
    throw std::invalid_argument("add_replicate: replicate " + std::to_string(replicate.replicate) + " after " +
                                std::to_string(result.replicates.size()) + " replicates");
  // A replicate whose dynamics did not reach an equilibrium keeps its row but stays out of the realized tallies.
  if (result.spec.realize && replicate.dynamics.converged) result.outcomes.merge(replicate.outcomes);
  result.replicates.push_back(std::move(replicate));
}

}  // namespace ttcg
