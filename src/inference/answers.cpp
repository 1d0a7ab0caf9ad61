#define PCRE2_CODE_UNIT_WIDTH 8
#include "ttcgames/inference/answers.hpp"

#include <pcre2.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "ttcgames/core/error.hpp"

namespace ttcg {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= '\x1c' && c <= '\x1f');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::size_t digit_run(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  while (i + n < s.size() && is_digit(s[i + n])) ++n;
  return n;
}
std::size_t space_run(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  while (i + n < s.size() && is_space(s[i + n])) ++n;
  return n;
}
bool has_digit(std::string_view s) {
  for (const char c : s)
    if (is_digit(c)) return true;
  return false;
}
char at(std::string_view s, std::size_t i) {
  return i < s.size() ? s[i] : '\0';
}

// The end of the reference number token starting at `p` (== p when it is empty). The token is a sequence of
// optional parts, each taken greedily: because every later part may be empty, a backtracking regex engine returns
// exactly this greedy sequence.
std::size_t number_token_end(std::string_view s, std::size_t p) {
  std::size_t q = p;
  if (at(s, q) == '(' || at(s, q) == '[') ++q;
  if (at(s, q) == '-') ++q;
  if (at(s, q) == '$') ++q;
  // Integer part: \d{1,3}(,\d{3})+ or \d+.
  const std::size_t run = digit_run(s, q);
  if (run >= 1 && run <= 3 && at(s, q + run) == ',' && digit_run(s, q + run + 1) >= 3) {
    q += run;
    while (at(s, q) == ',' && digit_run(s, q + 1) >= 3) q += 4;
  } else {
    q += run;
  }
  if (at(s, q) == '.' && digit_run(s, q + 1) > 0) q += 1 + digit_run(s, q + 1);
  q += space_run(s, q);
  if (const std::size_t a = digit_run(s, q); a > 0 && at(s, q + a) == '/' && digit_run(s, q + a + 1) > 0)
    q += a + 1 + digit_run(s, q + a + 1);
  if (at(s, q) == ')' || at(s, q) == ']') ++q;
  if (const std::size_t w = space_run(s, q); at(s, q + w) == '%') q += w + 1;
  return q;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
}

