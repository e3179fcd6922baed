#include "loanrisk/tracking/audit.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

/// Valid UTF-8 without NUL (PostgreSQL text cannot hold one), at most kMaxAuditText bytes (a cut
/// character becomes U+FFFD).
std::string clean(const std::string& text) {
  std::string out = to_valid_utf8(std::string_view(text).substr(0, kMaxAuditText));
  std::replace(out.begin(), out.end(), '\0', ' ');
  return out;
}

constexpr const char* kColumns =
    "SELECT id, time, who, role, source, request_id, client, action, target, outcome, status, "
    "detail FROM lr_audit";

}  // namespace

AuditLog::AuditLog(Store& store) : db_(store.database()) {}

std::int64_t AuditLog::append(AuditEvent e) {
  if (e.time_ms == 0) e.time_ms = now_ms();
  std::int64_t id = 0;
  db_.transaction(true, [&] {
    const auto rows = db_.query(
        "INSERT INTO lr_audit(time, who, role, source, request_id, client, action, target, "
        "outcome, "
        "status, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        {e.time_ms, clean(e.who), clean(e.role), clean(e.source), clean(e.request_id),
         clean(e.client), clean(e.action), clean(e.target), clean(e.outcome), e.status,
         clean(e.detail)});
    id = rows.at(0).integer(0);
  });
  return id;
}

std::vector<AuditEvent> AuditLog::list(const AuditQuery& q) {
  std::string sql = std::string(kColumns) + " WHERE 1 = 1";
  std::vector<SqlValue> params;
  if (q.since_ms) {
    sql += " AND time >= ?";
    params.emplace_back(*q.since_ms);
  }
  if (!q.who.empty()) {
    sql += " AND who = ?";
    params.emplace_back(q.who);
  }
  if (!q.outcome.empty()) {
    sql += " AND outcome = ?";
    params.emplace_back(q.outcome);
  }
  if (q.before_id) {
    sql += " AND id < ?";
    params.emplace_back(*q.before_id);
  }
  sql += " ORDER BY id DESC";
  if (q.limit > 0) {
    sql += " LIMIT ?";
    params.emplace_back(q.limit);
  }
  std::vector<AuditEvent> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const SqlRow& r : db_.query(sql, params)) {
      out.push_back({.id = r.integer(0),
                     .time_ms = r.integer(1),
                     .who = r.text(2),
                     .role = r.text(3),
                     .source = r.text(4),
                     .request_id = r.text(5),
                     .client = r.text(6),
                     .action = r.text(7),
                     .target = r.text(8),
                     .outcome = r.text(9),
                     .status = r.integer(10),
                     .detail = r.text(11)});
    }
  });
  return {out.rbegin(), out.rend()};
}

nlohmann::json audit_event_json(const AuditEvent& e) {
  return {{"id", e.id},           {"time_ms", e.time_ms}, {"who", e.who},
          {"role", e.role},       {"source", e.source},   {"request_id", e.request_id},
          {"client", e.client},   {"action", e.action},   {"target", e.target},
          {"outcome", e.outcome}, {"status", e.status},   {"detail", e.detail}};
}

std::string audit_outcome(std::int64_t status, bool http) {
  if (http ? status < 400 : status == 0) return "ok";
  if (http && (status == 401 || status == 403)) return "refused";
  return "failed";
}

}  // namespace loanrisk
