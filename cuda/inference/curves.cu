// Kernels and launcher of the permutation estimator of the inference stage, the GPU twin of
// compute_permutation_block / merge_permutation_blocks in src/inference/curve_estimators.cpp; the per-visit logic is
// curves_math.hpp.
//
// Permutations are processed in batches of whole PERMUTATION_BLOCKs. visit_kernel: one thread per (permutation,
// question), grid-stride, writing the K outcomes of each visit to the batch's [permutation][question][level]
// arrays; its scratch is interleaved (element i of thread t at i·threads + t) so that neighbouring threads touch
// neighbouring words. trial_kernel: one thread per (permutation, level) sums over questions in increasing order.
// question_kernel: one thread per (question, level) adds, block by block in increasing order, each block's sum in
// increasing permutation order. These are the CPU's orders, so the tallies are bitwise equal to the OpenMP path.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../cuda_check.cuh"
#include "../launchers.hpp"

namespace ttcg::cuda::detail {

namespace {

constexpr int CURVES_THREADS_PER_BLOCK = 128;
//! Resident threads per SM aimed for by the visit kernel.
constexpr std::int64_t VISIT_THREADS_PER_SM = 2048;
//! Device memory for the outcomes of one batch, and for the visit scratch.
constexpr std::size_t OUTCOME_BYTES_MAX = std::size_t{1} << 29;
constexpr std::size_t SCRATCH_BYTES_MAX = std::size_t{1} << 29;
//! Bytes of outcomes per (permutation, question, level): majority, best, any, tokens.
constexpr std::size_t OUTCOME_BYTES = 3 * sizeof(std::uint8_t) + sizeof(double);

struct Outcomes {
  std::uint8_t* majority;
  std::uint8_t* best;
  std::uint8_t* any;
  double* tokens;
};

struct Sums {
  std::int64_t* majority;
  std::int64_t* best;
  std::int64_t* any;
  double* tokens;
};

int blocks_for(std::int64_t threads) {
  return static_cast<int>((threads + CURVES_THREADS_PER_BLOCK - 1) / CURVES_THREADS_PER_BLOCK);
}

__global__ void __launch_bounds__(CURVES_THREADS_PER_BLOCK)
    visit_kernel(PermutationView v, std::int64_t first, std::int64_t count, PermutationScratch scratch,
                 std::int64_t threads, Outcomes out) {
  const std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= threads) return;
  const PermutationScratch s{scratch.order + t, scratch.count + t, scratch.first_seen + t, scratch.label_correct + t,
                             threads};
  const std::int64_t items = count * v.Q;
  for (std::int64_t item = t; item < items; item += threads) {
    const std::int64_t p = item / v.Q, q = item % v.Q;
    const std::int64_t at = (p * v.Q + q) * v.K;
    permutation_outcomes(v, static_cast<std::uint32_t>(first + p), static_cast<std::uint32_t>(q), s, out.majority + at,
                         out.best + at, out.any + at, out.tokens + at);
  }
}

__global__ void __launch_bounds__(CURVES_THREADS_PER_BLOCK)
    trial_kernel(std::int64_t Q, std::int32_t K, std::int64_t first, std::int64_t count, Outcomes out, Sums trial) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count * K) return;
  const std::int64_t p = i / K, k = i % K;
  std::int64_t majority = 0, best = 0, any = 0;
  double tokens = 0.0;
  for (std::int64_t q = 0; q < Q; ++q) {
    const std::int64_t at = (p * Q + q) * K + k;
    majority += out.majority[at];
    best += out.best[at];
    any += out.any[at];
    tokens += out.tokens[at];
  }
  const std::int64_t to = (first + p) * K + k;
  trial.majority[to] = majority;
  trial.best[to] = best;
  trial.any[to] = any;
  trial.tokens[to] = tokens;
}

__global__ void __launch_bounds__(CURVES_THREADS_PER_BLOCK)
    question_kernel(std::int64_t Q, std::int32_t K, std::int64_t count, Outcomes out, Sums question) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= Q * K) return;
  const std::int64_t q = i / K, k = i % K;
  std::int64_t majority = question.majority[i], best = question.best[i], any = question.any[i];
  double tokens = question.tokens[i];
  for (std::int64_t begin = 0; begin < count; begin += PERMUTATION_BLOCK) {
    const std::int64_t end = begin + PERMUTATION_BLOCK < count ? begin + PERMUTATION_BLOCK : count;
    double block = 0.0;
    for (std::int64_t p = begin; p < end; ++p) {
      const std::int64_t at = (p * Q + q) * K + k;
      majority += out.majority[at];
      best += out.best[at];
      any += out.any[at];
      block += out.tokens[at];
    }
    tokens += block;
  }
  question.majority[i] = majority;
  question.best[i] = best;
  question.any[i] = any;
  question.tokens[i] = tokens;
}

