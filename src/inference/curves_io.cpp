#include "ttcgames/inference/curves_io.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "ttcgames/core/error.hpp"
#include "ttcgames/io/atomic_file.hpp"
#include "ttcgames/io/text_file.hpp"

namespace ttcg {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\"");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\"");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(trim(std::string_view(line).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> lines;  //!< 1-based line number of each row

  int column(const std::string& name, bool required) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it != header.end()) return static_cast<int>(it - header.begin());
    if (required) {
      std::string have;
      for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
      throw input_error({path, 1, 0}, "missing column '" + name + "' (columns: " + have + ")");
    }
    return -1;
  }
  double number(std::size_t row, int col, const char* what) const {
    const std::string& s = rows[row][col];
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
      throw input_error({path, lines[row], 0}, std::string(what) + " '" + s + "' is not a number");
    if (!std::isfinite(v))
      throw input_error({path, lines[row], 0}, std::string(what) + " is " + s + ", expected a finite number");
    return v;
  }
};

CsvTable read_csv(const std::string& path) {
  std::istringstream in(io::read_text_file(path, "CSV file"));
  CsvTable t;
  t.path = path;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    std::vector<std::string> fields = split(line);
    if (t.header.empty()) {
      t.header = std::move(fields);
      continue;
    }
    if (fields.size() != t.header.size())
      throw input_error({path, number, 0}, "expected " + std::to_string(t.header.size()) + " fields (" +
                                               std::to_string(fields.size()) + " found)");
    t.rows.push_back(std::move(fields));
    t.lines.push_back(number);
  }
  if (t.header.empty()) throw input_error({path, 0, 0}, "empty file: expected a header line and data rows");
  if (t.rows.empty()) throw input_error({path, number, 0}, "no data rows after the header");
  return t;
}

}  // namespace

PriceTable read_prices_csv(const std::string& path) {
  const CsvTable t = read_csv(path);
  const int model = t.column("model", true);
  const int price = t.column("usd_per_million_tokens", true);
  PriceTable prices;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const double v = t.number(r, price, "usd_per_million_tokens");
    if (v < 0.0) throw input_error({path, t.lines[r], 0}, "negative price " + t.rows[r][price]);
    if (!prices.emplace(t.rows[r][model], v).second)
      throw input_error({path, t.lines[r], 0}, "duplicate price for model '" + t.rows[r][model] + "'");
  }
  return prices;
}

