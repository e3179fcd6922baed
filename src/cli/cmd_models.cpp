// `loanrisk models list|show|register|alias|history|archive|request|approve|reject|requests|
// attach-report|reports`: the model registry from the shell. Writes go through governed()
// (cli/governance.hpp): roles once the store has users, and the audit trail.
#include <algorithm>
#include <iostream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/governance.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry_json.hpp"
#include "loanrisk/serve/settings.hpp"
#include "loanrisk/tracking/text_table.hpp"

namespace loanrisk::cli {
namespace {

struct ModelsArgs {
  std::string store, name, run, alias, reason, description, report_sha256, config;
  std::int64_t version = 0, request = 0;
  bool json = false, pending = false, override_gate = false;
  std::string report;       ///< attach-report's folder or report.json.
  std::string version_ref;  ///< "3", or an alias whose version is meant ("challenger").
};

// The version a command names: a number, or an alias (never all digits) read from the registry,
// so that a script can say `models alias loan-default champion challenger`.
ModelsArgs with_version(Store& store, const ModelsArgs& in) {
  ModelsArgs a = in;
  const std::string& ref = in.version_ref;
  if (!ref.empty() && ref.size() <= 18 &&
      ref.find_first_not_of("0123456789") == std::string::npos) {
    a.version = std::stoll(ref);
    if (a.version < 1) throw UsageError("version " + ref + ": versions start at 1");
  } else {
    check_registry_name("version or alias", ref);
    a.version = ModelRegistry(store).alias_version(in.name, ref);
  }
  return a;
}

// The [serve] settings of --config: protected aliases need four-eyes and validation evidence.
ServeSettings serve_settings(const ModelsArgs& a) {
  ServeSettings settings;
  if (!a.config.empty()) apply_serve_toml(settings, a.config);
  return settings;
}

std::string gate_note(const std::string& sha, bool override_gate) {
  if (override_gate) return " (validation gate overridden; the history keeps the reason)";
  return sha.empty() ? "" : " (validation report " + sha.substr(0, 12) + "...)";
}

std::string version_target(const ModelsArgs& a) {
  return a.name + "@" + a.alias + " -> version " + std::to_string(a.version);
}

std::string join_aliases(const std::map<std::string, std::int64_t>& aliases) {
  std::string s;
  for (const auto& [a, v] : aliases) s += (s.empty() ? "@" : ", @") + a + "=" + std::to_string(v);
  return s.empty() ? "-" : s;
}

int models_list(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const auto models = reg.list_models();
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : models) {
      out.push_back(model_to_json(m));
    }
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : models) {
    rows.push_back({m.name, std::to_string(m.latest_version), join_aliases(m.aliases),
                    format_time_ms(m.updated_ms)});
  }
  std::cout << render_table({"name", "latest", "aliases", "updated"}, rows);
  return 0;
}

int models_show(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const RegisteredModel m = reg.get_model(a.name);
  const auto versions = reg.versions(a.name);
  if (a.json) {
    nlohmann::json vs = nlohmann::json::array();
    for (const auto& v : versions) vs.push_back(version_to_json(v));
    nlohmann::json out = model_to_json(m);
    out["versions"] = vs;
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::cout << "model " << m.name << ": " << versions.size() << " version(s), aliases "
            << join_aliases(m.aliases) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : versions) {
    std::string aliases;
    for (const auto& al : v.aliases) aliases += (aliases.empty() ? "@" : ", @") + al;
    rows.push_back({std::to_string(v.version), v.status, aliases.empty() ? "-" : aliases, v.run_id,
                    format_time_ms(v.created_ms), v.created_by, v.description});
  }
  std::cout << render_table(
      {"version", "status", "aliases", "run_id", "created", "by", "description"}, rows);
  return 0;
}

int models_register(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  const Gate gate{"registering a version", {Role::kAnalyst, Role::kAdmin}};
  return governed(
      *store, "models register", a.name + " from run " + a.run, gate, [&](const Identity& who) {
        ModelRegistry reg(*store, who.name);
        const ModelVersion v = reg.register_version(a.name, a.run, a.reason, a.description);
        if (a.json) {
          std::cout << dump_json(version_to_json(v), 2) << "\n";
        } else {
          std::cout << "registered " << v.name << " version " << v.version << " from run "
                    << v.run_id << " (models:/" << v.name << "/" << v.version << ")\n";
        }
        return 0;
      });
}

