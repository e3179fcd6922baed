// `loanrisk audit list|export`: the audit trail of state-changing requests and commands, for
// people (a table) and for machines (JSON, JSON lines). Reading it needs no role: whoever can open
// the store can read its tables anyway.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/text_table.hpp"

namespace loanrisk::cli {
namespace {

struct AuditArgs {
  std::string store, since, who, out;
  std::int64_t limit = 0;
  bool json = false;
};

AuditQuery query_of(const AuditArgs& a) {
  AuditQuery q;
  if (!a.since.empty()) {
    q.since_ms = monitor::parse_utc_time(a.since);
    if (!q.since_ms) {
      throw UsageError("--since " + echo_text(a.since) +
                       " is not a UTC time: use 2026-12-05 or 2026-12-05T09:30:00Z");
    }
  }
  q.who = a.who;
  q.limit = a.limit;
  return q;
}

int audit_list(const AuditArgs& a) {
  const AuditQuery q = query_of(a);
  auto store = open_cli_store(a.store);
  const auto events = AuditLog(*store).list(q);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const AuditEvent& e : events) out.push_back(audit_event_json(e));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const AuditEvent& e : events) {
    rows.push_back({format_time_ms(e.time_ms), e.who.empty() ? "(nobody)" : echo_text(e.who, 40),
                    e.role.empty() ? "-" : e.role, echo_text(e.action, 60), echo_text(e.target, 60),
                    e.outcome + " " + std::to_string(e.status), echo_text(e.client, 40),
                    e.detail.empty() ? "-" : echo_text(e.detail, 100)});
  }
  std::cout << render_table(
      {"when", "who", "role", "action", "target", "outcome", "from", "detail"}, rows);
  return 0;
}

int audit_export(const AuditArgs& a) {
  const AuditQuery q = query_of(a);
  auto store = open_cli_store(a.store);
  const auto events = AuditLog(*store).list(q);
  std::ofstream file;
  if (!a.out.empty()) {
    file.open(a.out, std::ios::binary | std::ios::trunc);
    if (!file) throw UsageError("cannot write '" + a.out + "': check the folder exists");
  }
  std::ostream& os = a.out.empty() ? std::cout : file;
  for (const AuditEvent& e : events) os << dump_json(audit_event_json(e)) << "\n";
  os.flush();
  if (!os) throw UsageError("writing the export failed (disk full?)");
  if (!a.out.empty()) std::cerr << events.size() << " events written to " << a.out << "\n";
  return 0;
}

}  // namespace

void add_audit(CLI::App& app, Action& action) {
  auto* audit = app.add_subcommand("audit", "The audit trail: who changed what, when, from where");
  audit->require_subcommand(1);
  auto a = std::make_shared<AuditArgs>();
  auto* list =
      add_store_leaf(audit, "list", "List audit events, oldest first", a, action, audit_list);
  auto* exp =
      add_store_leaf(audit, "export", "Export audit events as JSON lines", a, action, audit_export);
  for (CLI::App* cmd : {list, exp}) {
    cmd->add_option("--since", a->since, "Only events at or after this UTC time (2026-12-05)");
    cmd->add_option("--who", a->who, "Only this identity's events");
    cmd->add_option("--limit", a->limit, "Only the newest N events")->check(CLI::PositiveNumber);
  }
  list->add_flag("--json", a->json, "Print JSON");
  exp->add_option("--out", a->out, "Write to this file instead of stdout");
}

}  // namespace loanrisk::cli
