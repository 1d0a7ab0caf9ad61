// Reading TOML tables with validation (scenario files, run-log field mappings): typed getters that name the key
// and its file:line:column when a value is of the wrong type, and reject_unknown(), which reports every key that
// was not read, naming the closest valid key. Shared by every section parser so that errors read the same.
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ttcgames/core/error.hpp"

namespace ttcg {

//! The closest of `candidates` to `word` by edit distance ("" when none is reasonably close).
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

//! file:line:column of a TOML node.
inline SourceLocation location(const std::string& file, const toml::source_region& r) {
  return SourceLocation{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

//! Reads one TOML table, remembering which keys were used, so that leftovers can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string file)
      : table_(table), prefix_(std::move(prefix)), file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  std::string key_path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  const toml::node* get(const std::string& key) {
    seen_.insert(key);
    return table_.get(key);
  }
  bool has(const std::string& key) const { return table_.contains(key); }

  [[noreturn]] void fail(const toml::node& node, const std::string& key, const std::string& what) const {
    throw input_error(location(file_, node.source()), "'" + key_path(key) + "' " + what);
  }
  [[noreturn]] void fail_missing(const std::string& key, const std::string& what) const {
    throw input_error(location(file_, table_.source()), "missing key '" + key_path(key) + "': " + what);
  }

  std::optional<double> number(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (const auto v = n->value<double>(); v && (n->is_floating_point() || n->is_integer())) {
      if (!std::isfinite(*v)) fail(*n, key, "must be a finite number");
      return *v;
    }
    fail(*n, key, "must be a number");
  }
  double number(const std::string& key, double fallback) { return number(key).value_or(fallback); }
  double required_number(const std::string& key, const std::string& what) {
    const auto v = number(key);
    if (!v) fail_missing(key, what);
    return *v;
  }
  std::optional<std::int64_t> integer(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return *n->value<std::int64_t>();
    if (n->is_floating_point()) {  // accept 1e8 written as a float when it is integral
      const double v = *n->value<double>();
      if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e18) return static_cast<std::int64_t>(v);
    }
    fail(*n, key, "must be an integer");
  }
  std::optional<std::string> string(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(*n, key, "must be a string");
    return *n->value<std::string>();
  }
  std::optional<bool> boolean(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_boolean()) fail(*n, key, "must be true or false");
    return *n->value<bool>();
  }
  std::string choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback) {
    const toml::node* n = table_.get(key);
    const auto v = string(key);
    if (!v) return fallback;
    if (std::find(allowed.begin(), allowed.end(), *v) != allowed.end()) return *v;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
    const std::string hint = closest_match(*v, allowed);
    fail(*n, key,
         "is \"" + *v + "\"; valid values: " + list + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
  }
  std::optional<std::vector<double>> numbers(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, key, "must be an array of numbers");
    std::vector<double> out;
    for (const toml::node& e : *a) {
      const auto v = e.value<double>();
      if (!v || !(e.is_integer() || e.is_floating_point()) || !std::isfinite(*v))
        throw input_error(location(file_, e.source()), "'" + key_path(key) + "' must contain only finite numbers");
      out.push_back(*v);
    }
    return out;
  }
  std::optional<std::vector<std::string>> strings(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, key, "must be an array of strings");
    std::vector<std::string> out;
    for (const toml::node& e : *a) {
      if (!e.is_string())
        throw input_error(location(file_, e.source()), "'" + key_path(key) + "' must contain only strings");
      out.push_back(*e.value<std::string>());
    }
    return out;
  }
  std::optional<TableReader> table(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) fail(*n, key, "must be a table");
    return TableReader(*n->as_table(), key_path(key), file_);
  }

  //! Every key not read is an error naming the closest valid key.
  void reject_unknown(const std::vector<std::string>& valid) const {
    for (auto&& [k, v] : table_) {
      const std::string key(k.str());
      if (seen_.count(key) || std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
      const std::string hint = closest_match(key, valid);
      std::string list;
      for (const auto& s : valid) list += (list.empty() ? "" : ", ") + s;
      throw input_error(location(file_, k.source()),
                        "unknown key '" + key_path(key) + "'" +
                            (hint.empty() ? "" : " (did you mean '" + key_path(hint) + "'?)") + "; valid keys" +
                            (prefix_.empty() ? "" : " in [" + prefix_ + "]") + ": " + list);
    }
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  std::string file_;
  std::set<std::string> seen_;
};

}  // namespace ttcg
