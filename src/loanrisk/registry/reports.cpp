// Validation reports attached to versions, and the gate they open: a protected alias (champion)
// moves only to a version whose validation report has no red gate, or with an override and its
// reason, both written to the history.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/registry/registry_writes.hpp"

namespace loanrisk {
namespace {

constexpr const char* kReportColumns =
    "SELECT name, version, sha256, status, red, data_source, against, path, attached_by, "
    "attached_at FROM lr_model_version_reports";

VersionReport to_report(const SqlRow& r) {
  VersionReport out{.name = r.text(0),
                    .version = r.integer(1),
                    .sha256 = r.text(2),
                    .status = r.text(3),
                    .red = {},
                    .data_source = r.text(5),
                    .against = r.text(6),
                    .path = r.text(7),
                    .attached_by = r.text(8),
                    .attached_ms = r.integer(9)};
  for (const auto& line : parse_json_text(r.text(4), "a stored report's red gates")) {
    out.red.push_back(line.get<std::string>());
  }
  return out;
}

// The fields the registry relies on, checked so that any other JSON file is refused by name.
struct ReportFacts {
  std::string status, bundle_sha256, data_source, against;
  std::vector<std::string> red;
};

ReportFacts read_facts(const nlohmann::json& j, const std::string& where) {
  const auto bad = [&](const std::string& what) {
    return InputError(where + " is not a loanrisk validation report (" + what +
                      "); write one with `loanrisk validate --model ... --data ... --out DIR`");
  };
  if (!j.is_object()) throw bad("not a JSON object");
  ReportFacts f;
  if (!j.contains("status") || !j["status"].is_string()) throw bad("no \"status\"");
  f.status = j["status"].get<std::string>();
  if (f.status != "green" && f.status != "amber" && f.status != "red" && f.status != "n/a") {
    throw bad("\"status\" is " + echo_text(f.status) + ", not green, amber, red or n/a");
  }
  if (!j.contains("red") || !j["red"].is_array()) throw bad("no \"red\" list");
  for (const auto& line : j["red"]) {
    if (!line.is_string()) throw bad("\"red\" holds a non-string");
    f.red.push_back(line.get<std::string>());
  }
  if (f.status == "red" && f.red.empty()) throw bad("status red with no red test");
  const auto& model = j.contains("model") ? j["model"] : nlohmann::json();
  if (!model.is_object() || !model.contains("bundle_sha256") ||
      !model["bundle_sha256"].is_string()) {
    throw bad(
        "no model.bundle_sha256: written by a loanrisk older than gated promotion, so "
        "re-run validate");
  }
  f.bundle_sha256 = model["bundle_sha256"].get<std::string>();
  if (j.contains("data") && j["data"].is_object() && j["data"].contains("source") &&
      j["data"]["source"].is_string()) {
    f.data_source = j["data"]["source"].get<std::string>();
  }
  if (j.contains("against") && j["against"].is_object() && j["against"].contains("source") &&
      j["against"]["source"].is_string()) {
    f.against = j["against"]["source"].get<std::string>();
  }
  return f;
}

std::string fix_text(const std::string& name, std::int64_t version) {
  const std::string v = std::to_string(version);
  return "validate it (`loanrisk validate --model models:/" + name + "/" + v +
         " --data BOOK.csv --out DIR`) and attach the report (`loanrisk models attach-report " +
         name + " " + v +
         " DIR`), or override the gate with a reason (--override --reason on the command line, "
         "\"override\": true in the API), which the history keeps";
}

}  // namespace

VersionReport ModelRegistry::attach_report(const std::string& name, std::int64_t version,
                                           const std::filesystem::path& report) {
  std::error_code ec;
  const bool is_dir = std::filesystem::is_directory(report, ec);
  const auto json_path = is_dir ? report / "report.json" : report;
  const auto html_path = json_path.parent_path() / "report.html";
  const std::string json_text = read_file(json_path);
  const ReportFacts facts =
      read_facts(parse_json_text(json_text, json_path.string()), json_path.string());
  const ModelVersion v = get_version(name, version);
  const std::string bundle_hash = sha256_tree(v.source);
  if (facts.bundle_sha256 != bundle_hash) {
    throw UsageError(json_path.string() + " validated another model (bundle sha256 " +
                     echo_text(facts.bundle_sha256.substr(0, 12)) + "...), not version " +
                     std::to_string(version) + " of '" + name + "' (bundle sha256 " +
                     bundle_hash.substr(0, 12) + "...): validate models:/" + name + "/" +
                     std::to_string(version) + " and attach that report");
  }
  const std::string sha = sha256_hex(json_text);
  const auto dir = v.source.parent_path() / "reports" / sha;
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "report.json", json_text);
  if (std::filesystem::exists(html_path, ec)) {
    write_file_atomic(dir / "report.html", read_file(html_path));
  }
  db_.transaction(true, [&] {
    touch_model(db_, name);
    require_status(db_, name, version);
    if (!db_.query("SELECT 1 FROM lr_model_version_reports WHERE name = ? AND version = ? AND "
                   "sha256 = ?",
                   {name, version, sha})
             .empty()) {
      return;  // attached before: the stored record stands
    }
    db_.exec(
        "INSERT INTO lr_model_version_reports(name, version, sha256, status, red, data_source, "
        "against, path, attached_by, attached_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {name, version, sha, facts.status, dump_json(nlohmann::json(facts.red)), facts.data_source,
         facts.against, dir.string(), by_, now_ms()});
    RegistryEvent e = make_event(name, "attach-report", version, "", by_,
                                 "validation " + facts.status +
                                     (facts.data_source.empty() ? "" : " on " + facts.data_source));
    e.report_sha256 = sha;
    record_registry_event(db_, e);
  });
  for (VersionReport& r : reports(name, version)) {
    if (r.sha256 == sha) return r;
  }
  throw InternalError("the report attached to " + name + " version " + std::to_string(version) +
                      " cannot be read back");
}

