#include "loanrisk/registry/registry_json.hpp"

#include "loanrisk/core/json_optional.hpp"

namespace loanrisk {

// The JSON keys are the fields' names, written once here (nlohmann's macro also defines the
// reverse direction, which nothing uses yet).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RegisteredModel, name, description, created_ms, updated_ms,
                                   latest_version, aliases)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModelVersion, name, version, run_id, source, status, description,
                                   created_ms, updated_ms, created_by, tags, aliases)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RegistryEvent, id, name, event, version, alias, previous_version,
                                   user, timestamp_ms, reason, request_id, report_sha256,
                                   override_gate)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AliasRequest, id, name, alias, version, requested_by,
                                   requested_ms, reason, report_sha256, override_gate, state,
                                   decided_by, decided_ms, decision_reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VersionReport, name, version, sha256, status, red, data_source,
                                   against, path, attached_by, attached_ms)

nlohmann::json model_to_json(const RegisteredModel& model) {
  return model;
}

nlohmann::json version_to_json(const ModelVersion& version) {
  return version;
}

nlohmann::json event_to_json(const RegistryEvent& event) {
  return event;
}

nlohmann::json request_to_json(const AliasRequest& request) {
  return request;
}

nlohmann::json report_to_json(const VersionReport& report) {
  return report;
}

}  // namespace loanrisk
