// What happens to the files of a run when it is interrupted (docs/cli.md, "Exit status and files left behind").
//
// A run creates two kinds of files besides its result: temporaries (the result being written, "<output>.tmp-…"),
// which must never outlive the process, and checkpoint journals ("<output>.ckpt"), which are kept exactly when the
// run was interrupted and `--resume` can continue it. Both register here for as long as they exist. On SIGINT,
// SIGTERM or SIGHUP the handler removes every registered temporary, says on stderr which journal was kept, and ends
// the process with exit status 128 + signal. Normal and error paths clean up through the owners' destructors
// (h5::AtomicOutput, the run's checkpoint guard); the registry only covers what destructors cannot: signals.
//
// The handler is async-signal-safe: it reads a fixed table of C strings (published with atomic stores) and calls
// only unlink(2), write(2) and _exit(2). Registration is thread-safe.
#pragma once

#include <string>

namespace ttcg::interrupt {

//! Installs the handlers for SIGINT, SIGTERM and SIGHUP (idempotent).
void install_handlers();

//! Registers a file to delete if a signal ends the process; returns a slot for forget(). std::length_error when
//! every slot is taken (a bug: a run has a handful of such files).
int register_temporary(const std::string& path);
//! Registers a checkpoint journal: kept (and named on stderr, with how to resume) if a signal ends the process.
int register_checkpoint(const std::string& path);
//! Releases a slot (the file was committed, renamed or deleted by its owner); −1 is ignored.
void forget(int slot) noexcept;

//! The signal that is ending the process, 0 when none (for tests and long loops that want to stop early).
int pending_signal() noexcept;

}  // namespace ttcg::interrupt
