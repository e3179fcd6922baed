// Four-eyes promotion: a request to move a protected alias and a second person's decision, each
// recorded in the registry's history with who, when, why and the validation report's hash.
#include <string>

#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/registry/registry_writes.hpp"

namespace loanrisk {
namespace {

constexpr const char* kRequestColumns =
    "SELECT id, name, alias, version, requested_by, requested_at, reason, report_sha256, state, "
    "decided_by, decided_at, decision_reason, override_gate FROM lr_alias_requests";

AliasRequest to_request(const SqlRow& r) {
  const AliasRequest out{.id = r.integer(0),
                         .name = r.text(1),
                         .alias = r.text(2),
                         .version = r.integer(3),
                         .requested_by = r.text(4),
                         .requested_ms = r.integer(5),
                         .reason = r.text(6),
                         .report_sha256 = r.text(7),
                         .override_gate = r.integer(12) != 0,
                         .state = r.text(8),
                         .decided_by = r.text(9),
                         .decided_ms = r.optional_integer(10),
                         .decision_reason = r.text(11)};
  return out;
}

void check_reason(const std::string& reason) {
  require_utf8("the reason", reason);
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw UsageError("say why (the reason is recorded in the registry's history)");
  }
}

std::string request_label(const AliasRequest& r) {
  return "request " + std::to_string(r.id) + " (" + r.name + "@" + r.alias + " -> version " +
         std::to_string(r.version) + ")";
}

}  // namespace

AliasRequest ModelRegistry::request_alias(const std::string& name, const std::string& alias,
                                          std::int64_t version, const std::string& reason,
                                          const std::string& report_sha256, bool override_gate) {
  check_alias_name(alias);
  check_reason(reason);
  check_report_sha256(report_sha256);
  get_model(name);
  std::int64_t id = 0;
  db_.transaction(true, [&] {
    touch_model(db_, name);
    if (require_status(db_, name, version) == "ARCHIVED") {
      throw UsageError("version " + std::to_string(version) + " of '" + name +
                       "' is archived; only a READY version can be promoted");
    }
    // Refused now rather than after a second person's review; checked again at approval.
    RegistryEvent gate = make_event(name, "request", version, alias, by_, reason);
    gate.report_sha256 = report_sha256;
    gate.override_gate = override_gate;
    check_validation_gate(db_, gated_, gate);
    // An earlier pending request for the same alias is replaced, not left to be approved later.
    for (const SqlRow& r : db_.query(
             std::string(kRequestColumns) + " WHERE name = ? AND alias = ? AND state = 'pending'",
             {name, alias})) {
      const AliasRequest old = to_request(r);
      db_.exec(
          "UPDATE lr_alias_requests SET state = 'superseded', decided_by = ?, decided_at = ?, "
          "decision_reason = ? WHERE id = ?",
          {by_, now_ms(), std::string("a newer request replaced it"), old.id});
      RegistryEvent e =
          make_event(name, "supersede", old.version, alias, by_, "a newer request replaced it");
      e.request_id = old.id;
      record_registry_event(db_, e);
    }
    id = db_.query(
                "INSERT INTO lr_alias_requests(name, alias, version, requested_by, requested_at, "
                "reason, report_sha256, state, override_gate) VALUES(?, ?, ?, ?, ?, ?, ?, "
                "'pending', ?) RETURNING id",
                {name, alias, version, by_, now_ms(), reason, gate.report_sha256,
                 std::int64_t{override_gate ? 1 : 0}})
             .at(0)
             .integer(0);
    gate.request_id = id;
    record_registry_event(db_, gate);
  });
  return get_request(id);
}

