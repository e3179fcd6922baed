#include "loanrisk/tuning/optuna_file.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

// The DDL python3-optuna 3.1.0 (SQLAlchemy 1.4) runs on an empty SQLite file, in its order, read
// back from such a file's sqlite_master: same columns, types, keys, unique constraints and index,
// so Optuna's metadata.create_all() finds every table present and its alembic check passes.
constexpr const char* kSchema[] = {
    "CREATE TABLE studies (study_id INTEGER NOT NULL, study_name VARCHAR(512) NOT NULL, "
    "PRIMARY KEY (study_id))",
    "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
    "CREATE TABLE version_info (version_info_id INTEGER NOT NULL, schema_version INTEGER, "
    "library_version VARCHAR(256), PRIMARY KEY (version_info_id), CHECK (version_info_id=1))",
    "CREATE TABLE study_directions (study_direction_id INTEGER NOT NULL, direction VARCHAR(8) "
    "NOT NULL, study_id INTEGER NOT NULL, objective INTEGER NOT NULL, PRIMARY KEY "
    "(study_direction_id), UNIQUE (study_id, objective), FOREIGN KEY(study_id) REFERENCES studies "
    "(study_id))",
    "CREATE TABLE study_user_attributes (study_user_attribute_id INTEGER NOT NULL, study_id "
    "INTEGER, \"key\" VARCHAR(512), value_json TEXT, PRIMARY KEY (study_user_attribute_id), "
    "UNIQUE (study_id, \"key\"), FOREIGN KEY(study_id) REFERENCES studies (study_id))",
    "CREATE TABLE study_system_attributes (study_system_attribute_id INTEGER NOT NULL, study_id "
    "INTEGER, \"key\" VARCHAR(512), value_json TEXT, PRIMARY KEY (study_system_attribute_id), "
    "UNIQUE (study_id, \"key\"), FOREIGN KEY(study_id) REFERENCES studies (study_id))",
    "CREATE TABLE trials (trial_id INTEGER NOT NULL, number INTEGER, study_id INTEGER, state "
    "VARCHAR(8) NOT NULL, datetime_start DATETIME, datetime_complete DATETIME, PRIMARY KEY "
    "(trial_id), FOREIGN KEY(study_id) REFERENCES studies (study_id))",
    "CREATE TABLE trial_user_attributes (trial_user_attribute_id INTEGER NOT NULL, trial_id "
    "INTEGER, \"key\" VARCHAR(512), value_json TEXT, PRIMARY KEY (trial_user_attribute_id), "
    "UNIQUE (trial_id, \"key\"), FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
    "CREATE TABLE trial_system_attributes (trial_system_attribute_id INTEGER NOT NULL, trial_id "
    "INTEGER, \"key\" VARCHAR(512), value_json TEXT, PRIMARY KEY (trial_system_attribute_id), "
    "UNIQUE (trial_id, \"key\"), FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
    "CREATE TABLE trial_params (param_id INTEGER NOT NULL, trial_id INTEGER, param_name "
    "VARCHAR(512), param_value FLOAT, distribution_json TEXT, PRIMARY KEY (param_id), UNIQUE "
    "(trial_id, param_name), FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
    "CREATE TABLE trial_values (trial_value_id INTEGER NOT NULL, trial_id INTEGER NOT NULL, "
    "objective INTEGER NOT NULL, value FLOAT, value_type VARCHAR(7) NOT NULL, PRIMARY KEY "
    "(trial_value_id), UNIQUE (trial_id, objective), FOREIGN KEY(trial_id) REFERENCES trials "
    "(trial_id))",
    "CREATE TABLE trial_intermediate_values (trial_intermediate_value_id INTEGER NOT NULL, "
    "trial_id INTEGER NOT NULL, step INTEGER NOT NULL, intermediate_value FLOAT, "
    "intermediate_value_type VARCHAR(7) NOT NULL, PRIMARY KEY (trial_intermediate_value_id), "
    "UNIQUE (trial_id, step), FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
    "CREATE TABLE trial_heartbeats (trial_heartbeat_id INTEGER NOT NULL, trial_id INTEGER NOT "
    "NULL, heartbeat DATETIME NOT NULL, PRIMARY KEY (trial_heartbeat_id), UNIQUE (trial_id), "
    "FOREIGN KEY(trial_id) REFERENCES trials (trial_id))",
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT "
    "alembic_version_pkc PRIMARY KEY (version_num))",
};