ProviderSet read_curves_csv(const std::string& path, const PriceTable& prices, const std::vector<std::string>& models) {
  const CsvTable t = read_csv(path);
  const int c_model = t.column("model", true);
  const int c_theta = t.column("theta", true);
  const int c_acc = t.column("accuracy", true);
  const int c_tok = t.column("tokens", true);
  const int c_acc_sd = t.column("accuracy_sd", false);
  std::ostringstream slack_stream;
  slack_stream << ACCURACY_SD_SLACK;
  const std::string slack_text = slack_stream.str();

  struct Rows {
    std::vector<double> theta, accuracy, tokens;
    std::vector<int> lines;
  };
  std::vector<std::string> order;
  std::map<std::string, Rows> by_model;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const SourceLocation at{path, t.lines[r], 0};
    const std::string& name = t.rows[r][c_model];
    if (name.empty()) throw input_error(at, "empty model name");
    const double theta = t.number(r, c_theta, "theta");
    const double acc = t.number(r, c_acc, "accuracy");
    const double tok = t.number(r, c_tok, "tokens");
    const double slack = c_acc_sd >= 0 ? ACCURACY_SD_SLACK * std::fabs(t.number(r, c_acc_sd, "accuracy_sd")) : 0.0;
    if (acc < -slack || acc > 1.0 + slack)
      throw input_error(
          at, "accuracy " + t.rows[r][c_acc] + " of model '" + name + "' is outside [0, 1]" +
                  (slack > 0 ? " (even allowing " + slack_text + " x accuracy_sd for digitized curves)" : ""));
    if (tok < 0.0) throw input_error(at, "tokens " + t.rows[r][c_tok] + " of model '" + name + "' is negative");
    auto [it, inserted] = by_model.try_emplace(name);
    if (inserted) order.push_back(name);
    Rows& rows = it->second;
    if (std::find(rows.theta.begin(), rows.theta.end(), theta) != rows.theta.end())
      throw input_error(at, "duplicate level theta = " + t.rows[r][c_theta] + " for model '" + name + "'");
    rows.theta.push_back(theta);
    rows.accuracy.push_back(acc);
    rows.tokens.push_back(tok);
    rows.lines.push_back(t.lines[r]);
  }

  // The grid: every level any model lists, in the order first seen. Every model must list all of them, in
  // order.
  std::vector<double> grid;
  for (const std::string& name : order)
    for (const double th : by_model.at(name).theta)
      if (std::find(grid.begin(), grid.end(), th) == grid.end()) grid.push_back(th);

  const std::vector<std::string>& wanted = models.empty() ? order : models;
  ProviderSet set;
  set.theta = grid;
  std::set<std::string> seen;
  for (const std::string& name : wanted) {
    const auto it = by_model.find(name);
    if (it == by_model.end()) {
      std::string have;
      for (const auto& m : order) have += (have.empty() ? "" : ", ") + m;
      throw input_error({path, 0, 0}, "no curves for model '" + name + "' (models in the file: " + have + ")");
    }
    if (!seen.insert(name).second) throw InputError("providers: model '" + name + "' is listed twice");
    const Rows& rows = it->second;
    for (const double th : grid)
      if (std::find(rows.theta.begin(), rows.theta.end(), th) == rows.theta.end()) {
        std::ostringstream s;
        s << "model '" << name << "' has no row for level theta = " << th
          << " (other models list it; every model must list the same levels)";
        throw input_error({path, rows.lines.back(), 0}, s.str());
      }
    if (rows.theta != grid)
      throw input_error({path, rows.lines.front(), 0},
                        "model '" + name + "' lists its levels in a different order than the first model ('" +
                            order.front() + "'); list them in the same order");
    const auto price = prices.find(name);
    if (price == prices.end())
      throw input_error({path, rows.lines.front(), 0}, "no price for model '" + name + "' in the prices table");
    set.providers.push_back(ProviderCurves{name, rows.accuracy, rows.tokens, price->second});
  }
  return set;
}

void write_curves_csv(const std::string& path, const ProviderSet& set) {
  write_curves_csv(path, set, {}, {});
}

void write_curves_csv(const std::string& path, const ProviderSet& set,
                      const std::vector<std::vector<double>>& accuracy_sd,
                      const std::vector<std::vector<double>>& tokens_sd) {
  const bool with_sd = !accuracy_sd.empty() || !tokens_sd.empty();
  if (with_sd && (accuracy_sd.size() != set.providers.size() || tokens_sd.size() != set.providers.size()))
    throw std::logic_error("write_curves_csv: one row of standard deviations per provider expected");
  io::AtomicFile file(path);
  std::ofstream out(file.temp_path());
  if (!out) throw IoError(system_error_message(file.temp_path() + ": cannot create the curves CSV", errno));
  out.precision(17);
  out << (with_sd ? "model,theta,accuracy,tokens,accuracy_sd,tokens_sd\n" : "model,theta,accuracy,tokens\n");
  for (std::size_t i = 0; i < set.providers.size(); ++i) {
    const ProviderCurves& p = set.providers[i];
    for (std::size_t k = 0; k < set.theta.size(); ++k) {
      out << p.name << ',' << set.theta[k] << ',' << p.accuracy[k] << ',' << p.tokens[k];
      if (with_sd) out << ',' << accuracy_sd[i].at(k) << ',' << tokens_sd[i].at(k);
      out << '\n';
    }
  }
  out.close();
  if (!out) throw IoError(system_error_message(path + ": cannot write the curves CSV", errno));
  file.commit();
}

}  // namespace ttcg