int models_alias(const ModelsArgs& in) {
  const ServeSettings settings = serve_settings(in);
  const auto& guarded = settings.protected_aliases;
  const bool is_protected = std::find(guarded.begin(), guarded.end(), in.alias) != guarded.end();
  auto store = open_cli_store(in.store);
  const ModelsArgs a = with_version(*store, in);
  const Gate gate{"moving @" + a.alias, {Role::kAnalyst, Role::kValidator, Role::kAdmin}};
  return governed(*store, "models alias", version_target(a), gate, [&](const Identity& who) {
    if (is_protected && !who.roles.empty()) {  // a role means the store has users
      throw RefusedError("@" + a.alias +
                         " is protected and this store has users: ask for the move with "
                         "`loanrisk models request " +
                         a.name + " " + a.alias + " " + std::to_string(a.version) +
                         " --reason ...` and have a second validator approve it");
    }
    ModelRegistry reg(*store, who.name);
    reg.set_gated_aliases(guarded);
    const bool moved =
        reg.set_alias(a.name, a.alias, a.version, a.reason, a.report_sha256, a.override_gate);
    const std::string sha = moved ? reg.history(a.name).back().report_sha256 : "";  // the move's
    std::cout << (moved ? "models:/" + a.name + "@" + a.alias + " now points at version "
                        : "models:/" + a.name + "@" + a.alias + " already points at version ")
              << a.version << (moved ? gate_note(sha, a.override_gate) : "") << "\n";
    return 0;
  });
}

int models_archive(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  const Gate gate{"archiving a version", {Role::kAnalyst, Role::kValidator, Role::kAdmin}};
  return governed(*store, "models archive", a.name + " version " + std::to_string(a.version), gate,
                  [&](const Identity& who) {
                    ModelRegistry reg(*store, who.name);
                    reg.archive(a.name, a.version, a.reason);
                    std::cout << "archived " << a.name << " version " << a.version
                              << " (its bundle is kept and still loadable as models:/" << a.name
                              << "/" << a.version << ")\n";
                    return 0;
                  });
}

void print_request(const AliasRequest& r, bool json) {
  if (json) {
    std::cout << dump_json(request_to_json(r), 2) << "\n";
    return;
  }
  std::cout << "request " << r.id << ": " << r.name << "@" << r.alias << " -> version " << r.version
            << " is " << r.state << (r.decided_by.empty() ? "" : " (by " + r.decided_by + ")")
            << "\n";
}

int models_request(const ModelsArgs& in) {
  auto store = open_cli_store(in.store);
  const ModelsArgs a = with_version(*store, in);
  const Gate gate{
      "asking to move @" + a.alias, {Role::kAnalyst, Role::kValidator, Role::kAdmin}, true};
  return governed(*store, "models request", version_target(a), gate, [&](const Identity& who) {
    ModelRegistry reg(*store, who.name);
    reg.set_gated_aliases(serve_settings(a).protected_aliases);
    print_request(
        reg.request_alias(a.name, a.alias, a.version, a.reason, a.report_sha256, a.override_gate),
        a.json);
    return 0;
  });
}

int models_approve(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  const Gate gate{"approving a promotion", {Role::kValidator, Role::kAdmin}, true};
  return governed(*store, "models approve", "request " + std::to_string(a.request), gate,
                  [&](const Identity& who) {
                    ModelRegistry reg(*store, who.name);
                    reg.set_gated_aliases(serve_settings(a).protected_aliases);
                    print_request(reg.approve_request(a.request, a.reason), a.json);
                    return 0;
                  });
}

int models_reject(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  const Gate gate{"deciding on a promotion request", {}, true};
  return governed(*store, "models reject", "request " + std::to_string(a.request), gate,
                  [&](const Identity& who) {
                    ModelRegistry reg(*store, who.name);
                    const AliasRequest pending = reg.get_request(a.request);
                    if (pending.requested_by != who.name && !who.has(Role::kValidator) &&
                        !who.has(Role::kAdmin)) {
                      throw RefusedError(
                          "only a validator (or its requester, to withdraw it) "
                          "can reject request " +
                          std::to_string(a.request));
                    }
                    print_request(reg.reject_request(a.request, a.reason), a.json);
                    return 0;
                  });
}