// Python's float() on a string without surrounding whitespace: sign, then digits with single '_' between digits,
// optional fraction and exponent; or inf / infinity / nan (any case).
std::optional<double> python_float(std::string_view s) {
  std::string clean;
  std::size_t i = 0;
  if (at(s, 0) == '+' || at(s, 0) == '-') clean += s[i++];
  std::string rest(s.substr(i));
  for (char& c : rest) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (rest == "inf" || rest == "infinity" || rest == "nan") {
    clean += rest;
  } else {
    // digitpart: digit (["_"] digit)*
    auto digits = [&](bool required) {
      const std::size_t start = clean.size();
      while (i < s.size()) {
        if (is_digit(s[i])) {
          clean += s[i++];
        } else if (s[i] == '_' && clean.size() > start && is_digit(at(s, i + 1)) && is_digit(clean.back())) {
          ++i;
        } else {
          break;
        }
      }
      return !required || clean.size() > start;
    };
    const std::size_t int_start = clean.size();
    digits(false);
    const bool has_int = clean.size() > int_start;
    bool has_frac = false;
    if (at(s, i) == '.') {
      clean += s[i++];
      const std::size_t frac_start = clean.size();
      digits(false);
      has_frac = clean.size() > frac_start;
    }
    if (!has_int && !has_frac) return std::nullopt;
    if (at(s, i) == 'e' || at(s, i) == 'E') {
      clean += s[i++];
      if (at(s, i) == '+' || at(s, i) == '-') clean += s[i++];
      if (!digits(true)) return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  return v;  // overflow gives ±inf and underflow 0 or a subnormal, as in Python
}

std::optional<double> parse_digits(std::string_view s) {
  return python_float(s);
}

std::string to_upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

// The prediction quoted in the first ';'-separated segment of a reference explanation: the regex =\s*'(.*)'
// (leftmost '=', '.' not matching a newline, greedy up to the last quote of that line).
std::optional<std::string_view> explanation_quote(std::string_view explanation) {
  const std::string_view first = explanation.substr(0, explanation.find(';'));
  for (std::size_t eq = first.find('='); eq != std::string_view::npos; eq = first.find('=', eq + 1)) {
    const std::size_t quote = eq + 1 + space_run(first, eq + 1);
    if (at(first, quote) != '\'') continue;
    const std::size_t start = quote + 1;
    const std::size_t line_end = std::min(first.find('\n', start), first.size());
    const std::size_t close = first.substr(0, line_end).rfind('\'');
    if (close != std::string_view::npos && close >= start) return first.substr(start, close - start);
  }
  return std::nullopt;
}

// The reference multiple-choice explanation: parsed\s*=\s*'([^']+)'.
std::optional<std::string_view> explanation_choice(std::string_view explanation) {
  const std::string_view first = explanation.substr(0, explanation.find(';'));
  for (std::size_t p = first.find("parsed"); p != std::string_view::npos; p = first.find("parsed", p + 1)) {
    std::size_t q = p + 6 + space_run(first, p + 6);
    if (at(first, q) != '=') continue;
    q += 1 + space_run(first, q + 1);
    if (at(first, q) != '\'') continue;
    const std::size_t close = first.find('\'', q + 1);
    if (close == std::string_view::npos || close == q + 1) continue;
    return first.substr(q + 1, close - q - 1);
  }
  return std::nullopt;
}

std::string text_key(std::string_view text) {
  std::string key;
  key.reserve(text.size() + 1);
  key.push_back('s');
  key.append(text);
  return key;
}

std::string number_key(double v) {
  std::string key(1 + sizeof(double), 'n');
  const auto bits = std::bit_cast<std::array<char, sizeof(double)>>(v);
  std::memcpy(key.data() + 1, bits.data(), sizeof(double));
  return key;
}

}  // namespace

const char* to_string(AnswerRule rule) {
  switch (rule) {
    case AnswerRule::boxed_number:
      return "boxed-number";
    case AnswerRule::multiple_choice:
      return "multiple-choice";
    case AnswerRule::pattern:
      return "pattern";
  }
  return "?";
}

const char* to_string(VoteRule rule) {
  return rule == VoteRule::parsed ? "parsed" : "exact-string";
}

std::string_view trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  return text.substr(b, e - b);
}

std::optional<std::string_view> last_boxed_content(std::string_view text) {
  std::size_t start = std::string_view::npos;
  for (std::size_t i = text.find('\\'); i != std::string_view::npos; i = text.find('\\', i + 1)) {
    std::size_t q;
    if (text.substr(i, 6) == "\\boxed")
      q = i + 6;
    else if (text.substr(i, 5) == "\\fbox")
      q = i + 5;
    else
      continue;
    q += space_run(text, q);
    if (at(text, q) == '{') start = q + 1;
  }
  if (start == std::string_view::npos) return std::nullopt;
  int depth = 1;
  std::size_t i = start;
  for (; i < text.size() && depth > 0; ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}') --depth;
  }
  if (depth != 0) return std::nullopt;
  return trim(text.substr(start, i - 1 - start));
}

std::optional<std::string_view> last_number_token(std::string_view text) {
  std::optional<std::string_view> last;
  std::size_t p = 0;
  while (p <= text.size()) {
    const std::size_t end = number_token_end(text, p);
    if (end > p) {
      const std::string_view token = text.substr(p, end - p);
      if (has_digit(token)) last = trim(token);
      p = end;
    } else {
      ++p;
    }
  }
  return last;
}

