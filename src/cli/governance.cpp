#include "cli/governance.hpp"

#include <unistd.h>

#include <cstdlib>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/process_identity.hpp"

namespace loanrisk::cli {
namespace {

void record(Store& store, const Identity& who, const std::string& action, const std::string& target,
            int status, const std::string& outcome, const std::string& detail) {
  AuditEvent e;
  e.who = who.name;
  e.role = who.roles_text();
  e.source = who.source;
  e.request_id = "cli-" + std::to_string(::getpid());
  e.client = "cli@" + this_hostname();
  e.action = action;
  e.target = target;
  e.outcome = outcome;
  e.status = status;
  e.detail = detail;
  AuditLog(store).append(e);
}

}  // namespace

Identity cli_identity(Store& store) {
  const char* token = std::getenv("LOANRISK_TOKEN");
  if (!token || !*token) return {this_user(), {}, "os"};
  const std::optional<User> user = UserStore(store).authenticate(token);
  if (!user) {
    // Never the token itself: it may be a real one for another store.
    throw UsageError(
        "LOANRISK_TOKEN is not an active user's token in this store (unknown, mistyped or "
        "revoked): set it to the token `loanrisk users add` printed, or unset it");
  }
  return {user->name, {user->role}, "user"};
}

namespace {

bool has_active(Store& store, bool admins_only) {
  for (const User& u : UserStore(store).list()) {
    if (!u.revoked_ms && (!admins_only || u.role == Role::kAdmin)) return true;
  }
  return false;
}

void check_gate(Store& store, const Identity& who, const Gate& gate) {
  std::string names;
  for (std::size_t i = 0; i < gate.roles.size(); ++i) {
    names += (i == 0                       ? ""
              : i + 1 == gate.roles.size() ? " or "
                                           : ", ") +
             std::string(to_string(gate.roles[i]));
  }
  const std::string needs = names.empty() ? "a user" : "a user with the role " + names;
  if (who.roles.empty()) {
    if (!gate.person && !has_active(store, gate.until_admin)) return;  // single-user mode
    throw RefusedError(gate.what + " needs " + needs +
                       (gate.person ? " (the history records a person, not the shell's account)"
                                    : " once the store has users") +
                       ": set LOANRISK_TOKEN to that user's token");
  }
  if (gate.roles.empty()) return;
  for (Role r : gate.roles) {
    if (who.has(r)) return;
  }
  throw RefusedError("user " + echo_text(who.name) + " has the role " + who.roles_text() + "; " +
                     gate.what + " needs " + names);
}

}  // namespace

int governed(Store& store, const std::string& action, const std::string& target, const Gate& gate,
             const std::function<int(const Identity&)>& fn) {
  Identity who{"", {}, "token"};
  int status = 0;
  try {
    who = cli_identity(store);
    check_gate(store, who, gate);
    status = fn(who);
  } catch (const GateError& e) {
    record(store, who, action, target, kExitRed, "refused", e.what());
    throw;
  } catch (const RefusedError& e) {
    record(store, who, action, target, kExitUsage, "refused", e.what());
    throw;
  } catch (const UsageError& e) {
    // A bad token is a refusal too; other usage errors are the caller's mistakes.
    record(store, who, action, target, kExitUsage, who.source == "token" ? "refused" : "failed",
           e.what());
    throw;
  } catch (const InputError& e) {
    record(store, who, action, target, kExitBadInput, "failed", e.what());
    throw;
  } catch (const std::exception& e) {
    record(store, who, action, target, kExitInternal, "failed", e.what());
    throw;
  }
  record(store, who, action, target, status, audit_outcome(status, false), "");
  return status;
}

}  // namespace loanrisk::cli
