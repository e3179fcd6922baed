#pragma once
// Registered models, versions and history events as JSON: the one shape `models ... --json`
// prints and the web API's /api/v1/models serves (docs/tracking.md, "JSON shapes").
#include <nlohmann/json.hpp>

#include "loanrisk/registry/registry.hpp"

namespace loanrisk {

/// name, description, created_ms, updated_ms, latest_version, aliases {alias: version}.
nlohmann::json model_to_json(const RegisteredModel& model);

/// name, version, run_id, source, status, description, created_ms, updated_ms, created_by, tags,
/// aliases.
nlohmann::json version_to_json(const ModelVersion& version);

/// id, name, event, version, alias, previous_version (null when none), user, timestamp_ms, reason,
/// request_id (null unless the event belongs to a promotion request), report_sha256,
/// override_gate (true when a gated alias moved without green evidence).
nlohmann::json event_to_json(const RegistryEvent& event);

/// id, name, alias, version, requested_by, requested_ms, reason, report_sha256, override_gate,
/// state, decided_by, decided_ms (null while pending), decision_reason.
nlohmann::json request_to_json(const AliasRequest& request);

/// name, version, sha256, status, red, data_source, against, path, attached_by, attached_ms.
nlohmann::json report_to_json(const VersionReport& report);

}  // namespace loanrisk