namespace {

// The common case "-?digits(.digits)?", read directly (the same correctly rounded value as Python's float()).
std::optional<double> plain_decimal(std::string_view v) {
  std::size_t i = v.empty() || v.front() != '-' ? 0 : 1;
  const std::size_t a = digit_run(v, i);
  if (a == 0) return std::nullopt;
  i += a;
  if (i < v.size()) {
    if (v[i] != '.' || digit_run(v, i + 1) == 0 || i + 1 + digit_run(v, i + 1) != v.size()) return std::nullopt;
  }
  double value = 0.0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  std::string_view v = trim(text);
  if (v.empty()) return std::nullopt;
  if (const auto fast = plain_decimal(v)) return fast;
  if (v.front() == '(' && v.back() == ')') v = trim(v.substr(1, v.size() - 2));
  if (!v.empty() && v.front() == '[' && v.back() == ']') v = trim(v.substr(1, v.size() - 2));
  std::string s(v);
  for (const std::string_view currency : {"$", "\u20b9", "\u20ac", "\u00a3"}) replace_all(s, currency, "");
  for (char& c : s)
    if (c == ',') c = ' ';
  // Collapse whitespace runs to one space and trim.
  std::string t;
  for (const char c : s) {
    if (is_space(c)) {
      if (!t.empty() && t.back() != ' ') t += ' ';
    } else {
      t += c;
    }
  }
  std::string_view u = trim(t);
  const bool negative = !u.empty() && u.front() == '-';
  if (negative) u = trim(u.substr(1));
  const bool percent = !u.empty() && u.back() == '%';
  if (percent) u = trim(u.substr(0, u.size() - 1));

  std::optional<double> value;
  // "a b/c" (one space after the collapse) and "b/c".
  const std::size_t a = digit_run(u, 0);
  const std::size_t slash = u.find('/');
  if (a > 0 && a < u.size() && u[a] == ' ' && slash != std::string_view::npos) {
    const std::size_t b = digit_run(u, a + 1);
    const std::size_t c = digit_run(u, a + 2 + b);
    if (b > 0 && a + 1 + b == slash && c > 0 && slash + 1 + c == u.size()) {
      const double den = *parse_digits(u.substr(slash + 1));
      const double num = *parse_digits(u.substr(a + 1, b));
      value = *parse_digits(u.substr(0, a)) + (den != 0.0 ? num / den : 0.0);
    }
  }
  if (!value && a > 0 && a == slash && digit_run(u, a + 1) > 0 && a + 1 + digit_run(u, a + 1) == u.size()) {
    const double den = *parse_digits(u.substr(a + 1));
    if (den == 0.0) return std::nullopt;
    value = *parse_digits(u.substr(0, a)) / den;
  }
  if (!value) {
    std::string plain;
    for (const char c : u)
      if (c != ' ') plain += c;
    if (plain.empty()) return std::nullopt;
    value = python_float(plain);
    if (!value) return std::nullopt;
  }
  double result = negative ? -*value : *value;
  if (percent) result /= 100.0;
  return result;
}

bool numbers_match(double pred, double truth, double tolerance) {
  return std::fabs(pred - truth) <= tolerance * std::max(1.0, std::fabs(truth));
}

struct AnswerExtractor::Pattern {
  pcre2_code* code = nullptr;
  ~Pattern() { pcre2_code_free(code); }
};

AnswerExtractor::AnswerExtractor(AnswerOptions options) : options_(std::move(options)) {
  options_.choices = to_upper(options_.choices);
  if (options_.rule != AnswerRule::pattern) return;
  if (options_.pattern.empty()) throw InputError("answer rule \"pattern\" needs a non-empty pattern");
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(options_.pattern.data()), options_.pattern.size(),
                                       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &offset, nullptr);
  if (!compiled) {
    std::array<PCRE2_UCHAR, 256> message{};
    pcre2_get_error_message(code, message.data(), message.size());
    throw InputError("answer pattern '" + options_.pattern + "' does not compile at offset " + std::to_string(offset) +
                     ": " + reinterpret_cast<const char*>(message.data()));
  }
  pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE);  // the interpreter is used when JIT is unavailable
  pattern_ = std::make_unique<Pattern>();
  pattern_->code = compiled;
}

AnswerExtractor::~AnswerExtractor() = default;
AnswerExtractor::AnswerExtractor(AnswerExtractor&&) noexcept = default;
AnswerExtractor& AnswerExtractor::operator=(AnswerExtractor&&) noexcept = default;

