#pragma once
// The two database backends, created only through open_database().
#include <filesystem>
#include <memory>
#include <string>

#include "loanrisk/tracking/database.hpp"

namespace loanrisk {

/// Opens (creating when missing) an SQLite store file in WAL mode.
std::unique_ptr<Database> open_sqlite_database(const std::filesystem::path& path);
/// Connects to PostgreSQL with a libpq connection URI.
std::unique_ptr<Database> open_postgres_database(const std::string& uri);

}  // namespace loanrisk
