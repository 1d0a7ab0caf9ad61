// Kernels and launchers of the population engine (population.hpp), the GPU twins of src/population/population_cpu.cpp
// and of the per-user loops of src/population/population.cpp; the per-user math is population_math.hpp.
//
// Users live on the device for the whole replicate (drawn there by draw_user, the same Philox draws and portable
// math as the CPU, so the same bits). A pass maps one CUDA block to one fixed block of users: each thread folds the
// users tid, tid + 256, … of that block in order, cub::BlockReduce combines the threads in a fixed tree, and the
// host merges the per-block results in block order. The result therefore does not depend on the launch or the
// device; it differs from the CPU's 8-lane order only by rounding. Realized outcomes are written per user and
// tallied on the host in user order, so they equal the CPU's bit for bit.
//
// Also the device side of the random-number and portable-math known-answer tests.
#include <cub/block/block_reduce.cuh>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../cuda_check.cuh"
#include "../launchers.hpp"

namespace ttcg::cuda::detail {

namespace {

constexpr int POPULATION_THREADS = 256;
constexpr int FLAT_THREADS = 256;

using population::OnlineLogSum;
using population::ProfileView;
using population::QueryView;
using population::UsersView;

struct MergeLogSums {
  __host__ __device__ OnlineLogSum operator()(const OnlineLogSum& a, const OnlineLogSum& b) const {
    OnlineLogSum s = a;
    s.merge(b);
    return s;
  }
};

//! A host array of `count` elements copied to a new device array (empty when count is 0).
template <class T>
DeviceArray<T> upload(const T* host, std::size_t count) {
  return count > 0 && host != nullptr ? DeviceArray<T>(host, count) : DeviceArray<T>(0);
}

int flat_grid(std::int64_t items) {
  return static_cast<int>(std::max<std::int64_t>(1, (items + FLAT_THREADS - 1) / FLAT_THREADS));
}

//! A distribution's empirical values and alias table on the device.
struct DeviceDistribution {
  DeviceArray<double> values, prob;
  DeviceArray<int> alias;
  dist::DistributionView view;
  explicit DeviceDistribution(const dist::DistributionView& host) : values(0), prob(0), alias(0), view(host) {
    if (host.kind != dist::DistributionKind::empirical) return;
    const std::size_t n = static_cast<std::size_t>(host.alias.n);
    values = upload(host.values, n);
    prob = upload(host.alias.prob, n);
    alias = upload(host.alias.alias, n);
    view.values = values.data();
    view.alias.prob = prob.data();
    view.alias.alias = alias.data();
  }
};

__global__ void sample_users_kernel(population::SamplingView s, rng::Philox4x32Key key, std::uint32_t replicate,
                                    std::int64_t users, double* alpha, double* beta, double* v0,
                                    std::int32_t* question) {
  const std::int64_t u = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (u >= users) return;
  const population::UserDraws d = population::draw_user(s, key, replicate, static_cast<std::uint32_t>(u));
  alpha[u] = d.alpha;
  beta[u] = d.beta;
  v0[u] = d.v0;
  question[u] = d.question;
}

//! Per-block demand sums: out[b·(2n + 4) + ·] = shares[n], profit[n], outside, welfare, value, price. N > 0 is the
//! number of providers known at compile time (per-user arrays in registers); N = 0 takes t.n (up to MAX_PROVIDERS).
template <int N>
__global__ void __launch_bounds__(POPULATION_THREADS)
    demand_kernel(ProfileView t, UsersView users, std::int64_t block_size, double* out) {
  using BlockReduce = cub::BlockReduce<double, POPULATION_THREADS>;
  __shared__ typename BlockReduce::TempStorage temp;
  constexpr int CAPACITY = N > 0 ? N : population::MAX_PROVIDERS;
  const auto n = [&] {
    if constexpr (N > 0)
      return population::FixedCount<N>{};
    else
      return t.n;
  }();
  const std::int64_t begin = static_cast<std::int64_t>(blockIdx.x) * block_size;
  const std::int64_t end = begin + block_size < users.count ? begin + block_size : users.count;
  double e[CAPACITY];
  double acc[2 * CAPACITY + 4];
#pragma unroll
  for (int j = 0; j < 2 * CAPACITY + 4; ++j) acc[j] = 0.0;
  for (std::int64_t u = begin + threadIdx.x; u < end; u += POPULATION_THREADS) {
    const double alpha = users.alpha[u], beta = users.beta[u], v0 = users.v0[u];
    const std::int32_t q = users.question[u];
    double share[CAPACITY], profit[CAPACITY];
    const population::UserDemand d = population::user_demand(t, alpha, beta, v0, q, e, n, share, profit);
#pragma unroll
    for (int i = 0; i < n; ++i) {
      acc[i] += share[i];
      acc[CAPACITY + i] += profit[i];
    }
    acc[2 * CAPACITY] += d.outside;
    acc[2 * CAPACITY + 1] += d.welfare;
    acc[2 * CAPACITY + 2] += d.value;
    acc[2 * CAPACITY + 3] += d.price;
  }
  const int stride = 2 * t.n + 4;
  double* block_out = out + static_cast<std::int64_t>(blockIdx.x) * stride;
  if constexpr (N > 0) {
    // acc has exactly the output layout: constant indices keep it in registers.
#pragma unroll
    for (int j = 0; j < 2 * N + 4; ++j) {
      const double total = BlockReduce(temp).Sum(acc[j]);
      if (threadIdx.x == 0) block_out[j] = total;
      __syncthreads();  // temp is reused by the next reduction
    }
  } else {
    for (int j = 0; j < stride; ++j) {
      // Output slot j: shares [0, n), profit [n, 2n), then the four sums; acc keeps them at CAPACITY offsets.
      const int from = j < t.n ? j : (j < 2 * t.n ? CAPACITY + (j - t.n) : 2 * CAPACITY + (j - 2 * t.n));
      const double total = BlockReduce(temp).Sum(acc[from]);
      if (threadIdx.x == 0) block_out[j] = total;
      __syncthreads();
    }
  }
}

//! Launches the demand kernel specialized for n ≤ 16 providers, the generic one otherwise.
void launch_demand(const ProfileView& t, const UsersView& users, std::int64_t block_size, std::int64_t blocks,
                   double* out) {
  const unsigned grid = static_cast<unsigned>(blocks);
  switch (t.n) {
#define TTCG_DEMAND_CASE(N)                                                    \
  case N:                                                                      \
    demand_kernel<N><<<grid, POPULATION_THREADS>>>(t, users, block_size, out); \
    break;
    TTCG_DEMAND_CASE(1)
    TTCG_DEMAND_CASE(2)
    TTCG_DEMAND_CASE(3)
    TTCG_DEMAND_CASE(4)
    TTCG_DEMAND_CASE(5)
    TTCG_DEMAND_CASE(6)
    TTCG_DEMAND_CASE(7)
    TTCG_DEMAND_CASE(8)
    TTCG_DEMAND_CASE(9)
    TTCG_DEMAND_CASE(10)
    TTCG_DEMAND_CASE(12)
    TTCG_DEMAND_CASE(16)
#undef TTCG_DEMAND_CASE
    default:
      demand_kernel<0><<<grid, POPULATION_THREADS>>>(t, users, block_size, out);
  }
  TTCG_CUDA_CHECK_LAUNCH(demand_kernel);
}

//! Per-block online log-sums of provider i's log-profit terms at every level.
__global__ void __launch_bounds__(POPULATION_THREADS)
    utilities_kernel(QueryView g, ProfileView t, UsersView users, int i, std::int64_t block_size, double* out_max,
                     double* out_sum) {
  using BlockReduce = cub::BlockReduce<OnlineLogSum, POPULATION_THREADS>;
  __shared__ typename BlockReduce::TempStorage temp;
  const std::int64_t begin = static_cast<std::int64_t>(blockIdx.x) * block_size;
  const std::int64_t end = begin + block_size < users.count ? begin + block_size : users.count;
  OnlineLogSum acc[population::MAX_LEVELS];
  for (int k = 0; k < g.K; ++k) acc[k] = OnlineLogSum{};
  for (std::int64_t u = begin + threadIdx.x; u < end; u += POPULATION_THREADS) {
    const double alpha = users.alpha[u], beta = users.beta[u], v0 = users.v0[u];
    const std::int32_t q = users.question[u];
    const double la = population::log_aggregate_without(t, alpha, beta, v0, q, i);
    for (int k = 0; k < g.K; ++k) acc[k].add(population::log_profit_term(g, alpha, beta, q, i, k, la));
  }
  for (int k = 0; k < g.K; ++k) {
    const OnlineLogSum total = BlockReduce(temp).Reduce(acc[k], MergeLogSums{});
    if (threadIdx.x == 0) {
      out_max[static_cast<std::int64_t>(blockIdx.x) * g.K + k] = total.max;
      out_sum[static_cast<std::int64_t>(blockIdx.x) * g.K + k] = total.sum;
    }
    __syncthreads();
  }
}

__global__ void outcomes_kernel(QueryView g, ProfileView t, const int* profile, UsersView users, Reserve reserve,
                                rng::Philox4x32Key key, std::uint32_t replicate, std::int64_t first, std::int64_t count,
                                population::Outcome* market, population::Outcome* auction, double* first_best) {
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= count) return;
  const std::int64_t u = first + j;
  double e[population::MAX_PROVIDERS], score[population::MAX_PROVIDERS];
  int level[population::MAX_PROVIDERS];
  const rng::Philox4x32Ctr w = rng::draw(key, replicate, 0, static_cast<std::uint32_t>(u), population::DRAW_OUTCOME);
  const double alpha = users.alpha[u], beta = users.beta[u], v0 = users.v0[u];
  const std::int32_t q = users.question[u];
  market[j] = population::market_outcome(g, t, profile, alpha, beta, v0, q, w, e);
  auction[j] = population::auction_outcome(g, alpha, v0, q, reserve, w, score, level);
  first_best[j] = population::first_best(g, alpha, v0, q);
}

__global__ void philox_kernel(rng::Philox4x32Key key, const rng::Philox4x32Ctr* counters, std::int64_t count,
                              rng::Philox4x32Ctr* out) {
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j < count) out[j] = rng::philox_4x32<10>(counters[j], key);
}

