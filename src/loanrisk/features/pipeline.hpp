#pragma once
// FeaturePipeline: fitted on the training split only, saved as JSON in the bundle, and applied
// unchanged at serving time, so that serving computes exactly what training did.
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/core/matrix.hpp"
#include "loanrisk/data/frame.hpp"

namespace loanrisk {

/// What to do with a value outside a column's fences.
enum class OutlierAction { None, Cap, Drop };

/// Outlier rule of one raw column: IQR fence factor (the z fence is shared).
struct OutlierRule {
  double iqr_factor = 1.5;
  OutlierAction action = OutlierAction::None;
};

/// Options of the pipeline, from loanrisk.toml [features].
struct PipelineOptions {
  /// Model inputs, in order: any of raw_feature_names() and derived_feature_names().
  std::vector<std::string> features;
  /// Per raw column outlier rule; columns not listed get {1.5, None}.
  std::map<std::string, OutlierRule> outliers;
  /// |z| above this is an outlier too (z from the training mean and standard deviation).
  double z_threshold = 3.0;
  /// Ratios divide by max(income, income_floor), so an income of zero never yields inf.
  double income_floor = 1.0;

  /// All ten features; loan_amt 2.80, total_debt 3.90, income 1.90, fico 2.00 with action cap.
  static PipelineOptions defaults();
  /// UsageError (listing the valid names) for unknown, duplicate or no features, rules on unknown
  /// columns, and factors, z_threshold or income_floor that are not finite and > 0.
  void validate() const;
  /// The raw columns transform() reads to compute `features`, in raw_feature_names() order.
  std::vector<std::string> input_columns() const;
};

/// Statistics learned on the training split for one raw column.
struct ColumnFit {
  double q1 = 0, q3 = 0, mean = 0, std = 0;
  double lower = 0, upper = 0;  ///< the fences: max(q1 - k*iqr, mean - z*std), min(q3 + k*iqr, ...)
  OutlierRule rule;
};

/// The six raw inputs the pipeline reads.
const std::vector<std::string>& raw_feature_names();
/// debt_to_income_ratio, credit_to_income_ratio, fico_score_diff, normalized_fico_score.
const std::vector<std::string>& derived_feature_names();

/// Fitted transformation from a loan Frame to the model's input matrix.
class FeaturePipeline {
 public:
  /// Learns fences and the FICO min/max from the training rows. UsageError for unknown features.
  static FeaturePipeline fit(const Frame& train, const PipelineOptions& options);

  /// Training rows kept after the `drop` rules (all rows when no column drops), ascending.
  std::vector<std::size_t> rows_to_keep(const Frame& train) const;
  /// Caps (for `cap` columns), derives ratios and selects the features, in feature_names() order.
  DenseMatrix transform(const Frame& frame) const;
  /// The same into `out`, reusing its storage (the predict route keeps one matrix per thread).
  void transform(const Frame& frame, DenseMatrix& out) const;

  /// The model's input names, in order.
  const std::vector<std::string>& feature_names() const { return options_.features; }
  const PipelineOptions& options() const { return options_; }
  const std::map<std::string, ColumnFit>& fits() const { return fits_; }
  double fico_min() const { return fico_min_; }
  double fico_max() const { return fico_max_; }

  nlohmann::json to_json() const;
  /// InputError naming the bad field when the JSON is not a fitted pipeline.
  static FeaturePipeline from_json(const nlohmann::json& j);

 private:
  /// transform()'s per-column work resolved once, by fit() and from_json(), instead of by name on
  /// every call (serving transforms one row per request).
  struct Plan {
    std::vector<std::string> inputs;         ///< input_columns()
    std::vector<std::size_t> input_raw;      ///< raw index of each input
    std::array<bool, 6> capped{};            ///< by raw_feature_names() index
    std::array<double, 6> lower{}, upper{};  ///< the caps' fences, by raw index
    std::vector<int> kinds;                  ///< what each feature is (raw or derived)
    std::vector<std::size_t> raw_of;         ///< raw index of each raw feature
  };
  void make_plan();

  PipelineOptions options_;
  std::map<std::string, ColumnFit> fits_;
  double fico_min_ = 0, fico_max_ = 1;
  Plan plan_;
};

/// Parses "none" | "cap" | "drop"; UsageError listing the valid names otherwise.
OutlierAction parse_outlier_action(const std::string& name);
std::string to_string(OutlierAction action);

}  // namespace loanrisk
