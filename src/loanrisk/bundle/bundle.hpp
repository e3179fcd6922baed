#pragma once
// The model bundle: one directory holding everything needed to score exactly as training did
// (schema, fitted pipeline, model, threshold) and everything a reviewer needs (metrics, lineage,
// card).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/calibrator.hpp"
#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

/// A trained model with its pipeline and documentation, as saved on disk.
struct Bundle {
  /// 2 added the calibrator and the threshold rule; format-1 bundles load with neither.
  static constexpr int kFormatVersion = 2;

  Schema schema;
  FeaturePipeline pipeline;
  std::string family;
  ParamValues params;
  std::shared_ptr<const Classifier> model;
  Calibrator calibrator;  ///< fitted on validation; identity for format-1 bundles
  double threshold = 0.5;
  std::string threshold_rule = "fixed";  ///< how threshold was chosen, e.g. "max_f1"
  std::string imbalance = "none";        ///< class-imbalance treatment of the training split
  nlohmann::json metrics = nlohmann::json::object();  ///< {"validation": {...}, "test": {...}}
  nlohmann::json lineage = nlohmann::json::object();  ///< data hash, counts, seed, config, versions
  std::string created_at;                             ///< ISO 8601 UTC
  /// reference.json: training distributions for drift monitoring (see the monitor layer); null
  /// for bundles trained before it existed.
  nlohmann::json reference;
  /// More files written with the bundle, by path relative to it (e.g. "report/report.html").
  std::map<std::string, std::string> extra_files;

  /// Calibrated PD of each row of a frame already validated against the schema.
  std::vector<double> predict(const Frame& frame) const;
  /// The model's raw (uncalibrated) PD of each row: what SHAP contributions explain.
  std::vector<double> predict_raw(const Frame& frame) const;
  /// Calibrated PD of rows already through the pipeline (pipeline.transform), for callers that
  /// also explain them; with contributions, the model's SHAP values of the rows too, from the same
  /// pass over the trees where the family can (Classifier::predict_proba_explained).
  std::vector<double> predict_transformed(const DenseMatrix& X,
                                          std::vector<double>* contributions = nullptr) const;

  /// Writes the bundle into dir, atomically: files go to a temporary sibling folder that is renamed
  /// into place. An existing dir is replaced only when overwrite is true (UsageError otherwise).
  void save(const std::filesystem::path& dir, bool overwrite = false) const;
  /// Reads a bundle; InputError naming the file and field at fault.
  static Bundle load(const std::filesystem::path& dir);
};

/// The model card (Markdown) of a bundle: intended use, data, metrics, caveats, lineage.
std::string model_card(const Bundle& bundle);

/// Current UTC time as ISO 8601 (second precision).
std::string utc_now_iso8601();

}  // namespace loanrisk
