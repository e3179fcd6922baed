#include "loanrisk/tracking/mlflow_export.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/mlflow_model.hpp"
#include "loanrisk/tracking/yaml_scalar.hpp"

namespace loanrisk {
namespace {

namespace fs = std::filesystem;

// A param, tag or metric key becomes a file path under the run (MLflow keeps '/' in keys as
// folders); a key that could leave that folder is refused rather than written somewhere else.
fs::path key_path(const fs::path& dir, const std::string& run_id, const std::string& key) {
  const fs::path relative(key);
  bool safe = !key.empty() && relative.is_relative() && key.find('\0') == std::string::npos;
  for (const auto& part : relative) safe = safe && part != ".." && part != ".";
  if (!safe) {
    throw UsageError("run " + run_id + " has the key '" + echo_text(key) +
                     "', which cannot be a file name in MLflow's file store; rename it");
  }
  return dir / relative;
}

void write_key_file(const fs::path& dir, const std::string& run_id, const std::string& key,
                    const std::string& contents) {
  const auto path = key_path(dir, run_id, key);
  fs::create_directories(path.parent_path());
  write_file_atomic(path, contents);
}

// MLflow validates run ids as [a-zA-Z0-9][\w-]{0,255} (they name folders); loanrisk's are hex.
void check_run_folder_name(const std::string& id) {
  const bool ok = !id.empty() && id.size() <= 256 &&
                  std::isalnum(static_cast<unsigned char>(id[0])) &&
                  std::all_of(id.begin(), id.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                  });
  if (!ok) throw InternalError("run id '" + echo_text(id) + "' cannot name a folder (a bug)");
}

std::string experiment_meta(const Experiment& e, const fs::path& exp_dir) {
  return "artifact_location: " + yaml_scalar(file_uri(exp_dir)) +
         "\ncreation_time: " + std::to_string(e.created_ms) +
         "\nexperiment_id: " + yaml_scalar(std::to_string(e.id)) +
         "\nlast_update_time: " + std::to_string(e.created_ms) +
         "\nlifecycle_stage: active\nname: " + yaml_scalar(e.name) + "\n";
}

// MLflow keeps a deleted run where it was, with lifecycle_stage deleted (only deleted
// experiments move to .trash/); loanrisk does not record when a run was deleted.
std::string run_meta(const Run& r, const fs::path& run_dir, bool deleted) {
  return "artifact_uri: " + yaml_scalar(file_uri(run_dir / "artifacts")) +
         "\nend_time: " + (r.end_ms ? std::to_string(*r.end_ms) : std::string("null")) +
         "\nentry_point_name: \"\"\nexperiment_id: " +
         yaml_scalar(std::to_string(r.experiment_id)) +
         "\nlifecycle_stage: " + (deleted ? "deleted" : "active") +
         "\nrun_id: " + yaml_scalar(r.id) + "\nrun_name: " + yaml_scalar(r.name) +
         "\nrun_uuid: " + yaml_scalar(r.id) +
         "\nsource_name: \"\"\nsource_type: 4\nsource_version: \"\"\nstart_time: " +
         std::to_string(r.start_ms) + "\nstatus: " + std::to_string(mlflow_status_code(r.status)) +
         "\ntags: []\nuser_id: " + yaml_scalar(r.user) + "\ndeleted_time: null\n";
}

// The run's training data as an MLflow dataset input (file_store.py log_inputs): the dataset's
// meta.yaml under <exp>/datasets/<id>/, the link under <run>/inputs/<id>/ with the context tag.
// MLflow derives both ids with md5; any unique folder name reads back the same, so they are the
// first 32 hex digits of a sha256 of the same text.
void write_dataset_input(const Run& r, const fs::path& exp_dir, const fs::path& run_dir) {
  const std::string name = fs::path(r.dataset_path).filename().string().empty()
                               ? std::string("dataset")
                               : fs::path(r.dataset_path).filename().string();
  const std::string dataset_id = sha256_hex(name + r.dataset_sha256).substr(0, 32);
  const fs::path dataset_dir = exp_dir / "datasets" / dataset_id;
  if (!fs::exists(dataset_dir / "meta.yaml")) {
    fs::create_directories(dataset_dir);
    const std::string source = dump_json({{"uri", file_uri(fs::path(r.dataset_path))}});
    const std::string profile =
        r.dataset_rows ? dump_json({{"num_rows", *r.dataset_rows}}) : std::string("null");
    write_file_atomic(dataset_dir / "meta.yaml",
                      "digest: " + yaml_scalar(r.dataset_sha256) + "\nname: " + yaml_scalar(name) +
                          "\nprofile: " + (r.dataset_rows ? yaml_scalar(profile) : profile) +
                          "\nschema: null\nsource: " + yaml_scalar(source) +
                          "\nsource_type: local\n");
  }
  const fs::path input_dir = run_dir / "inputs" / sha256_hex(dataset_id + r.id).substr(0, 32);
  fs::create_directories(input_dir);
  write_file_atomic(input_dir / "meta.yaml",
                    "destination_id: " + yaml_scalar(r.id) +
                        "\ndestination_type: RUN\nsource_id: " + yaml_scalar(dataset_id) +
                        "\nsource_type: DATASET\ntags:\n  mlflow.data.context: training\n");
}

void export_run(Store& store, const Run& r, const fs::path& exp_dir, bool deleted,
                MlflowExportSummary& summary) {
  check_run_folder_name(r.id);
  const RunRecord rec = store.get_run_record(r.id);
  const auto run_dir = exp_dir / r.id;
  for (const char* sub : {"metrics", "params", "tags", "artifacts"}) {
    fs::create_directories(run_dir / sub);
  }
  write_file_atomic(run_dir / "meta.yaml", run_meta(r, run_dir, deleted));
  for (const auto& [key, value] : rec.params) {
    write_key_file(run_dir / "params", r.id, key, value);
  }
  std::map<std::string, std::string> tags = rec.tags;
  tags["mlflow.runName"] = r.name;
  tags["mlflow.user"] = r.user;
  tags["mlflow.source.git.commit"] = r.git_commit;
  if (!r.parent_run_id.empty()) tags["mlflow.parentRunId"] = r.parent_run_id;
  if (!r.dataset_sha256.empty()) {
    tags["loanrisk.dataset.sha256"] = r.dataset_sha256;
    tags["loanrisk.dataset.path"] = r.dataset_path;
    if (r.dataset_rows) tags["loanrisk.dataset.rows"] = std::to_string(*r.dataset_rows);
    write_dataset_input(r, exp_dir, run_dir);
    ++summary.datasets;
  }
  for (const auto& [key, value] : tags) write_key_file(run_dir / "tags", r.id, key, value);
  for (const auto& [key, latest] : rec.metrics) {
    std::string lines;
    for (const MetricPoint& p : store.metric_history(r.id, key)) {
      lines += std::to_string(p.timestamp_ms) + " " + format_double(p.value) + " " +
               std::to_string(p.step) + "\n";
      ++summary.metric_values;
    }
    write_key_file(run_dir / "metrics", r.id, key, lines);
  }
  std::error_code ec;
  if (fs::is_directory(r.artifact_dir, ec)) {
    fs::copy(r.artifact_dir, run_dir / "artifacts",
             fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec) {
      throw InternalError("cannot copy the artifacts of run " + r.id + " from '" +
                          r.artifact_dir.string() + "': " + ec.message());
    }
  }
  if (write_mlflow_model(run_dir / "artifacts" / "bundle", {r.id, "bundle", r.start_ms})) {
    ++summary.models;
  }
  ++summary.runs;
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

fs::path mlflow_run_dir(const fs::path& out, const Run& run) {
  return fs::absolute(out) / std::to_string(run.experiment_id) / run.id;
}

MlflowExportSummary export_mlflow(Store& store, const fs::path& out_dir) {
  const auto out = fs::absolute(out_dir);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    throw UsageError("export folder '" + out.string() +
                     "' is not empty; give a new or empty folder");
  }
  fs::create_directories(out);
  // MLflow's FileStore creates .trash/ (deleted experiments) and models/ (the registry) at the
  // root and treats both as reserved names, never as experiments.
  fs::create_directories(out / ".trash");
  MlflowExportSummary summary;
  const auto runs = store.list_runs(std::nullopt);
  const auto deleted_ids = store.deleted_run_ids();
  const std::set<std::string> deleted(deleted_ids.begin(), deleted_ids.end());
  for (const Experiment& e : store.list_experiments()) {
    const auto exp_dir = out / std::to_string(e.id);
    fs::create_directories(exp_dir);
    write_file_atomic(exp_dir / "meta.yaml", experiment_meta(e, exp_dir));
    ++summary.experiments;
    for (const Run& r : runs) {
      if (r.experiment_id == e.id) export_run(store, r, exp_dir, deleted.contains(r.id), summary);
    }
  }
  return summary;
}

}  // namespace loanrisk
