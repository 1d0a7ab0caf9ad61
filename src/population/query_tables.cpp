#include "ttcgames/population/query_tables.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "ttcgames/core/error.hpp"
#include "ttcgames/inference/curves.hpp"
#include "ttcgames/inference/curves_io.hpp"
#include "ttcgames/inference/question_table.hpp"
#include "ttcgames/market/welfare_math.hpp"

namespace ttcg {

population::QueryView QueryTables::view() const {
  population::QueryView v;
  v.n = n;
  v.K = K;
  v.Q = Q;
  v.value_fraction = value_fraction.data();
  v.price = price.data();
  v.cost = cost.data();
  v.log_margin = log_margin.data();
  v.p_correct = p_correct.data();
  v.tokens = tokens.data();
  v.baseline = market.baseline;
  return v;
}

namespace {

std::string list_of(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& m : names) s += (s.empty() ? "" : ", ") + m;
  return s;
}

bool same_grid(const std::vector<double>& a, const std::vector<double>& b) {
  return a == b;
}

std::string grid_text(const std::vector<double>& theta) {
  std::string s;
  for (const double t : theta) {
    std::ostringstream o;
    o << t;
    s += (s.empty() ? "" : ", ") + o.str();
  }
  return "[" + s + "]";
}

//! Appends one "average question" per benchmark: p_correct and tokens are the provider curves.
void append_curves(const ProviderSet& curves, QueryTables& t) {
  t.qid.push_back("mean");
  for (int i = 0; i < t.n; ++i)
    for (int k = 0; k < t.K; ++k) {
      t.p_correct.push_back(curves.providers[i].accuracy[k]);
      t.tokens.push_back(curves.providers[i].tokens[k]);
    }
}

//! Appends the questions every provider's table has (in the first provider's order); returns how many were dropped.
//! `tables` are the candidate tables (any order), `where` names their origin in errors.
std::int64_t append_questions(const BenchmarkSpec& b, const ProviderSet& providers,
                              const std::vector<const QuestionTable*>& tables, const std::string& where,
                              QueryTables& t) {
  std::map<std::string, const QuestionTable*> by_model;
  std::vector<std::string> models;
  for (const QuestionTable* q : tables) {
    by_model[q->model] = q;
    models.push_back(q->model);
  }
  std::vector<const QuestionTable*> chosen;
  for (const ProviderCurves& p : providers.providers) {
    const auto it = by_model.find(p.name);
    if (it == by_model.end())
      throw InputError(where + ": no question table for provider '" + p.name + "' (tables: " + list_of(models) +
                       "); providers are matched to tables by model name");
    if (!same_grid(it->second->theta, providers.theta))
      throw InputError(where + "/" + p.name + ": levels theta = " + grid_text(it->second->theta) +
                       " differ from the providers' theta = " + grid_text(providers.theta));
    chosen.push_back(it->second);
  }
  std::vector<std::map<std::string, std::size_t>> index(chosen.size());
  for (std::size_t c = 0; c < chosen.size(); ++c)
    for (std::size_t q = 0; q < chosen[c]->qid.size(); ++q) index[c][chosen[c]->qid[q]] = q;
  std::vector<std::string> kept;
  for (const std::string& qid : chosen.front()->qid) {
    bool everywhere = true;
    for (std::size_t c = 1; c < chosen.size() && everywhere; ++c) everywhere = index[c].count(qid) > 0;
    if (everywhere) kept.push_back(qid);
  }
  if (kept.empty())
    throw InputError(where + ": no question id is in every provider's table (" +
                     std::to_string(chosen.front()->qid.size()) + " in '" + chosen.front()->model +
                     "'); questions are aligned by qid across providers");
  std::set<std::string> all;
  for (const QuestionTable* c : chosen) all.insert(c->qid.begin(), c->qid.end());
  for (const std::string& qid : kept) {
    t.qid.push_back(b.name + "/" + qid);
    for (std::size_t c = 0; c < chosen.size(); ++c) {
      const std::size_t q = index[c].at(qid);
      for (int k = 0; k < t.K; ++k) {
        t.p_correct.push_back(chosen[c]->p_correct[chosen[c]->at(q, k)]);
        t.tokens.push_back(chosen[c]->tokens[chosen[c]->at(q, k)]);
      }
    }
  }
  return static_cast<std::int64_t>(all.size() - kept.size());
}

}  // namespace

