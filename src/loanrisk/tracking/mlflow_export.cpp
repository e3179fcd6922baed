#include "loanrisk/tracking/mlflow_export.hpp"

#include <fstream>
#include <set>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

// YAML single-quoted scalar: MLflow's meta.yaml quotes strings that need it the same way.
std::string yaml_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void write_key_file(const std::filesystem::path& dir, const std::string& key,
                    const std::string& contents) {
  const auto path = dir / key;
  std::filesystem::create_directories(path.parent_path());
  write_file_atomic(path, contents);
}

std::string file_uri(const std::filesystem::path& p) {
  return "file://" + p.string();
}

}  // namespace

int mlflow_status_code(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning:
      return 1;
    case RunStatus::kFinished:
      return 3;
    case RunStatus::kFailed:
      return 4;
    case RunStatus::kKilled:
      return 5;
  }
  throw InternalError("unknown run status value");
}

MlflowExportSummary export_mlflow(Store& store, const std::filesystem::path& out_dir) {
  const auto out = std::filesystem::absolute(out_dir);
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_empty(out, ec)) {
    throw UsageError("export folder '" + out.string() +
                     "' is not empty; give a new or empty folder");
  }
  std::filesystem::create_directories(out);
  MlflowExportSummary summary;
  const auto runs = store.list_runs(std::nullopt);
  for (const Experiment& e : store.list_experiments()) {
    const auto exp_dir = out / std::to_string(e.id);
    std::filesystem::create_directories(exp_dir);
    write_file_atomic(exp_dir / "meta.yaml",
                      "artifact_location: " + file_uri(exp_dir) +
                          "\ncreation_time: " + std::to_string(e.created_ms) +
                          "\nexperiment_id: '" + std::to_string(e.id) +
                          "'\nlast_update_time: " + std::to_string(e.created_ms) +
                          "\nlifecycle_stage: active\nname: " + yaml_string(e.name) + "\n");
    ++summary.experiments;
    for (const Run& r : runs) {
      if (r.experiment_id != e.id) continue;
      const RunRecord rec = store.get_run_record(r.id);
      const auto run_dir = exp_dir / r.id;
      std::filesystem::create_directories(run_dir / "metrics");
      std::filesystem::create_directories(run_dir / "params");
      std::filesystem::create_directories(run_dir / "tags");
      std::filesystem::create_directories(run_dir / "artifacts");
      write_file_atomic(
          run_dir / "meta.yaml",
          "artifact_uri: " + file_uri(run_dir / "artifacts") +
              "\nend_time: " + (r.end_ms ? std::to_string(*r.end_ms) : std::string("null")) +
              "\nentry_point_name: ''\nexperiment_id: '" + std::to_string(e.id) +
              "'\nlifecycle_stage: active\nrun_id: " + r.id + "\nrun_name: " + yaml_string(r.name) +
              "\nrun_uuid: " + r.id +
              "\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: " +
              std::to_string(r.start_ms) +
              "\nstatus: " + std::to_string(mlflow_status_code(r.status)) +
              "\ntags: []\nuser_id: " + yaml_string(r.user) + "\ndeleted_time: null\n");
      for (const auto& [key, value] : rec.params) write_key_file(run_dir / "params", key, value);
      std::map<std::string, std::string> tags = rec.tags;
      tags["mlflow.runName"] = r.name;
      tags["mlflow.user"] = r.user;
      tags["mlflow.source.git.commit"] = r.git_commit;
      if (!r.parent_run_id.empty()) tags["mlflow.parentRunId"] = r.parent_run_id;
      if (!r.dataset_sha256.empty()) {
        tags["loanrisk.dataset.sha256"] = r.dataset_sha256;
        tags["loanrisk.dataset.path"] = r.dataset_path;
        if (r.dataset_rows) tags["loanrisk.dataset.rows"] = std::to_string(*r.dataset_rows);
      }
      for (const auto& [key, value] : tags) write_key_file(run_dir / "tags", key, value);
      for (const auto& [key, latest] : rec.metrics) {
        std::string lines;
        for (const MetricPoint& p : store.metric_history(r.id, key)) {
          lines += std::to_string(p.timestamp_ms) + " " + format_double(p.value) + " " +
                   std::to_string(p.step) + "\n";
          ++summary.metric_values;
        }
        write_key_file(run_dir / "metrics", key, lines);
      }
      if (std::filesystem::is_directory(r.artifact_dir, ec)) {
        std::filesystem::copy(r.artifact_dir, run_dir / "artifacts",
                              std::filesystem::copy_options::recursive |
                                  std::filesystem::copy_options::overwrite_existing,
                              ec);
        if (ec) {
          throw InternalError("cannot copy the artifacts of run " + r.id + " from '" +
                              r.artifact_dir.string() + "': " + ec.message());
        }
      }
      ++summary.runs;
    }
  }
  return summary;
}

}  // namespace loanrisk
