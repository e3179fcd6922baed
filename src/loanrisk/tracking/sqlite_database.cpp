// SQLite backend: WAL mode (readers never block the writer), synchronous=NORMAL, a busy timeout,
// BEGIN IMMEDIATE for writes, and a cache of prepared statements. Every sqlite3_* result is
// checked.
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <thread>

#include "loanrisk/tracking/backends.hpp"

namespace loanrisk {
namespace {

bool is_contention(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

class SqliteDatabase final : public Database {
 public:
  explicit SqliteDatabase(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw UsageError("cannot open SQLite store '" + path.string() + "': " + why +
                       "; check that the folder exists and is writable");
    }
    try {
      configure();
    } catch (...) {
      // No destructor runs for a constructor that throws (a read-only store fails here).
      close();
      throw;
    }
  }

  ~SqliteDatabase() override { close(); }

  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }

  std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params) override {
    sqlite3_stmt* stmt = prepare(sql);
    // Reset on every exit path so the statement never holds a lock past this call.
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{stmt};
    bind(stmt, params, sql);
    std::vector<SqlRow> rows;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) check(rc, sql);
      SqlRow row;
      const int n = sqlite3_column_count(stmt);
      row.cells.reserve(static_cast<std::size_t>(n));
      for (int c = 0; c < n; ++c) row.cells.push_back(column(stmt, c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void begin(bool write) override {
    if (in_txn_) throw InternalError("nested transaction on the SQLite store (a bug)");
    query(write ? "BEGIN IMMEDIATE" : "BEGIN", {});
    in_txn_ = true;
  }

  void commit() override {
    query("COMMIT", {});
    in_txn_ = false;
  }

  void rollback() noexcept override {
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    in_txn_ = false;
  }

  void execute_direct(const std::string& sql) override {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    sqlite3_free(err);
    check(rc, sql);
  }

  void insert_metrics(const std::vector<MetricRow>& rows) override {
    static constexpr std::string_view kSql =
        "INSERT INTO lr_metrics(run_id, key, value, is_nan, step, timestamp) VALUES(?,?,?,?,?,?)";
    for (const MetricRow& m : rows) {
      query(kSql, {m.run_id, m.key, m.is_nan ? 0.0 : m.value, std::int64_t{m.is_nan ? 1 : 0},
                   m.step, m.timestamp_ms});
    }
  }

 private:
  void configure() {
    check(sqlite3_busy_timeout(db_, 5000), "sqlite3_busy_timeout");
    check(sqlite3_extended_result_codes(db_, 1), "sqlite3_extended_result_codes");
    // Switching to WAL needs a brief exclusive lock: retry while another process holds one.
    for (int attempt = 0;; ++attempt) {
      try {
        query("PRAGMA journal_mode=WAL", {});
        break;
      } catch (const RetryableDbError&) {
        if (attempt > 200) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(10 + attempt));
      }
    }
    query("PRAGMA synchronous=NORMAL", {});
    query("PRAGMA foreign_keys=ON", {});
  }

  void close() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }

  void check(int rc, std::string_view what) {
    if (rc == SQLITE_OK) return;
    const std::string msg = "SQLite error on '" + std::string(what) + "' in '" + path_.string() +
                            "': " + sqlite3_errmsg(db_) + " (" + sqlite3_errstr(rc) + ")";
    if (is_contention(rc)) throw RetryableDbError(msg);
    const int primary = rc & 0xff;
    if (primary == SQLITE_READONLY) {
      throw UnavailableError("the store '" + path_.string() + "' is read-only for this user (" +
                             sqlite3_errmsg(db_) +
                             "): point --store or $LOANRISK_STORE at a store you can write, or "
                             "fix the permissions of the file and its folder");
    }
    if (primary == SQLITE_FULL) {
      throw UnavailableError("the disk holding the store '" + path_.string() +
                             "' is full: free some space and run the command again (nothing "
                             "was half-written: the change was rolled back)");
    }
    throw InternalError(msg);
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      check(rc, sql);
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  void bind(sqlite3_stmt* stmt, const std::vector<SqlValue>& params, std::string_view sql) {
    if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
      throw InternalError("statement '" + std::string(sql) + "' got " +
                          std::to_string(params.size()) + " parameters (a bug)");
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const SqlValue& v = params[i];
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      } else {
        rc = sqlite3_bind_null(stmt, idx);
      }
      check(rc, sql);
    }
  }

  static SqlValue column(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, c));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, c);
      case SQLITE_NULL:
        return std::monostate{};
      default: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
      }
    }
  }

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
  bool in_txn_ = false;
};

}  // namespace

std::unique_ptr<Database> open_sqlite_database(const std::filesystem::path& path) {
  return std::make_unique<SqliteDatabase>(path);
}

}  // namespace loanrisk
