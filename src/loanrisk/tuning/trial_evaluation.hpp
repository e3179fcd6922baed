#pragma once
// What one trial does with the loan data: prepare the split (or CV folds) once, then train a model
// with the trial's parameters and score the composite objective on validation rows, reporting
// intermediate values so that a pruner can stop it early.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/matrix.hpp"
#include "loanrisk/training/prepare.hpp"
#include "loanrisk/tuning/objective.hpp"

namespace loanrisk {

/// The data every trial of a study uses, prepared once.
struct TuningData {
  TrainConfig config;
  /// One fold (the validation split) or k CV folds, each prepared as `loanrisk train` prepares
  /// its data (pipeline, outlier rows, imbalance treatment), so a trial scores the model the
  /// refit would train.
  std::vector<PreparedData> folds;
  std::filesystem::path data_path;
  std::string data_sha256;
  std::size_t rows = 0;
  DuplicateIds duplicates;                     ///< customer ids on several rows, as read.
  std::size_t rows_dropped_as_duplicates = 0;  ///< with on_duplicate_id = keep-last.
};

/// Reads the CSV strictly, splits it as `loanrisk train` does (config.split) and prepares the
/// training rows as it does (prepare_training_data); with cv_folds >= 2, stratified k-fold CV over
/// train + validation (test is never touched). InputError for bad data, UsageError for a fold count
/// the data cannot support.
TuningData prepare_tuning_data(const std::filesystem::path& data, const TrainConfig& config,
                               int cv_folds);

/// Receives (step, value) intermediate values; returns false to prune the trial.
using IntermediateReporter = std::function<bool(std::int64_t step, double value)>;

/// The outcome of one trial's training.
struct TrialEvaluation {
  double value = 0;  ///< composite (mean over folds); the last intermediate value when pruned.
  bool pruned = false;
  double auc_roc = 0, pr_auc = 0, f1 = 0;  ///< of the last fold evaluated (for the trial's run).
};

/// Trains `family` with config.params overridden by params on each fold. With one fold the
/// composite is reported every report_every boosting rounds (families with rounds); with CV the
/// running mean after each fold. UsageError for parameters the family rejects.
TrialEvaluation evaluate_trial(const TuningData& data, const std::string& family,
                               const ParamValues& params, const ObjectiveWeights& weights,
                               int report_every, const IntermediateReporter& report);

}  // namespace loanrisk
