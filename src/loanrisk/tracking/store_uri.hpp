#pragma once
// Where the tracking store lives, as one URI: `sqlite:///abs/path.db` (or `sqlite://rel/path.db`)
// for the embedded default, `postgresql://user@host:port/db` for a shared server.
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
/// PostgreSQL.
StoreUri parse_store_uri(const std::string& uri);

/// The URI as a message or log may show it: a PostgreSQL URI's password (user:PASSWORD@ and any
/// password= parameter) replaced by ***; anything else unchanged.
std::string redact_store_uri(const std::string& uri);

/// The default store: `sqlite:///<cwd>/loanrisk-store/loanrisk.db`.
std::string default_store_uri();

/// Picks the store URI by precedence: `--store`, then $LOANRISK_STORE, then the one configured in
/// loanrisk.toml, then the default. Empty strings count as unset.
std::string choose_store_uri(const std::optional<std::string>& flag,
                             const std::optional<std::string>& configured);

}  // namespace loanrisk