QueryTables build_query_tables(const PopulationSpec& spec, const ProviderSet& providers, const MarketParams& market,
                               const MethodCurves* runlog_curves) {
  if (providers.providers.empty()) throw InputError("population: no providers");
  QueryTables t;
  t.n = static_cast<int>(providers.providers.size());
  t.K = static_cast<int>(providers.theta.size());
  if (t.n > population::MAX_PROVIDERS)
    throw InputError("population: at most " + std::to_string(population::MAX_PROVIDERS) + " providers, got " +
                     std::to_string(t.n));
  if (t.K > population::MAX_LEVELS)
    throw InputError("population: at most " + std::to_string(population::MAX_LEVELS) + " levels, got " +
                     std::to_string(t.K));
  t.theta = providers.theta;
  t.market = market;
  PriceTable prices;
  for (const ProviderCurves& p : providers.providers) {
    t.providers.push_back(p.name);
    t.usd_per_token.push_back(usd_per_token(p.usd_per_million_tokens));
    prices[p.name] = p.usd_per_million_tokens;
  }
  std::vector<BenchmarkSpec> benchmarks = spec.benchmarks;
  if (benchmarks.empty()) {
    BenchmarkSpec b;
    b.name = "providers";
    b.alpha = market.alpha;
    benchmarks.push_back(b);
  }
  t.benchmark_offset.push_back(0);
  for (const BenchmarkSpec& b : benchmarks) {
    t.benchmarks.push_back(b.name);
    t.benchmark_weight.push_back(b.weight);
    t.benchmark_alpha.push_back(b.alpha);
    t.benchmark_source.push_back(to_string(b.source));
    std::int64_t dropped = 0;
    switch (b.source) {
      case QuerySourceKind::providers:
        append_curves(providers, t);
        break;
      case QuerySourceKind::curves: {
        const ProviderSet curves = read_curves_csv(b.file, prices, t.providers);
        if (!same_grid(curves.theta, providers.theta))
          throw InputError(b.file + ": levels theta = " + grid_text(curves.theta) +
                           " differ from the providers' theta = " + grid_text(providers.theta));
        append_curves(curves, t);
        break;
      }
      case QuerySourceKind::questions: {
        const std::vector<QuestionTable> tables = read_question_tables(b.file, b.dataset, b.method);
        std::vector<const QuestionTable*> list;
        for (const QuestionTable& q : tables) list.push_back(&q);
        dropped =
            append_questions(b, providers, list, b.file + ":/curves/" + b.dataset + "/" + b.method + "/questions", t);
        break;
      }
      case QuerySourceKind::runlogs: {
        if (!runlog_curves)
          throw InputError("benchmark '" + b.name +
                           "': runlogs = true takes the questions of the providers' run logs, but [providers] has "
                           "no runlogs");
        std::vector<const QuestionTable*> list;
        for (const ModelCurve& m : runlog_curves->models) list.push_back(&m.table);
        dropped = append_questions(b, providers, list, "the run logs of [providers]", t);
        break;
      }
    }
    t.questions_dropped.push_back(dropped);
    t.benchmark_offset.push_back(static_cast<std::int64_t>(t.qid.size()));
  }
  t.Q = static_cast<std::int64_t>(t.qid.size());
  if (t.Q * t.n >= std::int64_t{1} << 31)
    throw InputError("population: " + std::to_string(t.Q) + " questions x " + std::to_string(t.n) +
                     " providers exceed 2^31 table rows");

  const std::size_t cells = t.p_correct.size();
  for (auto* v : {&t.value_fraction, &t.price, &t.cost, &t.log_margin}) v->resize(cells);
  for (std::int64_t q = 0; q < t.Q; ++q)
    for (int i = 0; i < t.n; ++i)
      for (int k = 0; k < t.K; ++k) {
        const std::size_t a = t.at(q, i, k);
        const double acc = t.p_correct[a], tok = t.tokens[a];
        if (!std::isfinite(acc) || !std::isfinite(tok) || tok < 0.0)
          throw InputError("population: question '" + t.qid[q] + "' of provider '" + t.providers[i] + "' at level " +
                           std::to_string(k) + " has a non-finite probability or a negative/non-finite token count");
        // level_economics with α = 1 gives φ = b + (1 − b) f(a) in the market's order of operations.
        const LevelEconomics e =
            level_economics(market.value_curve(acc), tok, t.usd_per_token[i], 1.0, market.baseline, market.markup);
        t.value_fraction[a] = e.q;
        t.price[a] = e.p;
        t.cost[a] = e.c;
        t.log_margin[a] = log_margin(e.margin);
        if (!std::isfinite(e.q))
          throw InputError("population: the value curve " + market.value_curve.describe() +
                           " gives a non-finite value at accuracy " + std::to_string(acc));
      }
  return t;
}

}  // namespace ttcg
