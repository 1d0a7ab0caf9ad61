// The exit status contract of the ttcgames program (docs/cli.md, "Exit status"), in one place.
#pragma once

namespace ttcg::exit_status {

//! Every requested result was written.
constexpr int SUCCESS = 0;
//! Bad input (scenario, data files, result files read back, option values found invalid only in context) or a
//! runtime failure (an OS error such as a full disk, a non-finite result): a message on stderr, no output written.
constexpr int ERROR = 1;
//! The command line itself is wrong: unknown subcommand or option, a missing argument, a value out of its range.
constexpr int USAGE = 2;
//! The run stopped at --time-limit or --max-units with a consistent checkpoint; `--resume` continues it
//! (EX_TEMPFAIL of sysexits.h, so a batch system can requeue the job).
constexpr int INCOMPLETE = 75;
//! Interrupted by signal s (SIGINT, SIGTERM, SIGHUP): 128 + s; temporaries removed, the checkpoint kept.
constexpr int INTERRUPTED_BASE = 128;

}  // namespace ttcg::exit_status