std::optional<std::string> AnswerExtractor::last_pattern_match(std::string_view text) const {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(pattern_->code, nullptr);
  std::optional<std::string> last;
  PCRE2_SIZE start = 0;
  const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  while (start <= text.size()) {
    const int rc = pcre2_match(pattern_->code, subject, text.size(), start, 0, data, nullptr);
    if (rc < 0) break;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
    const int group = rc >= 2 && ov[2] != PCRE2_UNSET ? 1 : 0;
    last = std::string(text.substr(ov[2 * group], ov[2 * group + 1] - ov[2 * group]));
    start = ov[1];
    if (ov[1] == ov[0]) {  // an empty match: step over one UTF-8 character
      ++start;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0u) == 0x80u) ++start;
    }
  }
  pcre2_match_data_free(data);
  return last;
}

Answer AnswerExtractor::finish(std::optional<std::string> raw) const {
  Answer a;
  if (!raw) return a;
  if (!options_.abstain.empty() && trim(*raw) == options_.abstain) return a;
  if (options_.rule != AnswerRule::multiple_choice) a.value = parse_number(*raw);
  a.raw = std::move(raw);
  return a;
}

Answer AnswerExtractor::from_text(std::string_view text) const {
  switch (options_.rule) {
    case AnswerRule::boxed_number: {
      std::optional<std::string_view> raw = last_boxed_content(text);
      if (!raw || !has_digit(*raw)) raw = last_number_token(text);
      return raw ? finish(std::string(*raw)) : Answer{};
    }
    case AnswerRule::multiple_choice: {
      // Answer\s*:\s*\$?\s*([choices]) case-insensitive; the last occurrence.
      std::optional<std::string> letter;
      const std::string upper = to_upper(text);
      for (std::size_t p = upper.find("ANSWER"); p != std::string::npos; p = upper.find("ANSWER", p + 1)) {
        std::size_t q = p + 6 + space_run(upper, p + 6);
        if (at(upper, q) != ':') continue;
        q += 1 + space_run(upper, q + 1);
        if (at(upper, q) == '$') q += 1 + space_run(upper, q + 1);
        const char c = at(upper, q);
        if (c != '\0' && options_.choices.find(c) != std::string::npos) letter = std::string(1, c);
      }
      return finish(std::move(letter));
    }
    case AnswerRule::pattern: {
      std::optional<std::string> m = last_pattern_match(text);
      if (m) m = std::string(trim(*m));
      return finish(std::move(m));
    }
  }
  return {};
}

Answer AnswerExtractor::from_explanation(std::string_view explanation) const {
  if (options_.rule == AnswerRule::multiple_choice) {
    const auto c = explanation_choice(explanation);
    return c ? finish(to_upper(trim(*c))) : Answer{};
  }
  const auto q = explanation_quote(explanation);
  if (!q || trim(*q).empty()) return {};
  return finish(std::string(trim(*q)));
}

Answer AnswerExtractor::from_parsed(std::string_view parsed) const {
  if (options_.rule == AnswerRule::multiple_choice) return finish(to_upper(trim(parsed)));
  return finish(std::string(parsed));
}

bool AnswerExtractor::is_correct(const Answer& answer, std::string_view truth) const {
  if (!answer.raw) return false;
  if (options_.rule == AnswerRule::multiple_choice) return *answer.raw == to_upper(trim(truth));
  const std::optional<double> t = parse_number(truth);
  if (answer.value && t) return numbers_match(*answer.value, *t, options_.tolerance);
  return trim(*answer.raw) == trim(truth);
}

std::optional<std::string> AnswerExtractor::vote_key(const Answer& answer) const {
  if (!answer.raw) return std::nullopt;
  if (options_.vote == VoteRule::exact_string) return text_key(*answer.raw);
  if (options_.rule == AnswerRule::boxed_number) {
    if (!answer.value) return std::nullopt;
    return number_key(*answer.value);
  }
  const std::string_view t = trim(*answer.raw);
  if (t.empty()) return std::nullopt;
  return text_key(t);
}

std::int32_t AnswerLabeler::label(const std::optional<std::string>& key) {
  if (!key) return -1;
  const auto [it, inserted] = classes_.try_emplace(*key, static_cast<std::int32_t>(classes_.size()));
  return it->second;
}

}  // namespace ttcg
