// Market primitives (docs/model.md §1): providers with empirical accuracy and token curves on a shared grid of
// test-time-compute levels θ_0..θ_{K-1}, a value curve, and the per-level table of quality q, price p, cost c, user
// value V = q − p, social surplus W = q − c and provider margin p − c. All money is USD per query; tokens are billed
// output tokens per query. The table is immutable once built and shared by every β.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ttcgames/market/market_math.hpp"

namespace ttcg {

//! f(a): linear a; power a^γ; exp (e^{κa} − 1)/(e^κ − 1).
struct ValueCurve {
  ValueCurveKind kind = ValueCurveKind::linear;
  double gamma = 3.5;  //!< exponent of the power curve
  double kappa = 6.0;  //!< curvature of the exp curve
  double operator()(double accuracy) const;
  std::string describe() const;
};

const char* to_string(ValueCurveKind kind);

//! Market-wide parameters (model.md §1).
struct MarketParams {
  double alpha = 0.0;     //!< dollar value of a query (USD)
  double baseline = 0.1;  //!< fraction of α a wrong answer is still worth
  double markup = 0.25;   //!< m: price p = (1 + m)·cost
  double v0 = 0.0;        //!< value of the outside option (USD)
  ValueCurve value_curve;
};

//! One provider's curves on the shared grid, as read from a curves CSV or an inline table.
struct ProviderCurves {
  std::string name;
  std::vector<double> accuracy;  //!< [K] expected accuracy, a fraction
  std::vector<double> tokens;    //!< [K] expected billed output tokens per query
  double usd_per_million_tokens = 0.0;
};

//! Providers sharing one θ grid.
struct ProviderSet {
  std::vector<double> theta;
  std::vector<ProviderCurves> providers;
};

//! Per-provider, per-level economics, row-major [n][K].
struct MarketTable {
  int n = 0;
  int K = 0;
  std::vector<std::string> providers;
  std::vector<double> theta;
  std::vector<double> usd_per_token;  //!< [n]
  std::vector<double> accuracy;       //!< [n*K]
  std::vector<double> tokens;         //!< [n*K]
  std::vector<double> q;              //!< quality α(b + (1−b) f(a))
  std::vector<double> p;              //!< price tokens·π
  std::vector<double> c;              //!< cost p/(1+m)
  std::vector<double> V;              //!< user value q − p
  std::vector<double> W;              //!< social surplus q − c
  std::vector<double> margin;         //!< provider profit per served query p − c
  MarketParams params;

  std::size_t at(int i, int k) const { return static_cast<std::size_t>(i) * static_cast<std::size_t>(K) + k; }
};

//! Builds the table with the reference implementation's arithmetic (price per token = usd_per_million / 1e6).
//! Throws InputError for an empty or ragged set or non-finite values.
MarketTable build_market_table(const ProviderSet& set, const MarketParams& params);

}  // namespace ttcg
