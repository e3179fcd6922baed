// PostgreSQL backend through libpqxx 6.4: statements are prepared once per connection (the `?`
// placeholders rewritten to `$n`), parameters travel as text, metrics are bulk-loaded with COPY.
#include <cmath>
#include <map>
#include <pqxx/pqxx>

#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/backends.hpp"
#include "loanrisk/tracking/store_uri.hpp"

namespace loanrisk {
namespace {

std::string to_postgres_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// float8 input text: PostgreSQL spells the non-finite values Infinity, -Infinity and NaN.
std::string float8_text(double d) {
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (std::isnan(d)) return "NaN";
  return format_double(d);
}

class PostgresDatabase final : public Database {
 public:
  explicit PostgresDatabase(const std::string& uri) : uri_(uri) {
    try {
      conn_ = std::make_unique<pqxx::connection>(uri);
    } catch (const std::exception& e) {
      throw UsageError("cannot connect to PostgreSQL store '" + redact_store_uri(uri) +
                       "': " + trim(e.what()) +
                       "; check that the server runs and the URI's user, host, port and database");
    }
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  std::vector<SqlRow> query(std::string_view sql, const std::vector<SqlValue>& params) override {
    const std::string& name = statement_name(sql);
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) continue;
      if (const auto* s = std::get_if<std::string>(&v)) {
        text[i] = *s;
      } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
        text[i] = std::to_string(*n);
      } else {
        text[i] = float8_text(std::get<double>(v));
      }
      values[i] = text[i].c_str();
    }
    return guarded(sql, [&] {
      pqxx::result r;
      if (txn_) {
        r = txn_->exec_prepared(name, pqxx::prepare::make_dynamic_params(values));
      } else {
        pqxx::work w(*conn_);
        r = w.exec_prepared(name, pqxx::prepare::make_dynamic_params(values));
        w.commit();
      }
      std::vector<SqlRow> rows;
      rows.reserve(r.size());
      for (const auto& row : r) {
        SqlRow out;
        out.cells.reserve(row.size());
        for (const auto& field : row) {
          if (field.is_null()) {
            out.cells.emplace_back(std::monostate{});
          } else {
            out.cells.emplace_back(std::string(field.c_str(), field.size()));
          }
        }
        rows.push_back(std::move(out));
      }
      return rows;
    });
  }

  void begin(bool /*write*/) override {
    if (txn_) throw InternalError("nested transaction on the PostgreSQL store (a bug)");
    guarded("BEGIN", [&] {
      txn_ = std::make_unique<pqxx::work>(*conn_);
      return 0;
    });
  }

  void commit() override {
    guarded("COMMIT", [&] {
      txn_->commit();
      return 0;
    });
    txn_.reset();
  }

  void rollback() noexcept override {
    if (!txn_) return;
    try {
      txn_->abort();
    } catch (...) {  // the connection may be gone; the server rolls back on its own then.
    }
    txn_.reset();
  }

  void execute_direct(const std::string& sql) override {
    if (!txn_) throw InternalError("execute_direct outside a transaction (a bug)");
    guarded(sql, [&] { return txn_->exec(sql); });
  }

  void insert_metrics(const std::vector<MetricRow>& rows) override {
    if (!txn_) throw InternalError("insert_metrics outside a transaction (a bug)");
    guarded("COPY lr_metrics", [&] {
      pqxx::stream_to copy(
          *txn_, "lr_metrics",
          std::vector<std::string>{"run_id", "key", "value", "is_nan", "step", "timestamp"});
      for (const MetricRow& m : rows) {
        copy << std::make_tuple(m.run_id, m.key, float8_text(m.is_nan ? 0.0 : m.value),
                                std::string(m.is_nan ? "1" : "0"), std::to_string(m.step),
                                std::to_string(m.timestamp_ms));
      }
      copy.complete();
      return 0;
    });
  }

 private:
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  const std::string& statement_name(std::string_view sql) {
    auto it = names_.find(sql);
    if (it != names_.end()) return it->second;
    const std::string name = "s" + std::to_string(names_.size());
    conn_->prepare(name, to_postgres_placeholders(sql));
    return names_.emplace(std::string(sql), name).first->second;
  }

  template <class F>
  auto guarded(std::string_view what, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const pqxx::transaction_rollback& e) {  // serialization failure, deadlock
      throw RetryableDbError("PostgreSQL contention on '" + std::string(what) +
                             "': " + trim(e.what()));
    } catch (const pqxx::sql_error& e) {
      throw InternalError("PostgreSQL error " + e.sqlstate() + " on '" + std::string(what) +
                          "': " + trim(e.what()));
    } catch (const pqxx::broken_connection& e) {
      throw InternalError("lost the connection to PostgreSQL store '" + redact_store_uri(uri_) +
                          "': " + trim(e.what()));
    } catch (const pqxx::failure& e) {
      throw InternalError("PostgreSQL failure on '" + std::string(what) + "': " + trim(e.what()));
    }
  }

  std::string uri_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> txn_;
  std::map<std::string, std::string, std::less<>> names_;
};

}  // namespace

std::unique_ptr<Database> open_postgres_database(const std::string& uri) {
  return std::make_unique<PostgresDatabase>(uri);
}

}  // namespace loanrisk