__global__ void portable_math_kernel(const double* x, std::int64_t count, double* exp_out, double* log_out,
                                     double* normal_out) {
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= count) return;
  exp_out[j] = portable::exp(x[j]);
  log_out[j] = portable::log(x[j]);
  normal_out[j] = dist::standard_normal_quantile(x[j]);
}

}  // namespace

//! Everything a population keeps on the device.
struct PopulationDevice {
  QueryView g;
  std::int64_t users = 0, block_size = 0, blocks = 0;
  DeviceArray<double> value_fraction, price, cost, log_margin, p_correct, tokens;
  DeviceArray<double> alpha, beta, v0;
  DeviceArray<std::int32_t> question;
  DeviceArray<double> t_value_fraction, t_price, t_cost;  // the tables at the current profile, [Q·n]
  DeviceArray<int> profile;
  DeviceArray<double> demand_sums;               // [blocks][2n + 4]
  DeviceArray<double> utility_max, utility_sum;  // [blocks][K]

  PopulationDevice(const QueryView& host, std::int64_t users_, std::int64_t block_size_)
      : g(host),
        users(users_),
        block_size(block_size_),
        blocks((users_ + block_size_ - 1) / block_size_),
        value_fraction(host.value_fraction, cells(host)),
        price(host.price, cells(host)),
        cost(host.cost, cells(host)),
        log_margin(host.log_margin, cells(host)),
        p_correct(host.p_correct, cells(host)),
        tokens(host.tokens, cells(host)),
        alpha(static_cast<std::size_t>(users_)),
        beta(static_cast<std::size_t>(users_)),
        v0(static_cast<std::size_t>(users_)),
        question(static_cast<std::size_t>(users_)),
        t_value_fraction(profile_cells(host)),
        t_price(profile_cells(host)),
        t_cost(profile_cells(host)),
        profile(static_cast<std::size_t>(host.n)),
        demand_sums(static_cast<std::size_t>(blocks) * static_cast<std::size_t>(2 * host.n + 4)),
        utility_max(static_cast<std::size_t>(blocks) * static_cast<std::size_t>(host.K)),
        utility_sum(static_cast<std::size_t>(blocks) * static_cast<std::size_t>(host.K)) {
    g.value_fraction = value_fraction.data();
    g.price = price.data();
    g.cost = cost.data();
    g.log_margin = log_margin.data();
    g.p_correct = p_correct.data();
    g.tokens = tokens.data();
  }
  static std::size_t cells(const QueryView& h) {
    return static_cast<std::size_t>(h.Q) * static_cast<std::size_t>(h.n) * static_cast<std::size_t>(h.K);
  }
  static std::size_t profile_cells(const QueryView& h) {
    return static_cast<std::size_t>(h.Q) * static_cast<std::size_t>(h.n);
  }
  UsersView users_view() const { return UsersView{users, alpha.data(), beta.data(), v0.data(), question.data()}; }
  //! Uploads the tables at a profile and returns their device view.
  ProfileView upload_profile(const ProfileView& host) {
    const std::size_t c = profile_cells(g);
    TTCG_CUDA_CHECK(
        cudaMemcpy(t_value_fraction.data(), host.value_fraction, c * sizeof(double), cudaMemcpyHostToDevice));
    TTCG_CUDA_CHECK(cudaMemcpy(t_price.data(), host.price, c * sizeof(double), cudaMemcpyHostToDevice));
    TTCG_CUDA_CHECK(cudaMemcpy(t_cost.data(), host.cost, c * sizeof(double), cudaMemcpyHostToDevice));
    return ProfileView{g.n, g.Q, t_value_fraction.data(), t_price.data(), t_cost.data()};
  }
};

