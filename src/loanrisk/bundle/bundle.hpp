#pragma once
// The model bundle: one directory holding everything needed to score exactly as training did
// (schema, fitted pipeline, model, threshold) and everything a reviewer needs (metrics, lineage,
// card).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

/// A trained model with its pipeline and documentation, as saved on disk.
struct Bundle {
  static constexpr int kFormatVersion = 1;

  Schema schema;
  FeaturePipeline pipeline;
  std::string family;
  ParamValues params;
  std::shared_ptr<const Classifier> model;
  double threshold = 0.5;
  nlohmann::json metrics = nlohmann::json::object();  ///< {"validation": {...}, "test": {...}}
  nlohmann::json lineage = nlohmann::json::object();  ///< data hash, counts, seed, config, versions
  std::string created_at;                             ///< ISO 8601 UTC

  /// PD of each row of a frame already validated against the schema.
  std::vector<double> predict(const Frame& frame) const;

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