std::vector<VersionReport> ModelRegistry::reports(const std::string& name, std::int64_t version) {
  get_model(name);
  std::string sql = std::string(kReportColumns) + " WHERE name = ?";
  std::vector<SqlValue> params{name};
  if (version > 0) {
    sql += " AND version = ?";
    params.emplace_back(version);
  }
  sql += " ORDER BY attached_at DESC, sha256";
  std::vector<VersionReport> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const SqlRow& r : db_.query(sql, params)) out.push_back(to_report(r));
  });
  return out;
}

void check_report_sha256(const std::string& hash) {
  if (hash.empty()) return;
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw UsageError("a report hash is 64 lower-case hex digits (sha256); got " + echo_text(hash));
  }
}

std::optional<VersionReport> ModelRegistry::find_report(const std::string& sha256) {
  std::vector<SqlRow> rows;
  db_.transaction(false, [&] {
    rows = db_.query(std::string(kReportColumns) + " WHERE sha256 = ? ORDER BY name, version",
                     {sha256});
  });
  if (rows.empty()) return std::nullopt;
  return to_report(rows[0]);
}

void check_validation_gate(Database& db, const std::vector<std::string>& gated,
                           RegistryEvent& move) {
  if (std::find(gated.begin(), gated.end(), move.alias) == gated.end()) return;
  const std::int64_t version = move.version.value();
  const std::string target = "@" + move.alias + " needs validation evidence: version " +
                             std::to_string(version) + " of '" + move.name + "'";
  if (move.override_gate && move.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw UsageError("overriding the validation gate of @" + move.alias +
                     " needs a reason (--reason), which the history keeps");
  }
  std::vector<SqlRow> rows;
  if (!move.report_sha256.empty()) {
    rows = db.query(std::string(kReportColumns) + " WHERE name = ? AND version = ? AND sha256 = ?",
                    {move.name, version, move.report_sha256});
    if (rows.empty()) {
      throw UsageError("report " + move.report_sha256 + " is not attached to version " +
                       std::to_string(version) + " of '" + move.name +
                       "': see `loanrisk models reports " + move.name + "`");
    }
  } else {
    rows = db.query(std::string(kReportColumns) +
                        " WHERE name = ? AND version = ? ORDER BY attached_at DESC, sha256 LIMIT 1",
                    {move.name, version});
  }
  if (rows.empty()) {
    if (move.override_gate) return;
    throw GateError(target + " has no validation report attached; " + fix_text(move.name, version));
  }
  const VersionReport r = to_report(rows[0]);
  move.report_sha256 = r.sha256;
  if (r.status != "red" || move.override_gate) return;
  std::string list;
  for (const auto& line : r.red) list += (list.empty() ? "" : "; ") + line;
  throw GateError(target + " has a red validation report (" + r.sha256.substr(0, 12) + "..., " +
                  std::to_string(r.red.size()) + " red gate" + (r.red.size() == 1 ? "" : "s") +
                  ": " + list + "); validate a better model, or override the gate with a reason " +
                  "(--override --reason on the command line, \"override\": true in the API), " +
                  "which the history keeps");
}

}  // namespace loanrisk
