#include "loanrisk/registry/mlflow_registry_export.hpp"

#include "loanrisk/core/files.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/mlflow_export.hpp"
#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/yaml_scalar.hpp"

namespace loanrisk {
namespace {

namespace fs = std::filesystem;

// MLflow's stages: a loanrisk version is READY (stage None) or ARCHIVED (stage Archived); its
// status is READY either way, as a created MLflow version is.
std::string version_meta(const ModelVersion& v, const std::string& source) {
  return "creation_timestamp: " + std::to_string(v.created_ms) +
         "\ncurrent_stage: " + (v.status == "ARCHIVED" ? "Archived" : "None") +
         "\ndescription: " + yaml_scalar(v.description) +
         "\nlast_updated_timestamp: " + std::to_string(v.updated_ms) +
         "\nname: " + yaml_scalar(v.name) + "\nrun_id: " + yaml_scalar(v.run_id) +
         "\nrun_link: null\nsource: " + yaml_scalar(source) +
         "\nstatus: READY\nstatus_message: null\nstorage_location: " + yaml_scalar(source) +
         "\nuser_id: " + yaml_scalar(v.created_by) + "\nversion: " + std::to_string(v.version) +
         "\n";
}

// The bundle a version came from, as exported with its run (so with an MLmodel file); the
// registry's own copy when the run's bundle is not in the export.
std::string version_source(Store& store, const fs::path& out, const ModelVersion& v) {
  std::error_code ec;
  try {
    const fs::path exported = mlflow_run_dir(out, store.get_run(v.run_id)) / "artifacts" / "bundle";
    if (fs::is_directory(exported, ec)) return file_uri(exported);
  } catch (const UsageError&) {
    // the run is gone from the store: only the registry's copy is left
  }
  return file_uri(v.source);
}

}  // namespace

MlflowRegistryExportSummary export_mlflow_registry(Store& store, const fs::path& out_dir) {
  const fs::path models_dir = fs::absolute(out_dir) / "models";
  fs::create_directories(models_dir);
  ModelRegistry registry(store);
  MlflowRegistryExportSummary summary;
  for (const RegisteredModel& m : registry.list_models()) {
    check_registry_name("model name", m.name);  // it names a folder
    const fs::path dir = models_dir / m.name;
    fs::create_directories(dir);
    write_file_atomic(dir / "meta.yaml",
                      "creation_timestamp: " + std::to_string(m.created_ms) +
                          "\ndescription: " + yaml_scalar(m.description) +
                          "\nlast_updated_timestamp: " + std::to_string(m.updated_ms) +
                          "\nname: " + yaml_scalar(m.name) + "\n");
    ++summary.models;
    for (const auto& [alias, version] : m.aliases) {
      check_registry_name("alias", alias);
      fs::create_directories(dir / "aliases");
      write_file_atomic(dir / "aliases" / alias, std::to_string(version));
      ++summary.aliases;
    }
    for (const ModelVersion& v : registry.versions(m.name)) {
      const fs::path vdir = dir / ("version-" + std::to_string(v.version));
      fs::create_directories(vdir);
      write_file_atomic(vdir / "meta.yaml", version_meta(v, version_source(store, out_dir, v)));
      for (const auto& [key, value] : v.tags) {
        // check_key() let the key in (no "..", no leading '/'); a '/' makes folders, as in MLflow.
        check_key("version tag key", key);
        const fs::path tag = vdir / "tags" / key;
        fs::create_directories(tag.parent_path());
        write_file_atomic(tag, value);
      }
      ++summary.versions;
    }
  }
  return summary;
}

}  // namespace loanrisk
