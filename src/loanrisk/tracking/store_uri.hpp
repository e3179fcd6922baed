#pragma once
// Where the tracking store lives, as one URI read as SQLAlchemy (so MLflow and Optuna) reads it:
// `sqlite:////abs/path.db` (four slashes) or `sqlite:///rel/path.db` (relative to the working
// folder) for the embedded default, `postgresql://user@host:port/db` for a shared server.
#include <filesystem>
#include <optional>
#include <string>

namespace loanrisk {

/// The backend a store URI names.
enum class StoreKind { kSqlite, kPostgres };

/// A parsed store URI.
struct StoreUri {
  StoreKind kind = StoreKind::kSqlite;
  std::string text;                   ///< the URI as given (postgres: handed to libpq unchanged).
  std::filesystem::path sqlite_path;  ///< the database file, for SQLite only.
};

/// Parses a store URI; UsageError naming the accepted forms when it is neither SQLite nor
/// PostgreSQL, and giving the corrected URI when a three-slash URI names no store relative to the
/// working folder but does name one (or its folder) as an absolute path (the older reading).
StoreUri parse_store_uri(const std::string& uri);

/// The URI as a message or log may show it: a PostgreSQL URI's password (user:PASSWORD@ and any
/// password= parameter) replaced by ***; anything else unchanged.
std::string redact_store_uri(const std::string& uri);

/// The default store: `sqlite:////<cwd>/loanrisk-store/loanrisk.db` (cwd absolute).
std::string default_store_uri();

/// Picks the store URI by precedence: `--store`, then $LOANRISK_STORE, then the one configured in
/// loanrisk.toml, then the default. Empty strings count as unset.
std::string choose_store_uri(const std::optional<std::string>& flag,
                             const std::optional<std::string>& configured);

}  // namespace loanrisk
