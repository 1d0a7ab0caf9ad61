// The sections of a scenario file (docs/scenario.md) that describe one market: [market], [dynamics] and
// [equilibria]. Each reader checks its keys (unknown keys name the closest valid one) and reports a bad value at its
// file:line with what would be valid; each writer gives the resolved table back with every default explicit. The
// scenario loader (run/scenario.hpp) calls them.
#pragma once

#include <toml++/toml.h>

#include "ttcgames/io/toml_reader.hpp"
#include "ttcgames/market/enumeration.hpp"
#include "ttcgames/market/equilibrium.hpp"
#include "ttcgames/market/market.hpp"

namespace ttcg {

//! Where the dynamics start: every provider at the lowest or highest level, or a listed profile.
enum class StartKind { lowest, highest, explicit_profile };

//! [market]: alpha (required), baseline, markup, v0, value_curve.
void read_market_section(TableReader t, MarketParams& market);
toml::table market_toml(const MarketParams& market);

//! [dynamics] of a market of n providers on K levels (the start profile is resolved to levels).
void read_dynamics_section(TableReader t, int n, int K, DynamicsOptions& dynamics, StartKind& start);
toml::table dynamics_toml(const DynamicsOptions& dynamics, StartKind start);

//! [equilibria]; the tolerance defaults to `default_tolerance` (the dynamics').
void read_equilibria_section(TableReader t, double default_tolerance, bool& enumerate, EnumerationOptions& enumeration);
toml::table equilibria_toml(bool enumerate, const EnumerationOptions& enumeration);

}  // namespace ttcg
