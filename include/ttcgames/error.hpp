// Errors. InputError is what a user sees for bad input: it names what is wrong, where (file:line[:column] or a
// scenario key) and what would be valid. Internal contract violations are assertions, not InputErrors.
#pragma once

#include <stdexcept>
#include <string>

namespace ttcg {

//! A problem with user-supplied input (scenario, curves, prices, command-line values).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! A location in a text file, for error messages ("path:line:column"); line/column 0 means unknown.
struct SourceLocation {
  std::string path;
  int line = 0;
  int column = 0;
  std::string str() const;
};

//! Builds an InputError "where: what".
InputError input_error(const SourceLocation& where, const std::string& what);

}  // namespace ttcg
