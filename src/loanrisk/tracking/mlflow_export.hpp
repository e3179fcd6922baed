#pragma once
// Export for MLflow users: experiments and runs written in MLflow's file-store layout
// (mlflow/store/tracking/file_store.py), so `mlflow ui --backend-store-uri DIR` can browse them.
// The registry's part (models/) is registry/mlflow_registry_export.hpp; `runs export-mlflow`
// writes both. Every string in a YAML file goes through yaml_scalar(), every path in a URI
// through file_uri().
#include <filesystem>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// What an export wrote.
struct MlflowExportSummary {
  int experiments = 0;
  int runs = 0;
  long long metric_values = 0;
  int datasets = 0;  ///< runs with a dataset input (inputs/ and <exp>/datasets/).
  int models = 0;    ///< bundles given an MLmodel file.
};

/// MLflow's integer code of a run status (RUNNING 1, FINISHED 3, FAILED 4, KILLED 5).
int mlflow_status_code(RunStatus status);

/// Where export_mlflow writes a run: `<out>/<experiment id>/<run id>` (absolute).
std::filesystem::path mlflow_run_dir(const std::filesystem::path& out, const Run& run);

/// Writes every experiment and run of the store under out (created; UsageError when it holds
/// anything already): `.trash/`, `<exp>/meta.yaml`, `<exp>/<run>/meta.yaml` (a deleted run keeps
/// its place with lifecycle_stage deleted, as MLflow keeps it), `metrics/<key>` lines of
/// `timestamp value step`, `params/<key>`, `tags/<key>`, `inputs/<id>/meta.yaml` with
/// `<exp>/datasets/<id>/meta.yaml` for the run's dataset, a copy of the run's `artifacts/`, and
/// an `MLmodel` file in its `artifacts/bundle/` (mlflow_model.hpp).
MlflowExportSummary export_mlflow(Store& store, const std::filesystem::path& out);

}  // namespace loanrisk
