// The CUDA entry points in a build without CUDA (TTCG_USE_CUDA=OFF): no device, and a clear error if called.
#include "ttcgames/core/backend.hpp"
#include "ttcgames/core/cuda_device.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/ensemble/cuda_ensemble.hpp"
#include "ttcgames/inference/cuda_curves.hpp"
#include "ttcgames/market/cuda_market.hpp"
#include "ttcgames/population/cuda_population.hpp"

namespace ttcg {

namespace cuda {

namespace {
[[noreturn]] void not_built() {
  throw InputError("this ttcgames was built without CUDA (TTCG_USE_CUDA=OFF); use --backend cpu");
}
}  // namespace

int device_count() {
  return 0;
}
std::string device_description() {
  return "built without CUDA";
}
int select_device(int) {
  return -1;
}
BestProfile exhaustive_optimum(const GameView&, const LastProviderLevels&) {
  not_built();
}
EquilibriumSet enumerate_equilibria(const GameView&, double, std::int64_t) {
  not_built();
}
void philox_draws(rng::Philox4x32Key, const rng::Philox4x32Ctr*, std::int64_t, rng::Philox4x32Ctr*) {
  not_built();
}
void portable_math(const double*, std::int64_t, double*, double*, double*) {
  not_built();
}
PopulationHandle* population_open(const population::QueryView&, const population::SamplingView&, std::uint64_t,
                                  std::int64_t, std::int64_t, std::int64_t) {
  not_built();
}
void population_close(PopulationHandle*) noexcept {}
void population_users(PopulationHandle*, double*, double*, double*, std::int32_t*) {
  not_built();
}
void population_demand(PopulationHandle*, const population::ProfileView&, double*) {
  not_built();
}
void population_utilities(PopulationHandle*, const population::ProfileView&, int, double*, double*) {
  not_built();
}
void population_outcomes(PopulationHandle*, const population::ProfileView&, const int*, Reserve, std::uint64_t,
                         std::int64_t, std::int64_t, std::int64_t, population::Outcome*, population::Outcome*,
                         double*) {
  not_built();
}
void solve_ensemble_markets(const EnsembleParams&, std::int64_t, std::int64_t, MarketOutcome*) {
  not_built();
}
PermutationTallies permutation_tallies(const PermutationView&, std::int64_t) {
  not_built();
}

}  // namespace cuda
}  // namespace ttcg
