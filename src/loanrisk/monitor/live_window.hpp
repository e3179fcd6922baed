#pragma once
// The server's rolling window of the last N scored applicants, kept as per-bin counts against a
// bundle's reference so that adding a row is O(features) and a PSI read is O(bins): the live side
// of drift monitoring, with no HTTP in it.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/monitor/reference.hpp"

namespace loanrisk::monitor {

/// Rolling per-bin counts of the features and the score; safe to use from many threads.
class LiveWindow {
 public:
  LiveWindow(ModelReference reference, std::size_t capacity);

  /// Names of the features, in the order add() expects their values.
  const std::vector<std::string>& feature_names() const { return names_; }
  /// Adds one scored row (values in feature_names() order); the oldest row leaves when full.
  void add(const std::vector<double>& values, double score);
  /// Rows in the window now.
  std::size_t count() const;
  /// The monitoring document: {"window_size", "count", "thresholds", "score", "features"}, each
  /// of score and features with "psi" (null while count < kMinRows), "status" and "bins".
  nlohmann::json to_json() const;
  /// The reference of a column (a feature's name, or "score"); null when there is no such column.
  const FeatureReference* reference_of(const std::string& name) const;
  /// One column of the window (a feature's name, or "score") compared with its reference as
  /// `loanrisk monitor` compares a file: PSI, KS, Wasserstein, means, missing shares and bins
  /// (FeatureDrift::to_json); null when no column has that name.
  nlohmann::json column_json(const std::string& name) const;
  /// PSI of each feature and then of the score ("score"); NaN while count < kMinRows.
  std::vector<std::pair<std::string, double>> psi_values() const;

 private:
  ModelReference reference_;
  std::size_t capacity_;
  std::size_t columns_;              ///< features + 1 (the score is last).
  std::vector<std::string> names_;   ///< the features' names.
  std::vector<std::uint16_t> ring_;  ///< capacity_ x columns_ bin indices.
  std::vector<double> values_;       ///< capacity_ x columns_ values, for KS and Wasserstein.
  std::size_t next_ = 0, count_ = 0;
  std::vector<std::vector<std::size_t>> counts_;  ///< per column, per bin.
  mutable std::mutex mutex_;

  const FeatureReference& column_reference(std::size_t c) const;
  /// The column named `name`, columns_ when there is none.
  std::size_t column_index(const std::string& name) const;
};

}  // namespace loanrisk::monitor
