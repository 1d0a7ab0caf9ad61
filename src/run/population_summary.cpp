#include "ttcgames/run/population_summary.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "ttcgames/core/error.hpp"

namespace ttcg {

const NamedStatistic* PopulationSummary::find(const std::string& group, const std::string& quantity) const {
  for (const NamedStatistic& s : statistics)
    if (s.group == group && s.quantity == quantity) return &s;
  return nullptr;
}

namespace {

//! The group names of `parent` (its datasets are skipped).
std::vector<std::string> subgroups(const h5::Group& parent) {
  std::vector<std::string> out;
  for (const std::string& name : parent.list()) {
    const hid_t object = H5Oopen(parent.id(), name.c_str(), H5P_DEFAULT);
    if (object < 0) throw InputError(parent.where(name) + ": cannot be opened");
    const bool group = H5Iget_type(object) == H5I_GROUP;
    H5Oclose(object);
    if (group) out.push_back(name);
  }
  return out;
}

void read_group_statistics(const h5::Group& parent, const std::string& group, int major,
                           std::vector<NamedStatistic>& out) {
  for (const std::string& q : subgroups(parent))
    out.push_back(NamedStatistic{group, q, q, h5::read_statistic(parent.open_group(q), major)});
}

}  // namespace

std::vector<PopulationSummary> read_population_summaries(const h5::Group& root, int major) {
  using h5::ANY;
  std::vector<PopulationSummary> out;
  if (!root.exists("population")) return out;
  const h5::Group all = root.open_group("population");
  for (const std::string& name : all.list()) {
    const h5::Group g = all.open_group(name);
    PopulationSummary s;
    s.name = name;
    s.description = g.read_attribute_string("description");
    s.backend = g.read_attribute_string("backend");
    s.beta_text = g.read_attribute_string("beta");
    s.value_scale_text = g.read_attribute_string("value_scale");
    s.v0_text = g.read_attribute_string("v0");
    s.users = g.read_attribute_i64("users");
    s.replicates = g.read_attribute_i64("replicates");
    s.seed = static_cast<std::uint64_t>(g.read_attribute_i64("seed"));
    s.seconds = g.read_attribute_f64("seconds");
    h5::Dims found;
    s.providers = g.read_strings("providers", {ANY}, &found);
    const hsize_t n = found[0];
    s.theta = g.read_f64("theta", {ANY}, &found);
    const hsize_t K = found[0];
    if (n < 1 || K < 1)
      throw InputError(g.where() + ": " + std::to_string(n) + " providers x " + std::to_string(K) +
                       " levels; a population's market has at least one of each");
    s.n = static_cast<int>(n);
    s.K = static_cast<int>(K);
    const h5::Group b = g.open_group("benchmarks");
    for (const std::int64_t q : b.read_i64("questions", {ANY})) {
      if (q < 0 || q > std::numeric_limits<std::int64_t>::max() - s.questions)
        throw InputError(b.where("questions") + ": value " + std::to_string(q) + " is not a count of questions");
      s.questions += q;
    }
    const h5::Group rg = g.open_group("replicates");
    const auto outside = rg.read_f64("outside_share", {ANY}, &found);
    const hsize_t R = found[0];
    if (s.replicates < 0 || static_cast<std::uint64_t>(s.replicates) != R)
      throw InputError(rg.where("outside_share") + ": " + std::to_string(R) +
                       " rows, but the group's attribute replicates is " + std::to_string(s.replicates));
    const auto profile = rg.read_i32("equilibrium_profile", {R, n});
    for (std::size_t i = 0; i < profile.size(); ++i)
      if (profile[i] < 0 || static_cast<hsize_t>(profile[i]) >= K)
        throw InputError(rg.where("equilibrium_profile") + ": value " + std::to_string(profile[i]) + " at index " +
                         std::to_string(i) + " is not a level index in [0, " + std::to_string(K) + ")");
    s.first_profile.assign(profile.begin(), profile.begin() + std::min<std::size_t>(profile.size(), n));
    const auto shares = rg.read_f64("shares", {R, n});
    s.mean_shares.assign(n, 0.0);
    for (std::size_t x = 0; x < R; ++x) {
      for (std::size_t i = 0; i < n; ++i) s.mean_shares[i] += shares[x * n + i] / static_cast<double>(R);
      s.outside_share += outside[x] / static_cast<double>(R);
    }
    for (const double v : rg.read_f64("max_regret", {R})) s.max_regret = std::max(s.max_regret, v);
    for (const double v : rg.read_f64("max_relative_regret", {R}))
      s.max_relative_regret = std::max(s.max_relative_regret, v);
    const auto opt = rg.read_f64("optimal_welfare", {R}), upper = rg.read_f64("optimal_welfare_upper_bound", {R});
    for (std::size_t x = 0; x < R; ++x) s.optimum_gap = std::max(s.optimum_gap, upper[x] - opt[x]);
    if (major >= 2) {
      s.converged = g.read_scalar_i64("converged");
      s.non_converged = g.read_scalar_i64("non_converged");
      if (s.converged < 0 || s.non_converged < 0 || s.converged + s.non_converged != s.replicates)
        throw InputError(g.where("converged") + ": converged " + std::to_string(s.converged) + " + non_converged " +
                         std::to_string(s.non_converged) + " is not the " + std::to_string(s.replicates) +
                         " replicates");
    } else {  // version 1: no counts (and every replicate was in the statistics)
      for (const std::uint8_t c : rg.read_u8("converged", {R})) s.converged += c ? 1 : 0;
      s.non_converged = s.replicates - s.converged;
    }
    const auto methods = rg.read_strings("optimum_method", {R});
    if (!methods.empty()) s.optimum_method = methods.front();
    read_group_statistics(g.open_group("summary"), "replicates", major, s.statistics);
    const std::int64_t realized = g.read_attribute_i64("realized");
    if (realized != 0 && realized != 1)
      throw InputError(g.where() + "@realized: value " + std::to_string(realized) + ", expected 0 or 1");
    s.realized = realized != 0;
    if (s.realized) {
      read_group_statistics(g.open_group("market"), "market", major, s.statistics);
      read_group_statistics(g.open_group("auction"), "auction", major, s.statistics);
      s.statistics.push_back(NamedStatistic{"first_best", "first_best", "first_best",
                                            h5::read_statistic(g.open_group("first_best"), major)});
      for (const char* regime : {"market", "auction"})
        for (const char* q : {"welfare", "user_surplus", "payment", "provider_profit"})
          if (!s.find(regime, q))
            throw InputError(g.where(std::string(regime) + "/" + q) + ": missing statistic group");
    }
    for (const char* q : {"equilibrium_welfare", "optimal_welfare", "first_best_welfare", "price_of_anarchy"})
      if (!s.find("replicates", q))
        throw InputError(g.where(std::string("summary/") + q) + ": missing statistic group");
    out.push_back(std::move(s));
  }
  return out;
}

void print_population_summary(std::ostream& out, const PopulationSummary& s) {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  const auto ci = [&](const std::string& group, const std::string& quantity) {
    const NamedStatistic* st = s.find(group, quantity);
    std::ostringstream o;
    if (!st) return std::string("-");
    const Tally& t = st->statistic.tally;
    o << std::fixed << std::setprecision(6) << t.mean();
    if (std::isfinite(t.ci95_half_width()))
      o << " +- " << std::scientific << std::setprecision(1) << t.ci95_half_width();
    return o.str();
  };
  out << "\n== population " << s.name << (s.description.empty() ? "" : ": " + s.description) << "\n";
  out << "   " << s.users << " users x " << s.replicates << " replicate(s), seed " << s.seed << ", " << s.n
      << " providers x " << s.K << " levels, " << s.questions << " question(s); backend " << s.backend << "; "
      << std::setprecision(3) << s.seconds << " s\n";
  out << "   beta: " << s.beta_text << " (1/USD); value scale: " << s.value_scale_text << "; v0: " << s.v0_text
      << " (USD)\n";
  out << "   Reached profile (replicate 0), theta per provider and mean share:\n";
  for (int i = 0; i < s.n; ++i) {
    out << "     " << std::left << std::setw(24) << s.providers[i] << std::right << std::defaultfloat
        << std::setprecision(6);
    if (i < static_cast<int>(s.first_profile.size())) out << std::setw(8) << s.theta[s.first_profile[i]];
    out << std::fixed << std::setprecision(4) << std::setw(9) << s.mean_shares[i] << "\n";
  }
  out << std::fixed << std::setprecision(4) << "     outside option " << std::setw(25) << s.outside_share << "\n";
  out << "   Replicates: converged " << s.converged << " of " << s.replicates << "; non-converged " << s.non_converged
      << (s.non_converged > 0 ? " (left out of every mean and interval below)" : "") << "\n";
  out << "   Expected welfare per user (USD; mean +- Student-t 95% CI half-width over converged replicates):\n"
      << "     equilibrium SW " << ci("replicates", "equilibrium_welfare") << "; optimal SW* "
      << ci("replicates", "optimal_welfare") << " (" << s.optimum_method
      << (s.optimum_gap > 0.0 ? ", gap to upper bound " : "");
  if (s.optimum_gap > 0.0) out << std::scientific << std::setprecision(2) << s.optimum_gap;
  out << "); first best " << ci("replicates", "first_best_welfare") << "\n";
  out << "     price of anarchy SW*/SW " << ci("replicates", "price_of_anarchy") << "; certificate: max regret "
      << std::scientific << std::setprecision(1) << s.max_regret << " USD (relative " << s.max_relative_regret << ")\n";
  if (s.realized) {
    out << "   Realized per user (USD; mean +- Student-t 95% CI half-width):\n"
        << "              welfare               user surplus          payment               provider profit\n";
    for (const char* regime : {"market", "auction"}) {
      out << "     " << std::left << std::setw(9) << regime << std::right;
      for (const char* q : {"welfare", "user_surplus", "payment", "provider_profit"})
        out << std::setw(22) << ci(regime, q);
      out << "\n";
    }
  }
  out << "   Legend: SW = expected social welfare per user, SW* the optimum, PoA = SW*/SW; an interval is "
         "mean +- t_{0.975,n-1} sd/sqrt(n), none below n = 2\n";
  out.flags(old_flags);
  out.precision(old_precision);
}

}  // namespace ttcg
