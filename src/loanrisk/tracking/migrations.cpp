#include "loanrisk/tracking/migrations.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loanrisk {
namespace {

// One entry per schema version; `{ID}` becomes the dialect's auto-increment primary key.
const std::vector<std::vector<std::string>>& migrations() {
  static const std::vector<std::vector<std::string>> all = {
      // Version 1: experiments, runs and their data, and the model registry.
      {
          "CREATE TABLE experiments(id {ID}, name TEXT NOT NULL UNIQUE, created BIGINT NOT NULL)",
          "CREATE TABLE runs(run_id TEXT PRIMARY KEY, experiment_id BIGINT NOT NULL REFERENCES "
          "experiments(id), name TEXT NOT NULL, status TEXT NOT NULL, start_time BIGINT NOT NULL, "
          "end_time BIGINT, user_name TEXT NOT NULL, git_commit TEXT NOT NULL, parent_run_id TEXT, "
          "pid BIGINT NOT NULL, hostname TEXT NOT NULL, process_start TEXT NOT NULL, "
          "artifact_uri TEXT NOT NULL, dataset_sha256 TEXT, dataset_path TEXT, dataset_rows "
          "BIGINT)",
          "CREATE INDEX runs_experiment ON runs(experiment_id, start_time)",
          "CREATE INDEX runs_status ON runs(status)",
          "CREATE TABLE params(run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, "
          "value TEXT NOT NULL, PRIMARY KEY(run_id, key))",
          "CREATE TABLE tags(run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, "
          "value TEXT NOT NULL, PRIMARY KEY(run_id, key))",
          "CREATE TABLE metrics(run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, "
          "value DOUBLE PRECISION NOT NULL, is_nan INTEGER NOT NULL, step BIGINT NOT NULL, "
          "timestamp BIGINT NOT NULL)",
          "CREATE INDEX metrics_run_key ON metrics(run_id, key)",
          "CREATE TABLE registered_models(name TEXT PRIMARY KEY, description TEXT NOT NULL, "
          "created BIGINT NOT NULL, updated BIGINT NOT NULL)",
          "CREATE TABLE model_versions(name TEXT NOT NULL REFERENCES registered_models(name), "
          "version BIGINT NOT NULL, run_id TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT "
          "NULL, description TEXT NOT NULL, created BIGINT NOT NULL, updated BIGINT NOT NULL, "
          "created_by TEXT NOT NULL, PRIMARY KEY(name, version))",
          "CREATE TABLE model_aliases(name TEXT NOT NULL, alias TEXT NOT NULL, version BIGINT NOT "
          "NULL, PRIMARY KEY(name, alias), FOREIGN KEY(name, version) REFERENCES "
          "model_versions(name, version))",
          "CREATE TABLE model_version_tags(name TEXT NOT NULL, version BIGINT NOT NULL, key TEXT "
          "NOT "
          "NULL, value TEXT NOT NULL, PRIMARY KEY(name, version, key), FOREIGN KEY(name, version) "
          "REFERENCES model_versions(name, version))",
          "CREATE TABLE registry_history(id {ID}, name TEXT NOT NULL, event TEXT NOT NULL, version "
          "BIGINT, alias TEXT, previous_version BIGINT, user_name TEXT NOT NULL, timestamp BIGINT "
          "NOT NULL, reason TEXT NOT NULL)",
          "CREATE INDEX registry_history_name ON registry_history(name, id)",
          "INSERT INTO experiments(id, name, created) VALUES(0, 'Default', {NOW})",
      },
      // Version 2: hyperparameter studies, their trials and the trials' intermediate values.
      {
          "CREATE TABLE studies(id {ID}, name TEXT NOT NULL UNIQUE, family TEXT NOT NULL, space "
          "TEXT NOT NULL, settings TEXT NOT NULL, parent_run_id TEXT NOT NULL, created BIGINT NOT "
          "NULL)",
          "CREATE TABLE trials(study_id BIGINT NOT NULL REFERENCES studies(id), number BIGINT NOT "
          "NULL, state TEXT NOT NULL, params TEXT NOT NULL, value DOUBLE PRECISION, run_id TEXT "
          "NOT NULL, started BIGINT NOT NULL, ended BIGINT, owner_pid BIGINT NOT NULL, owner_host "
          "TEXT NOT NULL, owner_start TEXT NOT NULL, PRIMARY KEY(study_id, number))",
          "CREATE TABLE trial_values(study_id BIGINT NOT NULL, number BIGINT NOT NULL, step "
          "BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY(study_id, number, step), "
          "FOREIGN KEY(study_id, number) REFERENCES trials(study_id, number))",
      },
      // Version 3: the value each trial recorded at each successive-halving rung (which rungs a
      // pruned trial reached depends on the decisions made then, so it cannot be derived later).
      {
          "CREATE TABLE trial_rungs(study_id BIGINT NOT NULL, number BIGINT NOT NULL, rung "
          "BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY(study_id, number, rung), "
          "FOREIGN KEY(study_id, number) REFERENCES trials(study_id, number))",
      },
      // Version 4: local users. The token's secret is kept only as an argon2id hash; token_id
      // (random, in the token) finds the row without scanning hashes.
      {
          "CREATE TABLE users(name TEXT PRIMARY KEY, role TEXT NOT NULL, token_id TEXT NOT NULL "
          "UNIQUE, token_hash TEXT NOT NULL, created BIGINT NOT NULL, created_by TEXT NOT NULL, "
          "revoked BIGINT, revoked_by TEXT)",
      },
      // Version 5: governance. The audit trail is append-only for the application: a trigger
      // refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE), so no code path can rewrite it.
      // Promotion requests of protected aliases wait for a second person's approval.
      {
          "CREATE TABLE audit(id {ID}, time BIGINT NOT NULL, who TEXT NOT NULL, role TEXT NOT "
          "NULL, source TEXT NOT NULL, request_id TEXT NOT NULL, client TEXT NOT NULL, action "
          "TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL, status BIGINT NOT NULL, "
          "detail TEXT NOT NULL)",
          "CREATE INDEX audit_time ON audit(time)",
          "CREATE INDEX audit_who ON audit(who, time)",
          "sqlite:CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT "
          "RAISE(ABORT, 'the audit trail is append-only'); END",
          "sqlite:CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT "
          "RAISE(ABORT, 'the audit trail is append-only'); END",
          "postgres:CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
          "BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$",
          "postgres:CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW "
          "EXECUTE FUNCTION audit_append_only()",
          "postgres:CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT "
          "EXECUTE FUNCTION audit_append_only()",
          "CREATE TABLE alias_requests(id {ID}, name TEXT NOT NULL REFERENCES "
          "registered_models(name), alias TEXT NOT NULL, version BIGINT NOT NULL, requested_by "
          "TEXT NOT NULL, requested_at BIGINT NOT NULL, reason TEXT NOT NULL, report_sha256 TEXT "
          "NOT NULL, state TEXT NOT NULL, decided_by TEXT, decided_at BIGINT, decision_reason "
          "TEXT, FOREIGN KEY(name, version) REFERENCES model_versions(name, version))",
          "CREATE INDEX alias_requests_state ON alias_requests(state, name)",
          "ALTER TABLE registry_history ADD COLUMN request_id BIGINT",
          "ALTER TABLE registry_history ADD COLUMN report_sha256 TEXT",
      },
      // Version 6: validation reports attached to versions (gated promotion) and gate overrides.
      {
          "CREATE TABLE model_version_reports(name TEXT NOT NULL, version BIGINT NOT NULL, sha256 "
          "TEXT NOT NULL, status TEXT NOT NULL, red TEXT NOT NULL, data_source TEXT NOT NULL, "
          "against TEXT NOT NULL, path TEXT NOT NULL, attached_by TEXT NOT NULL, attached_at "
          "BIGINT NOT NULL, PRIMARY KEY(name, version, sha256), FOREIGN KEY(name, version) "
          "REFERENCES model_versions(name, version))",
          "ALTER TABLE alias_requests ADD COLUMN override_gate BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE registry_history ADD COLUMN override_gate BIGINT NOT NULL DEFAULT 0",
      },
      // Version 7: every table carries the prefix lr_, so that MLflow or Optuna pointed at a
      // loanrisk store by mistake never finds a table of its own name (runs, experiments,
      // studies, trials, ...) and reads or writes ours. schema_version keeps its name: an older
      // loanrisk reads it and refuses the newer store instead of creating an empty one beside.
      {
          "ALTER TABLE experiments RENAME TO lr_experiments",
          "ALTER TABLE runs RENAME TO lr_runs",
          "ALTER TABLE params RENAME TO lr_params",
          "ALTER TABLE tags RENAME TO lr_tags",
          "ALTER TABLE metrics RENAME TO lr_metrics",
          "ALTER TABLE registered_models RENAME TO lr_registered_models",
          "ALTER TABLE model_versions RENAME TO lr_model_versions",
          "ALTER TABLE model_aliases RENAME TO lr_model_aliases",
          "ALTER TABLE model_version_tags RENAME TO lr_model_version_tags",
          "ALTER TABLE registry_history RENAME TO lr_registry_history",
          "ALTER TABLE studies RENAME TO lr_studies",
          "ALTER TABLE trials RENAME TO lr_trials",
          "ALTER TABLE trial_values RENAME TO lr_trial_values",
          "ALTER TABLE trial_rungs RENAME TO lr_trial_rungs",
          "ALTER TABLE users RENAME TO lr_users",
          "ALTER TABLE audit RENAME TO lr_audit",
          "ALTER TABLE alias_requests RENAME TO lr_alias_requests",
          "ALTER TABLE model_version_reports RENAME TO lr_model_version_reports",
      },
      // Version 8: runs deleted (and restored) by an MLflow client keep their rows; MLflow calls
      // the state a run's lifecycle stage ('active' or 'deleted').
      {
          "ALTER TABLE lr_runs ADD COLUMN lifecycle_stage TEXT NOT NULL DEFAULT 'active'",
      },
      // Version 9: studies shared by processes on many hosts. A running trial's heartbeat lets
      // any process fail it once its owner stops beating (a pid means nothing on another host),
      // and a study's best trial is refit once, by the process that claims it here.
      {
          "ALTER TABLE lr_trials ADD COLUMN heartbeat BIGINT",
          "CREATE TABLE lr_study_refits(study_id BIGINT NOT NULL REFERENCES lr_studies(id), "
          "trial_number BIGINT NOT NULL, claimed_by TEXT NOT NULL, claimed_at BIGINT NOT NULL, "
          "PRIMARY KEY(study_id, trial_number))",
      },
  };
  return all;
}

std::string render(std::string sql, Dialect dialect) {
  const std::string id = dialect == Dialect::kSqlite
                             ? "INTEGER PRIMARY KEY"
                             : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  for (auto [token, value] : {std::pair<std::string, std::string>{"{ID}", id},
                              std::pair<std::string, std::string>{"{NOW}", std::to_string(now)}}) {
    for (auto pos = sql.find(token); pos != std::string::npos; pos = sql.find(token)) {
      sql.replace(pos, token.size(), value);
    }
  }
  return sql;
}

int read_version(Database& db) {
  const auto rows = db.query("SELECT MAX(version) FROM schema_version", {});
  return rows.empty() || rows[0].is_null(0) ? 0 : static_cast<int>(rows[0].integer(0));
}

void refuse_newer(int found, const std::string& store_name) {
  if (found > kStoreSchemaVersion) {
    throw UsageError("the store '" + store_name + "' has schema version " + std::to_string(found) +
                     ", newer than the version " + std::to_string(kStoreSchemaVersion) +
                     " this loanrisk understands: it was written by a newer loanrisk; upgrade "
                     "loanrisk to use it");
  }
}

}  // namespace

