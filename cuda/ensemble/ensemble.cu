// Kernel and launcher of market ensembles, the GPU twin of the OpenMP loop in src/ensemble/ensemble.cpp: one thread per
// market runs solve_ensemble_market (ensemble_math.hpp), the same code as the CPU, and writes its MarketOutcome to
// the slot of its market index. The pool tables are copied to the device once per call; markets are launched in
// batches of MARKETS_PER_LAUNCH so that the outcome buffer stays bounded. Nothing depends on the launch
// configuration: each market's result is a function of its index alone.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "../cuda_check.cuh"
#include "../launchers.hpp"

namespace ttcg::cuda::detail {

namespace {

constexpr int ENSEMBLE_THREADS_PER_BLOCK = 128;
//! Markets per launch: bounds the device outcome buffer (about 0.5 kB per market).
constexpr std::int64_t MARKETS_PER_LAUNCH = std::int64_t{1} << 18;

__global__ void __launch_bounds__(ENSEMBLE_THREADS_PER_BLOCK)
    ensemble_kernel(EnsembleParams p, std::int64_t first, std::int64_t count, MarketOutcome* out) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= count) return;
  MarketOutcome outcome;  // in local memory while it is built, then stored once
  solve_ensemble_market(p, static_cast<std::uint32_t>(first + i), outcome);
  out[i] = outcome;
}

}  // namespace

void launch_ensemble_markets(const EnsembleParams& host, std::int64_t first, std::int64_t count, MarketOutcome* out) {
  const std::size_t cells = static_cast<std::size_t>(host.pool_size) * static_cast<std::size_t>(host.K);
  const DeviceArray<double> value(host.pool_value, cells);
  const DeviceArray<double> tokens(host.pool_tokens, cells);
  const DeviceArray<double> price(host.pool_price, static_cast<std::size_t>(host.pool_size));
  EnsembleParams p = host;
  p.pool_value = value.data();
  p.pool_tokens = tokens.data();
  p.pool_price = price.data();

  const std::int64_t batch = std::min(count, MARKETS_PER_LAUNCH);
  DeviceArray<MarketOutcome> outcomes(static_cast<std::size_t>(batch));
  for (std::int64_t begin = 0; begin < count; begin += MARKETS_PER_LAUNCH) {
    const std::int64_t n = std::min(MARKETS_PER_LAUNCH, count - begin);
    const int blocks = static_cast<int>((n + ENSEMBLE_THREADS_PER_BLOCK - 1) / ENSEMBLE_THREADS_PER_BLOCK);
    ensemble_kernel<<<blocks, ENSEMBLE_THREADS_PER_BLOCK>>>(p, first + begin, n, outcomes.data());
    TTCG_CUDA_CHECK_LAUNCH(ensemble_kernel);
    outcomes.copy_to_host(out + begin, static_cast<std::size_t>(n));
  }
}

}  // namespace ttcg::cuda::detail
