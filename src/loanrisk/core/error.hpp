#pragma once
// Errors by kind, so that callers (the CLI's exit codes, the server's HTTP statuses) can tell a
// user's mistake from a bug without parsing messages.
#include <stdexcept>
#include <string>

namespace loanrisk {

/// Base of every error loanrisk raises on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A wrong flag, config key or command usage. The CLI exits with code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// A write the machine refuses for a reason the user can fix: a read-only store, a full disk.
/// A UsageError for the CLI (exit code 2); the server answers 503.
class UnavailableError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// A caller who is known but may not do this: a role short of the one needed, or the four-eyes
/// rule (an approver who trained, registered or requested the version). CLI exit code 2; the
/// server answers 403.
class RefusedError : public UsageError {
 public:
  using UsageError::UsageError;
};

/// A move the model's validation evidence does not allow: a protected alias (champion) pointed at
/// a version without a validation report, or whose report has a red gate. CLI exit code 4 (the
/// code of a red gate); the server answers 409.
class GateError : public RefusedError {
 public:
  using RefusedError::RefusedError;
};

/// Bad input data: a CSV row, a bundle on disk, an HTTP body. The CLI exits with code 3.
class InputError : public Error {
 public:
  using Error::Error;
};

/// A bug or a failure of the environment (a library call, the disk). The CLI exits with code 1.
class InternalError : public Error {
 public:
  using Error::Error;
};

/// Process exit codes shared by every command.
enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitUsage = 2,
  kExitBadInput = 3,
  kExitRed = 4,  ///< a red validation gate, or a move that needs a green one.
};

}  // namespace loanrisk
