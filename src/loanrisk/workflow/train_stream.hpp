#pragma once
// Private to the workflow layer: what train_model's two ways of fitting (the book in memory, or
// streamed with --external-memory) hand to the code that calibrates, evaluates and writes the
// bundle, and the streamed way itself.
#include <cstddef>
#include <memory>

#include <nlohmann/json.hpp>

#include "loanrisk/data/duplicates.hpp"
#include "loanrisk/data/frame.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {

/// A trained model and the rows everything after training is computed on.
struct FittedModel {
  std::unique_ptr<Classifier> model;
  FeaturePipeline pipeline;
  Frame train_as_read;  ///< the drift reference's rows (streamed: a sample of the training split).
  Frame train_kept;     ///< of those, the rows the outlier policy kept (the target-rate anchor).
  Frame validation;     ///< early-stopping rows (streamed: a sample).
  Frame calibration;    ///< the calibration slice (streamed: a sample); may be empty.
  Frame test;           ///< (streamed: a sample)
  std::size_t rows_read = 0, rows_rejected = 0;
  /// Whole-split counts (streamed: every row of the file, not only the samples).
  std::size_t rows_train = 0, rows_validation = 0, rows_calibration = 0, rows_test = 0;
  std::size_t rows_dropped = 0;  ///< training rows the outlier policy dropped.
  DuplicateIds duplicates;
  std::size_t rows_dropped_as_duplicates = 0;
  /// Streamed only: how the file was split and sampled, per split rows, defaults and sample
  /// sizes (lineage "external_memory"); null in memory.
  nlohmann::json streaming;
};

/// `train --external-memory`: the book read twice in chunks of config.external.batch_rows, never
/// held. Pass 1 assigns each row to a split by a seeded hash of its customer id, counts rows and
/// defaults per split and keeps a seeded reservoir sample of config.external.sample_rows rows of
/// each split (the calibration slice included); the pipeline is fitted on the training sample.
/// Pass 2 is XGBoost's external-memory matrix fed with the training rows through the pipeline,
/// early stopping on the validation sample. UsageError for a family or an option that cannot
/// stream (logistic_regression, scorecard, smote, on_duplicate_id other than group).
FittedModel stream_train(const TrainRequest& req, const TrainConfig& config);

}  // namespace loanrisk
