#pragma once
// The one way training data is prepared, shared by `loanrisk train`, every tuning trial and CV
// fold, and the benchmarks: the feature pipeline fitted on the training rows (outlier rows dropped
// by its cap/drop policy), every set transformed by it, and only the training matrix rebalanced
// by the configured imbalance treatment. A trial that skipped a step would score a different
// model from the one the refit trains.
#include <cstddef>
#include <string>
#include <vector>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/matrix.hpp"
#include "loanrisk/data/duplicates.hpp"
#include "loanrisk/data/frame.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/imbalance.hpp"

namespace loanrisk {

/// A labelled file split as `train`, `tune` and `split` all split it.
struct SplitData {
  Frame rows;            ///< the rows after the duplicate-id policy.
  SplitIndices indices;  ///< of rows, per split (validation: early-stopping and calibration rows).
  Frame train;
  Frame validation;   ///< early stopping (and tuning trials' scores); never the calibration rows.
  Frame calibration;  ///< config.split.calibration of the validation split, by customer: the
                      ///< calibrator and the threshold; empty when that share is 0.
  Frame test;
  DuplicateIds duplicates;                     ///< customer ids on several rows, as read.
  std::size_t rows_dropped_as_duplicates = 0;  ///< earlier rows of an id (keep-last).
};

/// Applies config.on_duplicate_id to the rows (source names the file in messages), then splits
/// them by customer, stratified on the target (stratified_group_split with config.split), and
/// holds out config.split.calibration of the validation rows (by customer, stratified) as the
/// calibration slice. InputError for duplicates under "reject" or a slice that would miss a
/// class, UsageError for an unknown policy.
SplitData split_data(const Frame& all, const TrainConfig& config, const std::string& source);

/// Training rows ready for Classifier::fit and validation rows ready for early stopping.
struct PreparedData {
  FeaturePipeline pipeline;      ///< fitted on the training rows only.
  Frame train;                   ///< the training rows the pipeline kept.
  std::size_t rows_dropped = 0;  ///< training rows the outlier policy dropped.
  RebalancedData fit;            ///< the training matrix after config.imbalance (weights or rows).
  DenseMatrix X_val;             ///< validation rows, transformed (never rebalanced).
  std::vector<double> y_val;     ///< their labels.
  std::vector<float> y_val_f;    ///< the same labels for Classifier::fit.

  /// The validation matrix and labels to hand to Classifier::fit (nullptr without rows).
  const DenseMatrix* val_matrix() const { return X_val.rows ? &X_val : nullptr; }
  const std::vector<float>* val_labels() const { return X_val.rows ? &y_val_f : nullptr; }
  /// The weights to hand to Classifier::fit (nullptr when every row weighs 1).
  const std::vector<float>* weights() const { return fit.weights.empty() ? nullptr : &fit.weights; }
};

/// Prepares a training frame and a validation frame (which may have no row) as described above,
/// with config.features, config.imbalance and config.split.seed. UsageError for an unknown
/// imbalance treatment, InputError when the training rows cannot be rebalanced.
PreparedData prepare_training_data(const Frame& train, const Frame& validation,
                                   const TrainConfig& config);

/// The 0/1 target column of a frame as floats, for Classifier::fit.
std::vector<float> float_labels(const Frame& frame, const std::string& target);

}  // namespace loanrisk
