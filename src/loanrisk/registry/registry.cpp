// Registry writes: registration (bundle copy + version row + history in one transaction), alias
// moves, archiving, version tags and descriptions.
#include "loanrisk/registry/registry.hpp"

#include <unistd.h>

#include <random>

#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry_writes.hpp"
#include "loanrisk/tracking/process_identity.hpp"

namespace loanrisk {

void touch_model(Database& db, const std::string& name) {
  // Also takes the model's row lock on PostgreSQL, serialising writers of one model.
  db.exec("UPDATE lr_registered_models SET updated = ? WHERE name = ?", {now_ms(), name});
}

RegistryEvent make_event(const std::string& name, const std::string& event,
                         std::optional<std::int64_t> version, const std::string& alias,
                         const std::string& user, const std::string& reason) {
  RegistryEvent e;
  e.name = name;
  e.event = event;
  e.version = version;
  e.alias = alias;
  e.user = user;
  e.reason = reason;
  return e;
}

void record_registry_event(Database& db, const RegistryEvent& e) {
  const auto opt = [](std::optional<std::int64_t> v) { return v ? SqlValue{*v} : SqlValue{}; };
  db.exec(
      "INSERT INTO lr_registry_history(name, event, version, alias, previous_version, user_name, "
      "timestamp, reason, request_id, report_sha256, override_gate) VALUES(?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?)",
      {e.name, e.event, opt(e.version), e.alias.empty() ? SqlValue{} : SqlValue{e.alias},
       opt(e.previous_version), e.user, now_ms(), e.reason, opt(e.request_id),
       e.report_sha256.empty() ? SqlValue{} : SqlValue{e.report_sha256},
       std::int64_t{e.override_gate ? 1 : 0}});
}

std::string require_status(Database& db, const std::string& name, std::int64_t version) {
  const auto rows = db.query("SELECT status FROM lr_model_versions WHERE name = ? AND version = ?",
                             {name, version});
  if (rows.empty()) {
    throw UsageError("model '" + name + "' has no version " + std::to_string(version) +
                     "; see `loanrisk models show " + name + "`");
  }
  return rows[0].text(0);
}

ModelRegistry::ModelRegistry(Store& store, std::string by)
    : store_(store), db_(store.database()), by_(by.empty() ? acting_user() : std::move(by)) {
  require_utf8("the registry user's name", by_);
}

ModelVersion ModelRegistry::register_version(const std::string& name, const std::string& run_id,
                                             const std::string& reason,
                                             const std::string& description) {
  check_registry_name("model name", name);
  require_utf8("the reason", reason);
  require_utf8("the description", description);
  const Run run = store_.get_run(run_id);
  const auto bundle = run.artifact_dir / "bundle";
  if (!std::filesystem::exists(bundle / "manifest.json")) {
    throw UsageError("run " + run_id + " has no bundle artifact (expected '" + bundle.string() +
                     "/manifest.json'); train with tracking on, or log the bundle first");
  }
  const auto model_dir = store_.artifact_root() / "registry" / name;
  std::filesystem::create_directories(model_dir);
  const auto staging = model_dir / (".staging-" + std::to_string(::getpid()) + "-" +
                                    std::to_string(std::random_device{}()));
  std::filesystem::create_directories(staging);
  std::filesystem::copy(bundle, staging / "bundle", std::filesystem::copy_options::recursive);

  std::filesystem::path placed;  // where the bundle sits while the transaction is open
  std::int64_t version = 0;
  const std::int64_t now = now_ms();
  try {
    db_.transaction(true, [&] {
      if (!placed.empty()) {  // a retried attempt: take the bundle back first
        std::filesystem::rename(placed, staging);
        placed.clear();
      }
      db_.exec(
          "INSERT INTO lr_registered_models(name, description, created, updated) VALUES(?, '', ?, "
          "?) "
          "ON CONFLICT(name) DO NOTHING",
          {name, now, now});
      touch_model(db_, name);
      version =
          db_.query("SELECT COALESCE(MAX(version), 0) + 1 FROM lr_model_versions WHERE name = ?",
                    {name})
              .at(0)
              .integer(0);
      const auto dest = model_dir / ("version-" + std::to_string(version));
      std::filesystem::remove_all(dest);  // left by a process that died before committing
      std::filesystem::rename(staging, dest);
      placed = dest;
      db_.exec(
          "INSERT INTO lr_model_versions(name, version, run_id, source, status, description, "
          "created, "
          "updated, created_by) VALUES(?, ?, ?, ?, 'READY', ?, ?, ?, ?)",
          {name, version, run_id, (dest / "bundle").string(), description, now, now, by_});
      record_registry_event(db_, make_event(name, "register", version, "", by_, reason));
    });
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(placed.empty() ? staging : placed, ec);
    throw;
  }
  return get_version(name, version);
}

void check_alias_name(const std::string& alias) {
  check_registry_name("alias", alias);
  if (alias.find_first_not_of("0123456789") == std::string::npos || alias == "latest") {
    throw UsageError("alias '" + alias +
                     "' would be confused with a version: use a name such as champion");
  }
}

bool move_alias(Database& db, const RegistryEvent& move, const std::vector<std::string>& gated) {
  const std::string& name = move.name;
  const std::int64_t version = move.version.value();
  touch_model(db, name);  // the gate reads reports under the model's lock
  if (require_status(db, name, version) == "ARCHIVED") {
    throw UsageError("version " + std::to_string(version) + " of '" + name +
                     "' is archived; an alias can only point at a READY version");
  }
  RegistryEvent e = move;
  check_validation_gate(db, gated, e);
  const auto rows = db.query("SELECT version FROM lr_model_aliases WHERE name = ? AND alias = ?",
                             {name, move.alias});
  std::optional<std::int64_t> previous;
  if (!rows.empty()) previous = rows[0].integer(0);
  if (previous == version) return false;
  db.exec(
      "INSERT INTO lr_model_aliases(name, alias, version) VALUES(?, ?, ?) ON CONFLICT(name, alias) "
      "DO UPDATE SET version = excluded.version",
      {name, move.alias, version});
  e.event = "alias";
  e.previous_version = previous;
  record_registry_event(db, e);
  return true;
}

bool ModelRegistry::set_alias(const std::string& name, const std::string& alias,
                              std::int64_t version, const std::string& reason,
                              const std::string& report_sha256, bool override_gate) {
  check_alias_name(alias);
  require_utf8("the reason", reason);
  check_report_sha256(report_sha256);
  get_model(name);
  bool moved = false;
  db_.transaction(true, [&] {
    RegistryEvent move = make_event(name, "alias", version, alias, by_, reason);
    move.report_sha256 = report_sha256;
    move.override_gate = override_gate;
    moved = move_alias(db_, move, gated_);
  });
  return moved;
}

void ModelRegistry::archive(const std::string& name, std::int64_t version,
                            const std::string& reason) {
  require_utf8("the reason", reason);
  get_model(name);
  db_.transaction(true, [&] {
    touch_model(db_, name);
    if (require_status(db_, name, version) == "ARCHIVED") return;
    std::string aliases;
    for (const auto& row : db_.query(
             "SELECT alias FROM lr_model_aliases WHERE name = ? AND version = ? ORDER BY alias",
             {name, version})) {
      aliases += (aliases.empty() ? "@" : ", @") + row.text(0);
    }
    if (!aliases.empty()) {
      throw UsageError("version " + std::to_string(version) + " of '" + name + "' is " + aliases +
                       "; move the alias to another version before archiving it");
    }
    db_.exec(
        "UPDATE lr_model_versions SET status = 'ARCHIVED', updated = ? WHERE name = ? AND version "
        "= ?",
        {now_ms(), name, version});
    record_registry_event(db_, make_event(name, "archive", version, "", by_, reason));
  });
}

void ModelRegistry::set_version_tag(const std::string& name, std::int64_t version,
                                    const std::string& key, const std::string& value) {
  check_key("version tag key", key);
  db_.transaction(true, [&] {
    require_status(db_, name, version);
    db_.exec(
        "INSERT INTO lr_model_version_tags(name, version, key, value) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(name, version, key) DO UPDATE SET value = excluded.value",
        {name, version, key, value});
  });
}

void ModelRegistry::set_version_description(const std::string& name, std::int64_t version,
                                            const std::string& description) {
  require_utf8("the description", description);
  db_.transaction(true, [&] {
    require_status(db_, name, version);
    db_.exec(
        "UPDATE lr_model_versions SET description = ?, updated = ? WHERE name = ? AND version = ?",
        {description, now_ms(), name, version});
  });
}

}  // namespace loanrisk