int migrate_store(Database& db, const std::string& store_name) {
  // Fast path without the write lock: an up-to-date store is the common case.
  int found = 0;
  db.transaction(false, [&] {
    const bool exists =
        db.query(db.dialect() == Dialect::kSqlite
                     ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                       "'schema_version'"
                     : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                       "current_schema() AND table_name = 'schema_version'",
                 {})[0]
            .integer(0) > 0;
    found = exists ? read_version(db) : 0;
  });
  refuse_newer(found, store_name);
  if (found == kStoreSchemaVersion) return found;

  db.transaction(true, [&] {
    if (db.dialect() == Dialect::kPostgres) {
      db.execute_direct("SELECT pg_advisory_xact_lock(7310421)");  // serialises migrators
    }
    db.execute_direct("CREATE TABLE IF NOT EXISTS schema_version(version BIGINT NOT NULL)");
    found = read_version(db);
    refuse_newer(found, store_name);
    const auto& all = migrations();
    for (int v = found + 1; v <= kStoreSchemaVersion; ++v) {
      for (std::string_view sql : all[static_cast<std::size_t>(v - 1)]) {
        // "sqlite:" and "postgres:" mark a statement for one dialect (triggers differ).
        for (const auto& [prefix, dialect] :
             {std::pair{std::string_view("sqlite:"), Dialect::kSqlite},
              std::pair{std::string_view("postgres:"), Dialect::kPostgres}}) {
          if (sql.starts_with(prefix)) {
            sql = dialect == db.dialect() ? sql.substr(prefix.size()) : std::string_view();
          }
        }
        if (!sql.empty()) db.execute_direct(render(std::string(sql), db.dialect()));
      }
    }
    if (found < kStoreSchemaVersion) {
      db.exec("DELETE FROM schema_version");
      db.exec("INSERT INTO schema_version(version) VALUES(?)", {std::int64_t{kStoreSchemaVersion}});
    }
  });
  return found;
}

}  // namespace loanrisk
