#pragma once
// The model registry in MLflow's file-store layout (mlflow/store/model_registry/file_store.py),
// beside the runs export_mlflow() writes: `models/<name>/meta.yaml`, `aliases/<alias>` (a file
// holding the version number), `version-<n>/meta.yaml` and `version-<n>/tags/<key>`. A version's
// source is its run's exported bundle (which has an MLmodel file), so MLflow's
// `models:/NAME/VERSION` and `models:/NAME@ALIAS` resolve inside the export.
#include <filesystem>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// What the registry export wrote.
struct MlflowRegistryExportSummary {
  int models = 0;
  int versions = 0;
  int aliases = 0;
};

/// Writes every registered model, version and alias of the store under out/models (out is the
/// folder export_mlflow() wrote; models/ is created).
MlflowRegistryExportSummary export_mlflow_registry(Store& store, const std::filesystem::path& out);

}  // namespace loanrisk
