#pragma once
// The `MLmodel` file of an exported loanrisk bundle, as MLflow's model format describes a model
// (mlflow/models/model.py): artifact_path, flavors, signature, model_uuid, run_id,
// utc_time_created, mlflow_version. The bundle's manifest.json, pipeline.json and lineage.json are
// read as the JSON files they are (the tracking layer does not link the bundle layer).
#include <cstdint>
#include <filesystem>
#include <string>

namespace loanrisk {

/// The MLflow release whose MLmodel layout the export follows (written as mlflow_version).
inline constexpr const char* kMlflowFormatVersion = "2.9.2";

/// What an MLmodel file needs to say about where its bundle came from.
struct MlflowModelOrigin {
  std::string run_id;
  std::string artifact_path = "bundle";  ///< the bundle's folder under the run's artifacts.
  std::int64_t created_ms = 0;           ///< when the run that wrote the bundle started.
};

/// The text of the MLmodel file for the bundle in bundle_dir: the custom flavour `loanrisk`
/// (family, bundle format version, loanrisk version), and for tree families, whose model/ holds
/// an XGBoost booster, MLflow's `xgboost` flavour pointing at it; the signature's inputs are the
/// schema's id and feature columns, its output the probability of default.
std::string mlflow_model_text(const std::filesystem::path& bundle_dir,
                              const MlflowModelOrigin& origin);

/// Writes bundle_dir/MLmodel when bundle_dir holds a loanrisk bundle (a manifest.json naming its
/// family, and a pipeline.json); returns whether it did. InputError for a bundle whose
/// pipeline.json cannot be read.
bool write_mlflow_model(const std::filesystem::path& bundle_dir, const MlflowModelOrigin& origin);

}  // namespace loanrisk
