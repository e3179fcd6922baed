#pragma once
// Who runs a state-changing command and whether they may: the user of $LOANRISK_TOKEN (a local
// user's token) or, without one, whoever runs the process. Once the store has users, commands that
// change the registry or the users need a token whose role allows them; without users the store
// is in single-user mode and the OS user may do everything. Every such command, refused or not,
// goes to the audit trail. These checks make the trail say who did what; they do not protect a
// store from someone who can write its file or its database directly (file modes and grants do).
#include <functional>
#include <string>
#include <vector>

#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk::cli {

/// What a command needs from its caller.
struct Gate {
  std::string what;         ///< "moving @champion", in the refusal's sentence.
  std::vector<Role> roles;  ///< any of these; empty: any user.
  bool person = false;      ///< must be a user even in single-user mode (approvals).
  /// Single-user mode lasts until the store has an active admin rather than any user (adding
  /// users: the first ones are added by whoever runs the shell).
  bool until_admin = false;
};

/// The caller: $LOANRISK_TOKEN's user (UsageError when it is set but unknown, wrong or revoked),
/// else the OS user with no role.
Identity cli_identity(Store& store);

/// Resolves the caller, checks them against the gate (RefusedError), runs fn and appends the
/// outcome (refusals and failures included) to the audit trail as action on target. Returns
/// fn's exit code; exceptions are recorded and rethrown.
int governed(Store& store, const std::string& action, const std::string& target, const Gate& gate,
             const std::function<int(const Identity&)>& fn);

}  // namespace loanrisk::cli
