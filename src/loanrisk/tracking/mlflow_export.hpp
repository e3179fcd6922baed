#pragma once
// Export for MLflow users: experiments and runs written in MLflow's file-store layout
// (mlflow/store/tracking/file_store.py), so `mlflow ui --backend-store-uri DIR` can browse them.
#include <filesystem>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// What an export wrote.
struct MlflowExportSummary {
  int experiments = 0;
  int runs = 0;
  long long metric_values = 0;
};

/// MLflow's integer code of a run status (RUNNING 1, FINISHED 3, FAILED 4, KILLED 5).
int mlflow_status_code(RunStatus status);

/// Writes every experiment and run of the store under out (created; UsageError when it holds
/// anything already): `<exp>/meta.yaml`, `<exp>/<run>/meta.yaml`, `metrics/<key>` lines of
/// `timestamp value step`, `params/<key>`, `tags/<key>` and a copy of the run's `artifacts/`.
MlflowExportSummary export_mlflow(Store& store, const std::filesystem::path& out);

}  // namespace loanrisk