AliasRequest ModelRegistry::approve_request(std::int64_t id, const std::string& reason) {
  check_reason(reason);
  const AliasRequest pending = get_request(id);
  if (pending.state != "pending") {
    throw UsageError(request_label(pending) + " is " + pending.state + " already (by " +
                     pending.decided_by + ")");
  }
  // Who trained and who registered the version do not change: read them before the write.
  const ModelVersion v = get_version(pending.name, pending.version);
  const std::string trainer = store_.get_run(v.run_id).user;
  const auto refuse = [&](const std::string& why) {
    throw RefusedError("four-eyes rule: " + by_ + " " + why + ", so cannot approve " +
                       request_label(pending) + "; another validator must approve it");
  };
  if (by_ == pending.requested_by) refuse("requested this promotion");
  if (by_ == v.created_by) refuse("registered version " + std::to_string(v.version));
  if (by_ == trainer)
    refuse("trained version " + std::to_string(v.version) + " (run " + v.run_id + ")");
  db_.transaction(true, [&] {
    touch_model(db_, pending.name);
    const AliasRequest now =
        to_request(db_.query(std::string(kRequestColumns) + " WHERE id = ?", {id}).at(0));
    if (now.state != "pending") {  // decided by someone else since it was read
      throw UsageError(request_label(now) + " is " + now.state + " already (by " + now.decided_by +
                       ")");
    }
    db_.exec(
        "UPDATE lr_alias_requests SET state = 'approved', decided_by = ?, decided_at = ?, "
        "decision_reason = ? WHERE id = ?",
        {by_, now_ms(), reason, id});
    RegistryEvent approval =
        make_event(pending.name, "approve", pending.version, pending.alias, by_, reason);
    approval.request_id = id;
    approval.report_sha256 = pending.report_sha256;
    approval.override_gate = now.override_gate;
    record_registry_event(db_, approval);
    move_alias(db_, approval, gated_);  // the gate again: the evidence of the moment of the move
  });
  return get_request(id);
}

AliasRequest ModelRegistry::reject_request(std::int64_t id, const std::string& reason) {
  check_reason(reason);
  AliasRequest out;
  db_.transaction(true, [&] {
    const auto rows = db_.query(std::string(kRequestColumns) + " WHERE id = ?", {id});
    if (rows.empty()) throw UsageError("no promotion request " + std::to_string(id));
    const AliasRequest r = to_request(rows[0]);
    if (r.state != "pending") {
      throw UsageError(request_label(r) + " is " + r.state + " already (by " + r.decided_by + ")");
    }
    const std::string state = by_ == r.requested_by ? "withdrawn" : "rejected";
    touch_model(db_, r.name);
    db_.exec(
        "UPDATE lr_alias_requests SET state = ?, decided_by = ?, decided_at = ?, decision_reason = "
        "? "
        "WHERE id = ?",
        {state, by_, now_ms(), reason, id});
    RegistryEvent e = make_event(r.name, state == "withdrawn" ? "withdraw" : "reject", r.version,
                                 r.alias, by_, reason);
    e.request_id = id;
    record_registry_event(db_, e);
  });
  return get_request(id);
}

std::vector<AliasRequest> ModelRegistry::requests(const std::string& name, bool pending_only) {
  std::string sql = std::string(kRequestColumns) + " WHERE 1 = 1";
  std::vector<SqlValue> params;
  if (!name.empty()) {
    sql += " AND name = ?";
    params.emplace_back(name);
  }
  if (pending_only) sql += " AND state = 'pending'";
  sql += " ORDER BY id DESC";
  std::vector<AliasRequest> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const SqlRow& r : db_.query(sql, params)) out.push_back(to_request(r));
  });
  return out;
}

AliasRequest ModelRegistry::get_request(std::int64_t id) {
  std::vector<SqlRow> rows;
  db_.transaction(false,
                  [&] { rows = db_.query(std::string(kRequestColumns) + " WHERE id = ?", {id}); });
  if (rows.empty()) {
    throw UsageError("no promotion request " + std::to_string(id) +
                     "; see `loanrisk models requests` for the pending ones");
  }
  return to_request(rows[0]);
}

}  // namespace loanrisk
