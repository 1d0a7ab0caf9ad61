// Names that become parts of HDF5 paths and file names (scenario, ensemble and curves dataset names): letters,
// digits, '.', '_' and '-', starting with a letter or digit, at most MAX_NAME_LENGTH characters. So "." and "..",
// empty names, slashes, spaces and control characters never reach a result file's layout (docs/scenario.md).
#pragma once

#include <cstddef>
#include <string>

namespace ttcg {

constexpr std::size_t MAX_NAME_LENGTH = 128;

//! Whether `name` follows the rule above.
bool is_valid_name(const std::string& name);
//! InputError "<what>: '<name>' is not a valid name: use 1 to 128 letters, digits, '.', '_' or '-', starting with a
//! letter or digit" unless is_valid_name(name).
void check_name(const std::string& name, const std::string& what);
//! The rule, for messages and help texts.
const char* name_rule();

}  // namespace ttcg
