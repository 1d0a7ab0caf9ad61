#include "ttcgames/error.hpp"

namespace ttcg {

std::string SourceLocation::str() const {
  std::string s = path.empty() ? std::string("<input>") : path;
  if (line > 0) {
    s.append(":").append(std::to_string(line));
    if (column > 0) s.append(":").append(std::to_string(column));
  }
  return s;
}

InputError input_error(const SourceLocation& where, const std::string& what) {
  return InputError(where.str() + ": " + what);
}

}  // namespace ttcg