//! Four device arrays of `size` sums, zeroed.
struct DeviceSums {
  DeviceArray<std::int64_t> majority, best, any;
  DeviceArray<double> tokens;
  explicit DeviceSums(std::size_t size) : majority(size), best(size), any(size), tokens(size) {
    if (size == 0) return;
    TTCG_CUDA_CHECK(cudaMemset(majority.data(), 0, size * sizeof(std::int64_t)));
    TTCG_CUDA_CHECK(cudaMemset(best.data(), 0, size * sizeof(std::int64_t)));
    TTCG_CUDA_CHECK(cudaMemset(any.data(), 0, size * sizeof(std::int64_t)));
    TTCG_CUDA_CHECK(cudaMemset(tokens.data(), 0, size * sizeof(double)));  // all-zero bits are +0.0
  }
  Sums view() { return Sums{majority.data(), best.data(), any.data(), tokens.data()}; }
  void copy_to_host(std::vector<std::int64_t>& m, std::vector<std::int64_t>& b, std::vector<std::int64_t>& a,
                    std::vector<double>& t) const {
    majority.copy_to_host(m.data(), m.size());
    best.copy_to_host(b.data(), b.size());
    any.copy_to_host(a.data(), a.size());
    tokens.copy_to_host(t.data(), t.size());
  }
};

}  // namespace

PermutationTallies launch_permutation_tallies(const PermutationView& host, std::int64_t permutations) {
  const std::size_t cells = static_cast<std::size_t>(host.Q) * static_cast<std::size_t>(host.N);
  const std::size_t Q = static_cast<std::size_t>(host.Q), K = static_cast<std::size_t>(host.K);
  const DeviceArray<std::int32_t> label(host.label, cells);
  const DeviceArray<std::uint8_t> correct(host.correct, cells);
  const DeviceArray<double> reward(host.reward, cells);
  const DeviceArray<double> tokens(host.tokens, cells);
  const DeviceArray<std::int32_t> labels(host.labels, Q);
  const DeviceArray<std::int32_t> theta(host.theta, K);
  PermutationView v = host;
  v.label = label.data();
  v.correct = correct.data();
  v.reward = reward.data();
  v.tokens = tokens.data();
  v.labels = labels.data();
  v.theta = theta.data();

  // Batch: whole blocks of permutations whose outcomes fit OUTCOME_BYTES_MAX (at least one block).
  const std::size_t per_permutation = Q * K * OUTCOME_BYTES;
  const std::int64_t fit_blocks =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(OUTCOME_BYTES_MAX / per_permutation) / PERMUTATION_BLOCK);
  const std::int64_t batch = std::min(permutations, fit_blocks * PERMUTATION_BLOCK);
  const std::size_t outcome_cells = static_cast<std::size_t>(batch) * Q * K;
  DeviceArray<std::uint8_t> out_majority(outcome_cells), out_best(outcome_cells), out_any(outcome_cells);
  DeviceArray<double> out_tokens(outcome_cells);
  const Outcomes out{out_majority.data(), out_best.data(), out_any.data(), out_tokens.data()};

  // Visit threads: enough to fill the device, bounded by the scratch memory (N positions and N label slots each).
  int device = 0, sms = 0;
  TTCG_CUDA_CHECK(cudaGetDevice(&device));
  TTCG_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  const std::size_t N = static_cast<std::size_t>(host.N);
  const std::size_t scratch_per_thread = N * (3 * sizeof(std::uint32_t) + sizeof(std::uint8_t));
  const std::int64_t threads = std::max<std::int64_t>(
      1, std::min({batch * host.Q, static_cast<std::int64_t>(std::max(sms, 1)) * VISIT_THREADS_PER_SM,
                   static_cast<std::int64_t>(SCRATCH_BYTES_MAX / scratch_per_thread)}));
  const std::size_t slots = N * static_cast<std::size_t>(threads);
  DeviceArray<std::uint32_t> order(slots), count(slots), first_seen(slots);
  DeviceArray<std::uint8_t> label_correct(slots);
  const PermutationScratch scratch{order.data(), count.data(), first_seen.data(), label_correct.data(), threads};

  DeviceSums trial(static_cast<std::size_t>(permutations) * K), question(Q * K);
  for (std::int64_t first = 0; first < permutations; first += batch) {
    const std::int64_t n = std::min(batch, permutations - first);
    visit_kernel<<<blocks_for(threads), CURVES_THREADS_PER_BLOCK>>>(v, first, n, scratch, threads, out);
    TTCG_CUDA_CHECK_LAUNCH(visit_kernel);
    trial_kernel<<<blocks_for(n * host.K), CURVES_THREADS_PER_BLOCK>>>(host.Q, host.K, first, n, out, trial.view());
    TTCG_CUDA_CHECK_LAUNCH(trial_kernel);
    question_kernel<<<blocks_for(host.Q * host.K), CURVES_THREADS_PER_BLOCK>>>(host.Q, host.K, n, out, question.view());
    TTCG_CUDA_CHECK_LAUNCH(question_kernel);
  }
  PermutationTallies t;
  t.resize(permutations, host.Q, host.K);
  trial.copy_to_host(t.trial_majority, t.trial_best, t.trial_any, t.trial_tokens);
  question.copy_to_host(t.question_majority, t.question_best, t.question_any, t.question_tokens);
  return t;
}

}  // namespace ttcg::cuda::detail
