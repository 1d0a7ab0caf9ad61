#include "ttcgames/core/text.hpp"

#include <array>
#include <charconv>
#include <iomanip>
#include <sstream>

namespace ttcg {

std::string number_text(double v) {
  std::array<char, 32> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), r.ptr);
}

std::string number_text(double v, int digits) {
  std::ostringstream s;
  s << std::setprecision(digits) << v;
  return s.str();
}

}  // namespace ttcg
