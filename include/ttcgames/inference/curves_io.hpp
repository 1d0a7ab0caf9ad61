// Reading provider curves and prices from CSV (the layout of inputs/paper/curves and inputs/paper/prices.csv).
//
// curves: header "model,theta,accuracy,tokens" plus optional "accuracy_sd", "tokens_sd" columns, any order; one row
// per (model, level); every model must list the same θ values in the same order. Accuracy must lie in [0, 1];
// digitized curves may overshoot by at most ACCURACY_SD_SLACK standard deviations when an accuracy_sd column is
// given (the values are kept as they are, as the reference implementation does). Tokens must be finite and ≥ 0.
// prices: header "model,usd_per_million_tokens". Errors name the file and line and what would be valid.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ttcgames/market/market.hpp"

namespace ttcg {

//! How many accuracy_sd a digitized accuracy may lie outside [0, 1].
constexpr double ACCURACY_SD_SLACK = 4.0;

//! Per-model prices, USD per million output tokens.
using PriceTable = std::map<std::string, double>;

PriceTable read_prices_csv(const std::string& path);

//! Reads the curves of `models` (all models in file order when empty) and attaches their prices.
ProviderSet read_curves_csv(const std::string& path, const PriceTable& prices,
                            const std::vector<std::string>& models = {});

//! Writes a ProviderSet in the curves layout (model,theta,accuracy,tokens), every number to 17 significant digits
//! (so that reading it back gives the same doubles).
void write_curves_csv(const std::string& path, const ProviderSet& set);
//! The same with the 1-sd columns accuracy_sd and tokens_sd ([provider][level], like the accuracies).
void write_curves_csv(const std::string& path, const ProviderSet& set,
                      const std::vector<std::vector<double>>& accuracy_sd,
                      const std::vector<std::vector<double>>& tokens_sd);

}  // namespace ttcg
