#pragma once
// The SQLite file an Optuna study is exported into: opened without WAL (Optuna's own files use
// SQLite's default rollback journal), checked to be empty or an Optuna 3.1 storage before anything
// is written, and given Optuna's RDB schema (optuna/storages/_rdb/models.py, alembic revision
// v3.0.0.d) when it has no tables yet. Internal to optuna_export.cpp and its tests.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/tracking/database.hpp"

struct sqlite3;

namespace loanrisk {

/// Optuna's schema as Debian 12's python3-optuna (3.1.0) creates and checks it.
inline constexpr const char* kOptunaAlembicRevision = "v3.0.0.d";
inline constexpr std::int64_t kOptunaSchemaVersion = 12;
inline constexpr const char* kOptunaLibraryVersion = "3.1.0";

/// One connection to the export's SQLite file; every call is checked and failures are
/// UsageErrors naming the file (a bad target is the user's to fix).
class OptunaFile {
 public:
  /// Opens an existing file read-write, or creates it when create is true.
  OptunaFile(const std::filesystem::path& path, bool create);
  ~OptunaFile();
  OptunaFile(const OptunaFile&) = delete;
  OptunaFile& operator=(const OptunaFile&) = delete;

  /// Runs one statement with `?` parameters and returns its rows.
  std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params = {});
  /// Rolls the open transaction back, if any; never throws (it runs while an error propagates).
  void rollback() noexcept;
  /// Runs one INSERT and returns the new row's id.
  std::int64_t insert(std::string_view sql, const std::vector<SqlValue>& params);

  /// UsageError unless the file holds no table at all or every table of Optuna's schema at
  /// alembic revision v3.0.0.d; returns true when it holds no table (the schema must be created).
  bool check_empty_or_optuna();
  /// Creates Optuna's tables, indexes, version_info and alembic_version rows (in the open
  /// transaction).
  void create_schema();

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

}  // namespace loanrisk
