// `ttcgames auction`: the reverse second-price auction of one scenario, every bid and the outcome.
#include <iomanip>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "ttcgames/market/auction.hpp"
#include "ttcgames/run/scenario.hpp"

namespace ttcg::cli {
namespace {

struct AuctionOptions {
  std::string scenario;
  std::string reserve;
};

void print_auction(const Scenario& s, const MarketTable& t, const AuctionOutcome& a) {
  std::cout << "Reverse second-price auction: " << s.name << " (reserve: " << to_string(s.reserve)
            << ", v0 = " << s.market.v0 << ")\n";
  std::cout << std::left << std::setw(24) << "provider" << std::right << std::setw(8) << "theta" << std::setw(12)
            << "quality" << std::setw(12) << "cost" << std::setw(12) << "score W"
            << "\n";
  std::cout << std::fixed << std::setprecision(5);
  for (int i = 0; i < t.n; ++i) {
    const std::size_t at = t.at(i, a.level[i]);
    std::cout << std::left << std::setw(24) << t.providers[i] << std::right << std::setw(8) << std::defaultfloat
              << t.theta[a.level[i]] << std::fixed << std::setw(12) << t.q[at] << std::setw(12) << t.c[at]
              << std::setw(12) << a.score[i]
              << (a.clearing.winner == i      ? "  winner"
                  : a.clearing.runner_up == i ? "  runner-up"
                                              : "")
              << "\n";
  }
  if (a.trade)
    std::cout << "winner " << t.providers[a.clearing.winner] << ": welfare " << a.welfare << ", user value "
              << a.user_value << ", price " << a.price << ", winner utility " << a.winner_utility << "\n";
  else
    std::cout << "no trade: every score is below the outside option v0 = " << s.market.v0 << "\n";
}

}  // namespace

Command add_auction_command(CLI::App& app) {
  auto o = std::make_shared<AuctionOptions>();
  CLI::App* cmd = app.add_subcommand(
      "auction", "Run the reverse second-price auction of one scenario and print every bid and the outcome");
  cmd->add_option("scenario", o->scenario, "Scenario file (TOML)")->required();
  cmd->add_option("--reserve", o->reserve, "none | outside-option (default: the scenario's [auction] reserve)")
      ->check(CLI::IsMember({"none", "outside-option"}));
  return {cmd, [o](const Invocation&) {
            ScenarioOverrides overrides;
            if (!o->reserve.empty()) overrides.reserve = o->reserve;
            const Scenario s = load_scenario(o->scenario, overrides);
            const MarketTable t = build_market_table(s.providers, s.market);
            print_auction(s, t, run_auction(t, s.reserve));
            return 0;
          }};
}

}  // namespace ttcg::cli
