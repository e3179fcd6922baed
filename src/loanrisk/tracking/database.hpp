#pragma once
// The one wrapper around SQLite and PostgreSQL calls. The store's logic is written once in portable
// SQL (`?` placeholders) against this interface; each backend checks every call and reports
// contention as RetryableDbError so that whole transactions can be retried with backoff.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/store_uri.hpp"

namespace loanrisk {

/// A statement parameter or a result cell: NULL, integer, real or text.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// One result row with typed accessors (PostgreSQL hands back text, converted on access).
struct SqlRow {
  std::vector<SqlValue> cells;

  /// True when the cell is SQL NULL.
  bool is_null(std::size_t i) const;
  /// The cell as an integer; InternalError when it is not one.
  std::int64_t integer(std::size_t i) const;
  /// The cell as a double (integers widen); InternalError when it is not numeric.
  double real(std::size_t i) const;
  /// The cell as text (numbers formatted); empty for NULL.
  std::string text(std::size_t i) const;
  /// The cell as an integer, or nullopt for NULL.
  std::optional<std::int64_t> optional_integer(std::size_t i) const;
};

/// Lock contention (SQLITE_BUSY, a PostgreSQL serialization failure or deadlock): the transaction
/// was rolled back and may be retried.
class RetryableDbError : public InternalError {
 public:
  using InternalError::InternalError;
};

/// The SQL dialect of a connection, for the few statements that differ (DDL, locks, bulk load).
enum class Dialect { kSqlite, kPostgres };

/// One metric row for bulk loading.
struct MetricRow {
  std::string run_id;
  std::string key;
  double value = 0.0;
  bool is_nan = false;
  std::int64_t step = 0;
  std::int64_t timestamp_ms = 0;
};

/// A connection to the store's database.
class Database {
 public:
  virtual ~Database() = default;
  /// Which SQL dialect this connection speaks.
  virtual Dialect dialect() const = 0;
  /// Runs one statement with `?` placeholders and returns its rows.
  virtual std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params) = 0;
  /// Starts a transaction; a write transaction takes the write lock up front (BEGIN IMMEDIATE).
  virtual void begin(bool write) = 0;
  /// Commits the open transaction.
  virtual void commit() = 0;
  /// Rolls the open transaction back; never throws.
  virtual void rollback() noexcept = 0;
  /// Runs one statement without parameters and without preparing it (DDL, locks) in the open
  /// transaction.
  virtual void execute_direct(const std::string& sql) = 0;
  /// Inserts metric rows inside the open transaction, by the fastest path the backend has (COPY).
  virtual void insert_metrics(const std::vector<MetricRow>& rows) = 0;

  /// Runs one statement without result rows.
  void exec(std::string_view sql, const std::vector<SqlValue>& params = {}) { query(sql, params); }

  /// Runs fn inside a transaction, retrying the whole transaction with exponential backoff (up to
  /// about a minute) when the database reports contention. Any other exception rolls back and
  /// propagates.
  void transaction(bool write, const std::function<void()>& fn);
};

/// Opens a connection for a store URI (creating the SQLite file and its folder when missing).
std::unique_ptr<Database> open_database(const StoreUri& uri);

}  // namespace loanrisk
