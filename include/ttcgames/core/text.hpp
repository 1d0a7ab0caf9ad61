// Numbers as text, the one definition for messages, tables and machine-readable output.
#pragma once

#include <string>

namespace ttcg {

//! The shortest decimal that reads back as `v` (std::to_chars: "0.1", "1e-07", "inf", "nan").
std::string number_text(double v);
//! `v` to `digits` significant digits in the shorter of fixed and scientific notation (printf's %g).
std::string number_text(double v, int digits);

}  // namespace ttcg