int models_requests(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const auto list = reg.requests(a.name, a.pending);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const AliasRequest& r : list) out.push_back(request_to_json(r));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const AliasRequest& r : list) {
    rows.push_back({std::to_string(r.id), r.name + "@" + r.alias, std::to_string(r.version),
                    r.state, r.requested_by, format_time_ms(r.requested_ms),
                    r.decided_by.empty() ? "-" : r.decided_by, r.reason});
  }
  std::cout << render_table(
      {"id", "alias", "version", "state", "requested by", "when", "decided by", "why"}, rows);
  return 0;
}

int models_attach_report(const ModelsArgs& in) {
  auto store = open_cli_store(in.store);
  const ModelsArgs a = with_version(*store, in);
  const Gate gate{"attaching a validation report",
                  {Role::kAnalyst, Role::kValidator, Role::kAdmin}};
  return governed(*store, "models attach-report", a.name + " version " + std::to_string(a.version),
                  gate, [&](const Identity& who) {
                    ModelRegistry reg(*store, who.name);
                    const VersionReport r = reg.attach_report(a.name, a.version, a.report);
                    if (a.json) {
                      std::cout << dump_json(report_to_json(r), 2) << "\n";
                    } else {
                      std::cout << "attached validation report " << r.sha256 << " (" << r.status
                                << ") to " << a.name << " version " << a.version << "; stored in "
                                << r.path.string() << "\n";
                    }
                    return 0;
                  });
}

int models_reports(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const auto list = reg.reports(a.name, a.version);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const VersionReport& r : list) out.push_back(report_to_json(r));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const VersionReport& r : list) {
    rows.push_back({std::to_string(r.version), r.sha256.substr(0, 12), r.status,
                    std::to_string(r.red.size()), r.data_source.empty() ? "-" : r.data_source,
                    r.against.empty() ? "-" : r.against, format_time_ms(r.attached_ms),
                    r.attached_by});
  }
  std::cout << render_table(
      {"version", "sha256", "status", "red", "data", "against", "attached", "by"}, rows);
  return 0;
}

int models_history(const ModelsArgs& a) {
  auto store = open_cli_store(a.store);
  ModelRegistry reg(*store);
  const auto events = reg.history(a.name);
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : events) out.push_back(event_to_json(e));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : events) {
    std::string what = e.event + " v" + (e.version ? std::to_string(*e.version) : "?");
    if (e.event == "alias") {
      what = "@" + e.alias + " -> v" + std::to_string(e.version.value_or(0)) +
             (e.previous_version ? " (was v" + std::to_string(*e.previous_version) + ")" : "");
    }
    if (e.event == "attach-report") what += " report " + e.report_sha256.substr(0, 12);
    if (e.override_gate) what += " (gate overridden)";
    rows.push_back(
        {format_time_ms(e.timestamp_ms), e.user, what, e.reason.empty() ? "-" : e.reason});
  }
  std::cout << render_table({"when", "who", "what", "why"}, rows);
  return 0;
}

}  // namespace