PopulationDevice* launch_population_open(const QueryView& host, const population::SamplingView& s, std::uint64_t seed,
                                         std::int64_t replicate, std::int64_t users, std::int64_t block_size) {
  auto* d = new PopulationDevice(host, users, block_size);
  try {
    const DeviceDistribution value_scale(s.value_scale), beta(s.beta), v0(s.v0);
    const std::size_t B = static_cast<std::size_t>(s.benchmark.n);
    const DeviceArray<double> prob = upload(s.benchmark.prob, B);
    const DeviceArray<int> alias = upload(s.benchmark.alias, B);
    const DeviceArray<std::int64_t> offset = upload(s.benchmark_offset, B + 1);
    const DeviceArray<double> alpha = upload(s.benchmark_alpha, B);
    population::SamplingView ds = s;
    ds.value_scale = value_scale.view;
    ds.beta = beta.view;
    ds.v0 = v0.view;
    ds.benchmark.prob = prob.data();
    ds.benchmark.alias = alias.data();
    ds.benchmark_offset = offset.data();
    ds.benchmark_alpha = alpha.data();
    const rng::Philox4x32Key key = rng::make_key(seed, population::USERS_STREAM);
    sample_users_kernel<<<flat_grid(users), FLAT_THREADS>>>(ds, key, static_cast<std::uint32_t>(replicate), users,
                                                            d->alpha.data(), d->beta.data(), d->v0.data(),
                                                            d->question.data());
    TTCG_CUDA_CHECK_LAUNCH(sample_users_kernel);
    TTCG_CUDA_CHECK(cudaDeviceSynchronize());  // the temporaries above are freed on return
  } catch (...) {
    delete d;
    throw;
  }
  return d;
}

