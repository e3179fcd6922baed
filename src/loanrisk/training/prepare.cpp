#include "loanrisk/training/prepare.hpp"

#include "loanrisk/core/error.hpp"

namespace loanrisk {

std::vector<float> float_labels(const Frame& frame, const std::string& target) {
  const auto& y = frame.column(target);
  return std::vector<float>(y.begin(), y.end());
}

SplitData split_data(const Frame& all, const TrainConfig& config, const std::string& source) {
  const std::string target = config.schema.target() ? config.schema.target()->name : "";
  if (target.empty()) throw UsageError("the schema has no target column: a split needs one");
  const DuplicatePolicy policy =
      parse_duplicate_policy(config.on_duplicate_id, "[data] on_duplicate_id (--on-duplicate-id)");
  SplitData out;
  out.duplicates = find_duplicate_ids(all);
  out.rows = apply_duplicate_policy(all, policy, out.duplicates, source);
  out.rows_dropped_as_duplicates = all.rows() - out.rows.rows();
  // By customer, so that no customer is in two splits (with unique ids: row by row).
  out.indices = stratified_group_split(out.rows.column(target), out.rows.ids, config.split);
  out.train = out.rows.take(out.indices.train);
  out.validation = out.rows.take(out.indices.validation);
  out.test = out.rows.take(out.indices.test);
  const double share = config.split.calibration;
  if (share > 0 && out.validation.rows() > 0) {
    // Rows early stopping never sees, so the calibrator and the threshold are not fitted on rows
    // the model was tuned on, and metrics.validation is not scored on rows they were fitted on.
    const Frame validation = out.validation;
    SplitIndices slice;
    try {
      slice = stratified_group_split(validation.column(target), validation.ids,
                                     SplitSpec{1 - share, share, 0, config.split.seed, 0});
    } catch (const InputError& e) {
      throw InputError(
          source + ": the calibration slice ([split] calibration = " + std::to_string(share) +
          " of the " + std::to_string(validation.rows()) +
          " validation rows) cannot be cut with both classes on each side (" + e.what() +
          "). Fix: use more data, a larger [split] validation, or [split] "
          "calibration = 0 (calibrate on the early-stopping rows)");
    }
    out.validation = validation.take(slice.train);
    out.calibration = validation.take(slice.validation);
  }
  return out;
}

PreparedData prepare_training_data(const Frame& train, const Frame& validation,
                                   const TrainConfig& config) {
  const std::string target = config.schema.target() ? config.schema.target()->name : "";
  if (target.empty()) throw UsageError("the schema has no target column: training needs one");
  check_imbalance(config.imbalance);
  PreparedData out{FeaturePipeline::fit(train, config.features), train, 0, {}, {}, {}, {}};
  const auto keep = out.pipeline.rows_to_keep(out.train);
  out.rows_dropped = out.train.rows() - keep.size();
  if (out.rows_dropped > 0) out.train = out.train.take(keep);
  // Only the training rows are rebalanced: validation keeps the real class mix.
  out.fit = rebalance(config.imbalance, out.pipeline.transform(out.train),
                      float_labels(out.train, target), config.split.seed);
  out.X_val = out.pipeline.transform(validation);
  out.y_val = validation.column(target);
  out.y_val_f.assign(out.y_val.begin(), out.y_val.end());
  return out;
}

}  // namespace loanrisk
