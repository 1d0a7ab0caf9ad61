// Reading the small text inputs (scenarios and field mappings in TOML, curves and prices in CSV) whole: from a
// regular file, a named pipe, standard input ("-" or /dev/stdin) or any other file that can only be read forward, in
// one pass without seeking, bounded in size, and with the operating system's reason when it fails.
#pragma once

#include <cstddef>
#include <string>

namespace ttcg::io {

//! The largest text input a read accepts (256 MiB): a scenario, mapping or CSV table is far smaller; a larger one
//! is a mistake (a run log or a device given as a scenario) that must not exhaust memory.
constexpr std::size_t MAX_TEXT_FILE_BYTES = std::size_t{256} << 20;

//! The file name of standard input ("-"), read once.
constexpr const char* STDIN_NAME = "-";

//! The content of `path` (`what` names it in messages, e.g. "scenario file"; "-" is standard input). InputError
//! "path: cannot open the scenario file: No such file or directory" (the OS's reason), "path: is a directory, not a
//! scenario file", "path: cannot read the scenario file: ...", or "path: the scenario file is longer than N bytes
//! (MAX_TEXT_FILE_BYTES)".
std::string read_text_file(const std::string& path, const std::string& what,
                           std::size_t max_bytes = MAX_TEXT_FILE_BYTES);

}  // namespace ttcg::io