void population_free(PopulationDevice* d) noexcept {
  delete d;
}

void launch_population_users(PopulationDevice* d, double* alpha, double* beta, double* v0, std::int32_t* question) {
  const std::size_t U = static_cast<std::size_t>(d->users);
  d->alpha.copy_to_host(alpha, U);
  d->beta.copy_to_host(beta, U);
  d->v0.copy_to_host(v0, U);
  d->question.copy_to_host(question, U);
}

void launch_population_demand(PopulationDevice* d, const ProfileView& host, double* out) {
  const ProfileView t = d->upload_profile(host);
  launch_demand(t, d->users_view(), d->block_size, d->blocks, d->demand_sums.data());
  d->demand_sums.copy_to_host(out, d->demand_sums.size());
}

void launch_population_utilities(PopulationDevice* d, const ProfileView& host, int i, double* max, double* sum) {
  const ProfileView t = d->upload_profile(host);
  const std::size_t cells = static_cast<std::size_t>(d->blocks) * static_cast<std::size_t>(d->g.K);
  DeviceArray<double> dmax(cells), dsum(cells);
  utilities_kernel<<<static_cast<unsigned>(d->blocks), POPULATION_THREADS>>>(d->g, t, d->users_view(), i, d->block_size,
                                                                             dmax.data(), dsum.data());
  TTCG_CUDA_CHECK_LAUNCH(utilities_kernel);
  dmax.copy_to_host(max, cells);
  dsum.copy_to_host(sum, cells);
}

