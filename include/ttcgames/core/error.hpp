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

//! A command line that is wrong in itself (options that contradict each other, a missing output): exit status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! A computed number that is not finite where no documented convention allows it (docs/hdf5-format.md lists the
//! conventions, e.g. PoA = +inf when SW ≤ 0 < SW*): the message names the scenario, β (or replicate, market) and the
//! quantity. Never written to a result file.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! A failure of the operating system (open, write, rename, fsync: a full disk, a missing permission), with strerror.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! An error every rank of a job raised alike, after a collective (a work unit failed somewhere and its message was
//! broadcast): the program reports it once, on rank 0, and every rank exits normally with status 1.
class JobError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! "what: <strerror(error)>", the message of a failed system call (error is an errno value).
std::string system_error_message(const std::string& what, int error);

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
