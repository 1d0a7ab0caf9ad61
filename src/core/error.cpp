#include "ttcgames/core/error.hpp"

#include <cstring>

namespace ttcg {

std::string SourceLocation::str() const {
  std::string s = path.empty() ? std::string("<input>") : path;
  if (line > 0) {
    s.append(":").append(std::to_string(line));
    if (column > 0) s.append(":").append(std::to_string(column));
  }
  return s;
}

std::string system_error_message(const std::string& what, int error) {
  return what + ": " + std::strerror(error);
}

InputError input_error(const SourceLocation& where, const std::string& what) {
  return InputError(where.str() + ": " + what);
}

}  // namespace ttcg
