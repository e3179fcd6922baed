#pragma once
// Write helpers shared by the registry's source files (not part of its interface). Each runs
// inside the caller's open write transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loanrisk/registry/registry.hpp"

namespace loanrisk {

/// Marks the model updated; on PostgreSQL also takes its row lock, serialising writers of a model.
void touch_model(Database& db, const std::string& name);
/// An event of the history (previous version, request and report unset).
RegistryEvent make_event(const std::string& name, const std::string& event,
                         std::optional<std::int64_t> version, const std::string& alias,
                         const std::string& user, const std::string& reason);
/// Appends one event to registry_history (its timestamp is now).
void record_registry_event(Database& db, const RegistryEvent& event);
/// The status of a version; UsageError naming the command to list versions when it is missing.
std::string require_status(Database& db, const std::string& name, std::int64_t version);
/// Refuses alias names that are not registry names or would read as a version.
void check_alias_name(const std::string& alias);
/// Points move.alias at *move.version and records an "alias" event built from move (with the
/// previous version and the report the gate relied on filled in); false when it already pointed
/// there (nothing recorded). UsageError for an archived or missing version; GateError (see
/// check_validation_gate) when move.alias is in gated and the evidence is missing or red.
bool move_alias(Database& db, const RegistryEvent& move, const std::vector<std::string>& gated);
/// Refuses a report hash that is not 64 lower-case hex digits ("" passes: none named).
void check_report_sha256(const std::string& hash);
/// The validation gate of a move (`move.report_sha256` the report asked for, `move.override_gate`
/// and `move.reason`): nothing for an alias not in gated; else the report used is written into
/// move.report_sha256, and GateError says what is missing or red and how to fix it.
void check_validation_gate(Database& db, const std::vector<std::string>& gated,
                           RegistryEvent& move);

}  // namespace loanrisk
