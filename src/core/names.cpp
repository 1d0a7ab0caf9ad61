#include "ttcgames/core/names.hpp"

#include "ttcgames/core/error.hpp"

namespace ttcg {
namespace {

bool alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool is_valid_name(const std::string& name) {
  if (name.empty() || name.size() > MAX_NAME_LENGTH || !alphanumeric(name.front())) return false;
  for (const char c : name)
    if (!alphanumeric(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

const char* name_rule() {
  return "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit";
}

void check_name(const std::string& name, const std::string& what) {
  if (!is_valid_name(name)) throw InputError(what + ": '" + name + "' is not a valid name: use " + name_rule());
}

}  // namespace ttcg