void launch_population_outcomes(PopulationDevice* d, const ProfileView& host, const int* profile, Reserve reserve,
                                std::uint64_t seed, std::int64_t replicate, std::int64_t first, std::int64_t count,
                                population::Outcome* market, population::Outcome* auction, double* first_best) {
  const ProfileView t = d->upload_profile(host);
  TTCG_CUDA_CHECK(
      cudaMemcpy(d->profile.data(), profile, static_cast<std::size_t>(d->g.n) * sizeof(int), cudaMemcpyHostToDevice));
  const std::size_t c = static_cast<std::size_t>(count);
  DeviceArray<population::Outcome> dm(c), da(c);
  DeviceArray<double> dfb(c);
  const rng::Philox4x32Key key = rng::make_key(seed, population::OUTCOMES_STREAM);
  outcomes_kernel<<<flat_grid(count), FLAT_THREADS>>>(d->g, t, d->profile.data(), d->users_view(), reserve, key,
                                                      static_cast<std::uint32_t>(replicate), first, count, dm.data(),
                                                      da.data(), dfb.data());
  TTCG_CUDA_CHECK_LAUNCH(outcomes_kernel);
  dm.copy_to_host(market, c);
  da.copy_to_host(auction, c);
  dfb.copy_to_host(first_best, c);
}

void launch_philox_draws(rng::Philox4x32Key key, const rng::Philox4x32Ctr* counters, std::int64_t count,
                         rng::Philox4x32Ctr* out) {
  const std::size_t c = static_cast<std::size_t>(count);
  const DeviceArray<rng::Philox4x32Ctr> in(counters, c);
  DeviceArray<rng::Philox4x32Ctr> result(c);
  philox_kernel<<<flat_grid(count), FLAT_THREADS>>>(key, in.data(), count, result.data());
  TTCG_CUDA_CHECK_LAUNCH(philox_kernel);
  result.copy_to_host(out, c);
}

void launch_portable_math(const double* x, std::int64_t count, double* exp_out, double* log_out, double* normal_out) {
  const std::size_t c = static_cast<std::size_t>(count);
  const DeviceArray<double> in(x, c);
  DeviceArray<double> e(c), l(c), z(c);
  portable_math_kernel<<<flat_grid(count), FLAT_THREADS>>>(in.data(), count, e.data(), l.data(), z.data());
  TTCG_CUDA_CHECK_LAUNCH(portable_math_kernel);
  e.copy_to_host(exp_out, c);
  l.copy_to_host(log_out, c);
  z.copy_to_host(normal_out, c);
}

}  // namespace ttcg::cuda::detail
