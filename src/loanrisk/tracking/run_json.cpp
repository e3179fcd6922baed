#include "loanrisk/tracking/run_json.hpp"

#include "loanrisk/core/json_optional.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
nlohmann::json run_to_json(const RunRecord& record) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [k, v] : record.metrics) metrics[k] = number_or_null(v);
  const Run& run = record.run;
  return {
      {"run_id", run.id},
      {"experiment", run.experiment_name},
      {"experiment_id", run.experiment_id},
      {"name", run.name},
      {"status", to_string(run.status)},
      {"start_ms", run.start_ms},
      {"end_ms", run.end_ms},
      {"user", run.user},
      {"git_commit", run.git_commit},
      {"parent_run_id", run.parent_run_id},
      {"pid", run.pid},
      {"hostname", run.hostname},
      {"artifact_dir", run.artifact_dir.string()},
      {"dataset",
       {{"sha256", run.dataset_sha256}, {"path", run.dataset_path}, {"rows", run.dataset_rows}}},
      {"params", record.params},
      {"tags", record.tags},
      {"metrics", metrics}};
}

}  // namespace loanrisk
