// Reading a whole text input (scenario, CSV, field mapping) with the errors a user can act on: the path, the file's
// role and strerror when it cannot be opened or read ("No such file or directory", "Permission denied", "Is a
// directory"), and a bound on its size. Regular files, FIFOs, /dev/stdin and "-" (standard input) are read alike.
#pragma once

#include <cstddef>
#include <string>

namespace ttcg::io {

//! Largest text input read whole (a scenario listing 10^6 β values is ~20 MB).
constexpr std::size_t MAX_TEXT_INPUT_BYTES = std::size_t{256} << 20;

//! The file's content; InputError "path: cannot open the <role>: <strerror>" or "path: the <role> is larger than …".
std::string read_text_file(const std::string& path, const std::string& role,
                           std::size_t max_bytes = MAX_TEXT_INPUT_BYTES);

}  // namespace ttcg::io