const std::vector<std::string>& optuna_tables() {
  static const std::vector<std::string> names = {"alembic_version",
                                                 "studies",
                                                 "study_directions",
                                                 "study_system_attributes",
                                                 "study_user_attributes",
                                                 "trial_heartbeats",
                                                 "trial_intermediate_values",
                                                 "trial_params",
                                                 "trial_system_attributes",
                                                 "trial_user_attributes",
                                                 "trial_values",
                                                 "trials",
                                                 "version_info"};
  return names;
}

}  // namespace

OptunaFile::OptunaFile(const std::filesystem::path& path, bool create) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw UsageError("cannot open " + echo_text(path.string()) + " for writing: " + why);
  }
  // Optuna (or a notebook) may be reading the file: wait for its lock rather than fail at once.
  sqlite3_busy_timeout(db_, 10000);
}

OptunaFile::~OptunaFile() {
  sqlite3_close(db_);
}

std::vector<SqlRow> OptunaFile::query(std::string_view sql, const std::vector<SqlValue>& params) {
  sqlite3_stmt* stmt = nullptr;
  const auto fail = [&](int rc) {
    const std::string why = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    if ((rc & 0xff) == SQLITE_NOTADB) {
      throw UsageError(echo_text(path_.string()) + " exists and is not an SQLite database (" + why +
                       "); nothing was written: name a new file or an Optuna storage");
    }
    throw UsageError("writing the Optuna storage " + echo_text(path_.string()) + " failed: " + why +
                     " (in: " + std::string(sql) + ")");
  };
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) fail(rc);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i) + 1;
    const SqlValue& v = params[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, idx, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt, idx, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
    } else {
      rc = sqlite3_bind_null(stmt, idx);
    }
    if (rc != SQLITE_OK) fail(rc);
  }
  std::vector<SqlRow> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    SqlRow row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          row.cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          row.cells.emplace_back(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_NULL:
          row.cells.emplace_back(std::monostate{});
          break;
        default: {
          const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.cells.emplace_back(
              std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) fail(rc);
  sqlite3_finalize(stmt);
  return rows;
}

std::int64_t OptunaFile::insert(std::string_view sql, const std::vector<SqlValue>& params) {
  query(sql, params);
  return sqlite3_last_insert_rowid(db_);
}

void OptunaFile::rollback() noexcept {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool OptunaFile::check_empty_or_optuna() {
  std::vector<std::string> present;
  for (const auto& row :
       query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
    present.push_back(row.text(0));
  }
  if (present.empty()) return true;
  std::vector<std::string> missing;
  for (const auto& t : optuna_tables()) {
    if (std::find(present.begin(), present.end(), t) == present.end()) missing.push_back(t);
  }
  const std::string where = echo_text(path_.string());
  if (!missing.empty()) {
    throw UsageError(where +
                     " is an SQLite database but not an Optuna storage (it has the tables " +
                     echo_text(join(present), 200) + "; Optuna's " + join(missing) +
                     " are missing); nothing was written: name a new file or an Optuna storage");
  }
  const auto revision = query("SELECT version_num FROM alembic_version");
  const auto version = query("SELECT schema_version, library_version FROM version_info");
  const std::string found = revision.size() == 1 ? revision[0].text(0) : "(none)";
  if (found != kOptunaAlembicRevision || version.size() != 1 ||
      version[0].optional_integer(0) != kOptunaSchemaVersion) {
    throw UsageError(where + " is an Optuna storage at schema revision " + echo_text(found) +
                     ", written by optuna " +
                     (version.empty() ? "(unknown)" : echo_text(version[0].text(1))) +
                     "; loanrisk writes optuna " + kOptunaLibraryVersion + "'s revision " +
                     kOptunaAlembicRevision +
                     " (Debian 12's python3-optuna): export into a new file, which a newer optuna "
                     "upgrades with `optuna storage upgrade --storage URI`");
  }
  return false;
}

void OptunaFile::create_schema() {
  for (const char* ddl : kSchema) query(ddl);
  query(
      "INSERT INTO version_info(version_info_id, schema_version, library_version) "
      "VALUES(1, ?, ?)",
      {kOptunaSchemaVersion, std::string(kOptunaLibraryVersion)});
  query("INSERT INTO alembic_version(version_num) VALUES(?)",
        {std::string(kOptunaAlembicRevision)});
}

}  // namespace loanrisk
