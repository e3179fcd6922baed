#pragma once
// The audit trail: every state-changing request and command (and every refusal) appended with
// who, with which role, when, from where, on what, and how it ended. Append-only for the
// application: there is no update or delete here, and the store's triggers refuse both.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

/// One entry of the audit trail. Text fields are stored as given after echo-safe trimming (valid
/// UTF-8, at most kMaxAuditText bytes each); secrets are never passed in.
struct AuditEvent {
  std::int64_t id = 0;       ///< assigned by the store, increasing.
  std::int64_t time_ms = 0;  ///< 0: now.
  std::string who;           ///< identity name; "" for nobody (a refused anonymous call).
  std::string role;          ///< the role name, or "" when none.
  std::string source;        ///< Identity::source.
  std::string request_id;    ///< the server's X-Request-Id, or "cli-<pid>" for a command.
  std::string client;        ///< the client's address, or "cli@<host>" for a command.
  std::string action;        ///< "POST /api/v1/admin/promote", "models approve", ...
  std::string target;        ///< what it acted on: "loan_pd@champion -> 3", a user name, ...
  std::string outcome;       ///< "ok", "refused" (401/403, four-eyes) or "failed".
  std::int64_t status = 0;   ///< the HTTP status, or the command's exit code.
  std::string detail;        ///< the error message or the reason given.
};

/// At most this many bytes of each text field are kept (a hostile path cannot bloat the trail).
inline constexpr std::size_t kMaxAuditText = 2000;

/// Filters for reading the trail back.
struct AuditQuery {
  std::optional<std::int64_t> since_ms;   ///< events at or after this time.
  std::string who;                        ///< "" for everyone.
  std::string outcome;                    ///< "ok", "refused", "failed"; "" for all.
  std::optional<std::int64_t> before_id;  ///< events older than this id (the next page).
  std::int64_t limit = 0;                 ///< newest N only (still returned oldest first); 0: all.
};

/// The audit table of a store.
class AuditLog {
 public:
  explicit AuditLog(Store& store);
  /// Appends one event in its own transaction; returns its id.
  std::int64_t append(AuditEvent event);
  /// Events matching the query, oldest first.
  std::vector<AuditEvent> list(const AuditQuery& query = {});

 private:
  Database& db_;
};

/// The event as one JSON object (the shape of `audit list --json` and of each exported line).
nlohmann::json audit_event_json(const AuditEvent& event);

/// The outcome word for an HTTP status or exit code: "ok" below 400 (exit 0), "refused" for 401,
/// 403 and 409 (four-eyes), "failed" otherwise.
std::string audit_outcome(std::int64_t status, bool http);

}  // namespace loanrisk
