#pragma once
// A run as JSON, the one shape `runs list|show --json` prints and the web API's /api/v1/runs
// serves (docs/tracking.md, "JSON shapes").
#include <nlohmann/json.hpp>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// run_id, experiment, experiment_id, name, status, start_ms, end_ms (null while running), user,
/// git_commit, parent_run_id, pid, hostname, artifact_dir, dataset {sha256, path, rows}, params,
/// tags, metrics (latest values; null for a NaN or infinity).
nlohmann::json run_to_json(const RunRecord& record);

}  // namespace loanrisk
