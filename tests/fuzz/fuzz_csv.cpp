// Fuzz target: the CSV readers (curves_io.hpp): prices, and curves priced by them or by the shipped prices table.
// The first byte picks the reader; for curves priced by the input, the prices and the curves are the two parts of
// the rest, split at the first "\n====\n". A table that reads must be consistent: one accuracy and one token count
// per level and provider.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves_io.hpp"

namespace {

void check(const ttcg::ProviderSet& set) {
  for (const ttcg::ProviderCurves& p : set.providers)
    if (p.accuracy.size() != set.theta.size() || p.tokens.size() != set.theta.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ttcg::PriceTable shipped = ttcg::read_prices_csv(std::string(TTCG_INPUTS_DIR) + "/paper/prices.csv");
  ttcg::fuzz::Bytes in(data, size);
  const std::uint8_t mode = in.next() % 3;
  const std::string_view rest = in.rest();
  try {
    if (mode == 0) {
      ttcg::read_prices_csv(ttcg::fuzz::scratch_file("prices.csv", rest));
    } else if (mode == 1) {
      check(ttcg::read_curves_csv(ttcg::fuzz::scratch_file("curves.csv", rest), shipped));
    } else {
      const std::size_t cut = rest.find("\n====\n");
      const std::string_view prices = rest.substr(0, cut);
      const std::string_view curves = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 6);
      const ttcg::PriceTable table = ttcg::read_prices_csv(ttcg::fuzz::scratch_file("prices.csv", prices));
      check(ttcg::read_curves_csv(ttcg::fuzz::scratch_file("curves.csv", curves), table));
    }
  } catch (const ttcg::InputError&) {
  }
  return 0;
}
