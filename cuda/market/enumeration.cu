// Kernels and launchers of the exhaustive enumerations (social optimum and all pure Nash equilibria), the GPU
// twins of the OpenMP loops in src/market/welfare.cpp and src/market/enumeration.cpp; the per-prefix math is
// enumeration_math.hpp.
//
// One thread per prefix (providers 0..n−2, decoded from the prefix index; grid-stride over a batch of at most
// PREFIXES_PER_LAUNCH prefixes per launch). Each thread folds its prefixes into a per-thread result, a block
// reduction (cub::BlockReduce) leaves one result per block, and the host folds the blocks and the batches.
// The folds use the total orders of launchers.hpp, so the result does not depend on the launch configuration.
// For the stored equilibrium indices, each prefix's 32-bit completion mask is kept, prefixes with a nonzero
// mask are stream-compacted in order (cub::DeviceSelect::Flagged), and the host expands their bits in
// ascending order.
#include <thrust/iterator/counting_iterator.h>
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_select.cuh>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../cuda_check.cuh"
#include "../launchers.hpp"

namespace ttcg::cuda::detail {

namespace {

constexpr int THREADS_PER_BLOCK = 256;
//! Resident blocks per SM aimed for by the grid-stride loops.
constexpr int BLOCKS_PER_SM = 16;
//! Prefixes per kernel launch: bounds the mask buffers (4 + 8 + 4 bytes per prefix) and the time of one
//! launch.
constexpr std::int64_t PREFIXES_PER_LAUNCH = std::int64_t{1} << 22;

struct HigherWelfare {
  __host__ __device__ Candidate operator()(const Candidate& a, const Candidate& b) const {
    return higher_welfare(a, b);
  }
};

struct MergeStats {
  __host__ __device__ EquilibriumStats operator()(const EquilibriumStats& a, const EquilibriumStats& b) const {
    return merge_stats(a, b);
  }
};

//! The game's arrays copied to the device, with a view onto them.
struct DeviceGame {
  DeviceArray<double> x, log_margin, W;
  GameView view;