void add_models(CLI::App& app, Action& action) {
  static constexpr const char* kVersionHelp =
      "Version number, or an alias naming it (e.g. challenger)";
  auto* models = app.add_subcommand("models", "The model registry: versions, aliases, history");
  models->require_subcommand(1);
  auto a = std::make_shared<ModelsArgs>();
  auto* list = add_store_leaf(models, "list", "List registered models", a, action, models_list);
  list->add_flag("--json", a->json, "Print JSON");
  auto* show =
      add_store_leaf(models, "show", "Show a model's versions and aliases", a, action, models_show);
  show->add_option("name", a->name, "Model name")->required();
  show->add_flag("--json", a->json, "Print JSON");
  auto* reg = add_store_leaf(models, "register", "Register a run's bundle as the next version", a,
                             action, models_register);
  reg->add_option("name", a->name, "Model name (created on first use)")->required();
  reg->add_option("--run", a->run, "Run whose bundle to register")->required();
  reg->add_option("--reason", a->reason, "Why (kept in the history)");
  reg->add_option("--description", a->description, "Description of the version");
  reg->add_flag("--json", a->json, "Print JSON");
  auto* alias =
      add_store_leaf(models, "alias", "Point an alias (champion, challenger, ...) at a version", a,
                     action, models_alias);
  alias->add_option("name", a->name, "Model name")->required();
  alias->add_option("alias", a->alias, "Alias name")->required();
  alias->add_option("version", a->version_ref, kVersionHelp)->required();
  alias->add_option("--reason", a->reason, "Why (kept in the history)");
  auto* hist =
      add_store_leaf(models, "history", "Every registration, alias move and archive of a model", a,
                     action, models_history);
  hist->add_option("name", a->name, "Model name")->required();
  hist->add_flag("--json", a->json, "Print JSON");
  auto* arch = add_store_leaf(models, "archive", "Archive a version (its bundle is kept)", a,
                              action, models_archive);
  arch->add_option("name", a->name, "Model name")->required();
  arch->add_option("version", a->version, "Version number")->required()->check(CLI::PositiveNumber);
  arch->add_option("--reason", a->reason, "Why (kept in the history)");
  alias->add_option("--report-sha256", a->report_sha256,
                    "Validation report to rely on (default: the version's newest)");
  alias->add_flag("--override", a->override_gate,
                  "Move a protected alias without a green report (needs --reason)");
  auto* attach = add_store_leaf(models, "attach-report",
                                "Attach a validation report (loanrisk validate --out DIR) to a "
                                "version: the evidence a protected alias needs",
                                a, action, models_attach_report);
  attach->add_option("name", a->name, "Model name")->required();
  attach->add_option("version", a->version_ref, kVersionHelp)->required();
  attach->add_option("report", a->report, "Report folder (report.json, report.html) or report.json")
      ->required();
  attach->add_flag("--json", a->json, "Print JSON");
  auto* reps =
      add_store_leaf(models, "reports", "Validation reports attached to a model's versions", a,
                     action, models_reports);
  reps->add_option("name", a->name, "Model name")->required();
  reps->add_option("version", a->version, "Only this version's")->check(CLI::PositiveNumber);
  reps->add_flag("--json", a->json, "Print JSON");
  auto* req = add_store_leaf(models, "request",
                             "Ask for a protected alias to move (a second validator approves)", a,
                             action, models_request);
  req->add_option("name", a->name, "Model name")->required();
  req->add_option("alias", a->alias, "Alias name")->required();
  req->add_option("version", a->version_ref, kVersionHelp)->required();
  req->add_option("--reason", a->reason, "Why (kept in the history)")->required();
  req->add_option("--report-sha256", a->report_sha256,
                  "Validation report to rely on (default: the version's newest)");
  req->add_flag("--override", a->override_gate,
                "Ask to move despite a missing or red report (the reason says why)");
  req->add_flag("--json", a->json, "Print JSON");
  using Leaf = int (*)(const ModelsArgs&);
  for (const auto& [verb, help, fn] :
       {std::tuple<const char*, const char*, Leaf>{
            "approve", "Approve a promotion request and move the alias (four-eyes)",
            models_approve},
        std::tuple<const char*, const char*, Leaf>{
            "reject", "Reject a promotion request (its requester: withdraw it)", models_reject}}) {
    auto* cmd = add_store_leaf(models, verb, help, a, action, fn);
    cmd->add_option("request", a->request, "Request id (see `models requests`)")
        ->required()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--reason", a->reason, "Why (kept in the history)")->required();
    cmd->add_flag("--json", a->json, "Print JSON");
  }
  // Every command that moves a protected alias reads the same [serve] protected_aliases.
  for (auto* cmd : {alias, req, models->get_subcommand("approve")}) {
    cmd->add_option("--config", a->config, "loanrisk.toml whose [serve] protected_aliases apply")
        ->check(CLI::ExistingFile);
  }
  auto* reqs = add_store_leaf(models, "requests", "Promotion requests, newest first", a, action,
                              models_requests);
  reqs->add_option("name", a->name, "Only this model's");
  reqs->add_flag("--pending", a->pending, "Only the pending ones");
  reqs->add_flag("--json", a->json, "Print JSON");
}

}  // namespace loanrisk::cli
