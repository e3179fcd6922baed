// The audit trail for admins: the web app's Audit page reads it page by page, newest first, and
// exports it as JSON lines (the shape of `loanrisk audit export`).
#include <charconv>
#include <set>

#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/tracking/audit.hpp"

namespace loanrisk {
namespace {

constexpr std::int64_t kDefaultPage = 200, kMaxPage = 5000;

/// A positive integer of at most max from the query, or nullopt when absent; a problem otherwise.
std::optional<std::int64_t> positive(const std::string& text, std::int64_t max, const char* field,
                                     nlohmann::json& problems) {
  if (text.empty()) return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > max) {
    problems.push_back({{"field", field},
                        {"value", echo_text(text)},
                        {"rule", "must be a whole number from 1 to " + std::to_string(max)}});
    return std::nullopt;
  }
  return v;
}

}  // namespace

HttpResponse AppRoutes::audit(const RouteCall& call) const {
  nlohmann::json problems = nlohmann::json::array();
  AuditQuery q;
  const std::string since = query_value(call.query, "since");
  if (!since.empty()) {
    q.since_ms = monitor::parse_utc_time(since);
    if (!q.since_ms) {
      problems.push_back({{"field", "since"},
                          {"value", echo_text(since)},
                          {"rule", "must be a UTC time: 2026-12-05 or 2026-12-05T14:30:00Z"}});
    }
  }
  q.who = query_value(call.query, "who");
  q.outcome = query_value(call.query, "outcome");
  if (!q.outcome.empty() && !std::set<std::string>{"ok", "refused", "failed"}.count(q.outcome)) {
    problems.push_back({{"field", "outcome"},
                        {"value", echo_text(q.outcome)},
                        {"rule", "must be ok, refused or failed (or absent for all)"}});
  }
  q.before_id = positive(query_value(call.query, "before"), INT64_MAX, "before", problems);
  const auto limit = positive(query_value(call.query, "limit"), kMaxPage, "limit", problems);
  const std::string format = query_value(call.query, "format");
  if (!format.empty() && format != "json" && format != "jsonl") {
    problems.push_back({{"field", "format"},
                        {"value", echo_text(format)},
                        {"rule", "must be json (a page, newest first) or jsonl (an export)"}});
  }
  if (!problems.empty()) {
    throw HttpError(422, "invalid audit query: fix each listed field and resend",
                    {{"problems", problems}});
  }
  const bool export_lines = format == "jsonl";
  // An export takes every matching event unless a limit is asked for; a page at most kMaxPage.
  q.limit = limit.value_or(export_lines ? 0 : kDefaultPage);
  auto store = open_app_store(settings_);
  AuditLog log(*store);
  const std::vector<AuditEvent> events = log.list(q);  // oldest first
  if (export_lines) {
    HttpResponse r;
    r.content_type = "application/x-ndjson";
    r.headers = {{"Content-Disposition", "attachment; filename=\"loanrisk-audit.jsonl\""}};
    for (const AuditEvent& e : events) r.body += dump_json(audit_event_json(e)) + "\n";
    return r;
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto it = events.rbegin(); it != events.rend(); ++it) out.push_back(audit_event_json(*it));
  const bool more = static_cast<std::int64_t>(events.size()) == q.limit && !events.empty();
  return json_response({{"events", out},
                        {"limit", q.limit},
                        {"next_before", more ? nlohmann::json(events.front().id) : nullptr}});
}

}  // namespace loanrisk
