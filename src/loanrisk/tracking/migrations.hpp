#pragma once
// The store's schema (tracking, registry and study tables, one versioned unit so that a registry
// write and the run it points at live in one database), upgraded in place when a store is opened.
#include "loanrisk/tracking/database.hpp"

namespace loanrisk {

/// The schema version this build writes.
inline constexpr int kStoreSchemaVersion = 9;

/// Brings the schema up to kStoreSchemaVersion inside one write transaction (concurrent openers
/// wait for each other); UsageError when the store was written by a newer loanrisk. Returns the
/// version found before migrating (0 for a new store).
int migrate_store(Database& db, const std::string& store_name);

}  // namespace loanrisk