  explicit DeviceGame(const GameView& host)
      : x(host.x, size(host)), log_margin(host.log_margin, size(host)), W(host.W, size(host)), view(host) {
    view.x = x.data();
    view.log_margin = log_margin.data();
    view.W = W.data();
  }
  static std::size_t size(const GameView& g) { return static_cast<std::size_t>(g.n) * static_cast<std::size_t>(g.K); }
};

//! Largest grid the launchers use: enough resident blocks to fill the current device.
int max_blocks() {
  int device = 0;
  int sms = 0;
  TTCG_CUDA_CHECK(cudaGetDevice(&device));
  TTCG_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  return std::max(sms, 1) * BLOCKS_PER_SM;
}

int grid_size(std::int64_t items, int blocks_max) {
  const std::int64_t needed = (items + THREADS_PER_BLOCK - 1) / THREADS_PER_BLOCK;
  return static_cast<int>(std::min<std::int64_t>(needed, blocks_max));
}

__device__ std::int64_t first_item(std::int64_t begin) {
  return begin + static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ std::int64_t grid_stride() {
  return static_cast<std::int64_t>(gridDim.x) * blockDim.x;
}

//! Writes to block_best[blockIdx.x] the best (welfare, profile index) over prefixes [begin, end).
__global__ void __launch_bounds__(THREADS_PER_BLOCK)
    optimum_kernel(GameView g, LastProviderLevels last, std::int64_t begin, std::int64_t end, Candidate* block_best) {
  using BlockReduce = cub::BlockReduce<Candidate, THREADS_PER_BLOCK>;
  __shared__ typename BlockReduce::TempStorage temp;
  int profile[MAX_PROVIDERS];
  Candidate best{-INFINITY, -1};
  for (std::int64_t prefix = first_item(begin); prefix < end; prefix += grid_stride()) {
    decode_profile(prefix, g.n - 1, g.K, profile);
    const ScaledSum sum = prefix_sum(g, profile);
    double welfare = -INFINITY;
    const int level = best_completion(g, last, sum, welfare);
    if (level >= 0) best = higher_welfare(best, Candidate{welfare, prefix * g.K + level});
  }
  const Candidate block = BlockReduce(temp).Reduce(best, HigherWelfare{});
  if (threadIdx.x == 0) block_best[blockIdx.x] = block;
}

//! Writes to block_stats[blockIdx.x] the equilibria over prefixes [begin, end), and when masks is not null
//! each prefix's completion mask to masks[prefix − begin].
__global__ void __launch_bounds__(THREADS_PER_BLOCK)
    equilibria_kernel(GameView g, double log_tol, std::int64_t begin, std::int64_t end, std::uint32_t* masks,
                      EquilibriumStats* block_stats) {
  using BlockReduce = cub::BlockReduce<EquilibriumStats, THREADS_PER_BLOCK>;
  __shared__ typename BlockReduce::TempStorage temp;
  const int last = g.n - 1;
  int profile[MAX_PROVIDERS];
  EquilibriumStats stats = empty_stats();
  for (std::int64_t prefix = first_item(begin); prefix < end; prefix += grid_stride()) {
    decode_profile(prefix, last, g.K, profile);
    std::uint32_t mask = equilibrium_completions(g, profile, log_tol);
    if (masks != nullptr) masks[prefix - begin] = mask;
    for (int k = 0; mask != 0; ++k, mask >>= 1) {
      if (!(mask & 1u)) continue;
      profile[last] = k;
      add_equilibrium(stats, prefix * g.K + k, social_welfare(g, profile));
    }
  }
  const EquilibriumStats block = BlockReduce(temp).Reduce(stats, MergeStats{});
  if (threadIdx.x == 0) block_stats[blockIdx.x] = block;
}

//! Stream compaction of one batch: the prefixes whose completion mask is nonzero, in order, with their masks.
class PrefixCompactor {
 public:
  explicit PrefixCompactor(std::size_t capacity) : prefixes_(capacity), masks_(capacity), selected_(1), temp_(0) {}

  //! Selects among prefixes [begin, begin + count) those with masks[prefix − begin] != 0; returns how many.
  std::int64_t run(const std::uint32_t* masks, std::int64_t begin, std::int64_t count) {
    const thrust::counting_iterator<std::int64_t> first(begin);
    std::size_t bytes_prefixes = 0;
    std::size_t bytes_masks = 0;
    TTCG_CUDA_CHECK(
        cub::DeviceSelect::Flagged(nullptr, bytes_prefixes, first, masks, prefixes_.data(), selected_.data(), count));
    TTCG_CUDA_CHECK(
        cub::DeviceSelect::Flagged(nullptr, bytes_masks, masks, masks, masks_.data(), selected_.data(), count));
    const std::size_t bytes = std::max(bytes_prefixes, bytes_masks);
    if (bytes > temp_.size()) temp_ = DeviceArray<unsigned char>(bytes);
    bytes_prefixes = temp_.size();
    TTCG_CUDA_CHECK(cub::DeviceSelect::Flagged(temp_.data(), bytes_prefixes, first, masks, prefixes_.data(),
                                               selected_.data(), count));
    bytes_masks = temp_.size();
    TTCG_CUDA_CHECK(
        cub::DeviceSelect::Flagged(temp_.data(), bytes_masks, masks, masks, masks_.data(), selected_.data(), count));
    std::int64_t selected = 0;
    selected_.copy_to_host(&selected, 1);
    return selected;
  }

  //! Copies the first `count` selected prefixes and their masks to the host.
  void copy_to_host(std::int64_t count, std::vector<std::int64_t>& prefixes, std::vector<std::uint32_t>& masks) const {
    prefixes.resize(static_cast<std::size_t>(count));
    masks.resize(static_cast<std::size_t>(count));
    prefixes_.copy_to_host(prefixes.data(), prefixes.size());
    masks_.copy_to_host(masks.data(), masks.size());
  }

 private:
  DeviceArray<std::int64_t> prefixes_;
  DeviceArray<std::uint32_t> masks_;
  DeviceArray<std::int64_t> selected_;
  DeviceArray<unsigned char> temp_;
};

}  // namespace

Candidate launch_exhaustive_optimum(const GameView& host_game, const LastProviderLevels& host_last,
                                    std::int64_t prefixes) {
  const DeviceGame game(host_game);
  const std::size_t levels = static_cast<std::size_t>(host_game.K);
  const DeviceArray<double> g(host_last.g, levels);
  const DeviceArray<double> gw(host_last.gw, levels);
  LastProviderLevels last = host_last;
  last.g = g.data();
  last.gw = gw.data();

  const int blocks_max = max_blocks();
  DeviceArray<Candidate> block_best(static_cast<std::size_t>(blocks_max));
  std::vector<Candidate> host_best(static_cast<std::size_t>(blocks_max));
  Candidate best{-INFINITY, -1};
  for (std::int64_t begin = 0; begin < prefixes; begin += PREFIXES_PER_LAUNCH) {
    const std::int64_t end = std::min(prefixes, begin + PREFIXES_PER_LAUNCH);
    const int blocks = grid_size(end - begin, blocks_max);
    optimum_kernel<<<blocks, THREADS_PER_BLOCK>>>(game.view, last, begin, end, block_best.data());
    TTCG_CUDA_CHECK_LAUNCH(optimum_kernel);
    block_best.copy_to_host(host_best.data(), static_cast<std::size_t>(blocks));
    for (int b = 0; b < blocks; ++b) best = higher_welfare(best, host_best[static_cast<std::size_t>(b)]);
  }
  return best;
}

EquilibriumScan launch_enumerate_equilibria(const GameView& host_game, double log_tol, std::int64_t max_stored,
                                            std::int64_t prefixes) {
  const DeviceGame game(host_game);
  const int blocks_max = max_blocks();
  DeviceArray<EquilibriumStats> block_stats(static_cast<std::size_t>(blocks_max));
  std::vector<EquilibriumStats> host_stats(static_cast<std::size_t>(blocks_max));

  const std::size_t batch_capacity = static_cast<std::size_t>(std::min(prefixes, PREFIXES_PER_LAUNCH));
  const bool store = max_stored > 0;
  DeviceArray<std::uint32_t> masks(store ? batch_capacity : 0);
  PrefixCompactor compactor(store ? batch_capacity : 0);
  std::vector<std::int64_t> selected_prefixes;
  std::vector<std::uint32_t> selected_masks;

  EquilibriumScan scan;
  for (std::int64_t begin = 0; begin < prefixes; begin += PREFIXES_PER_LAUNCH) {
    const std::int64_t end = std::min(prefixes, begin + PREFIXES_PER_LAUNCH);
    const std::int64_t stored = static_cast<std::int64_t>(scan.indices.size());
    const bool need_indices = stored < max_stored;
    const int blocks = grid_size(end - begin, blocks_max);
    equilibria_kernel<<<blocks, THREADS_PER_BLOCK>>>(game.view, log_tol, begin, end,
                                                     need_indices ? masks.data() : nullptr, block_stats.data());
    TTCG_CUDA_CHECK_LAUNCH(equilibria_kernel);
    block_stats.copy_to_host(host_stats.data(), static_cast<std::size_t>(blocks));
    for (int b = 0; b < blocks; ++b) scan.stats = merge_stats(scan.stats, host_stats[static_cast<std::size_t>(b)]);
    if (!need_indices) continue;

    // Each selected prefix holds at least one equilibrium, so max_stored − stored prefixes are enough.
    const std::int64_t selected = compactor.run(masks.data(), begin, end - begin);
    compactor.copy_to_host(std::min(selected, max_stored - stored), selected_prefixes, selected_masks);
    for (std::size_t s = 0; s < selected_prefixes.size(); ++s) {
      std::uint32_t mask = selected_masks[s];
      for (int k = 0; mask != 0; ++k, mask >>= 1) {
        if (!(mask & 1u)) continue;
        if (static_cast<std::int64_t>(scan.indices.size()) >= max_stored) break;
        scan.indices.push_back(selected_prefixes[s] * host_game.K + k);
      }
    }
  }
  return scan;
}

}  // namespace ttcg::cuda::detail
