#include "loanrisk/tuning/trial_evaluation.hpp"

#include <algorithm>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/models/classifier.hpp"

namespace loanrisk {

TuningData prepare_tuning_data(const std::filesystem::path& data, const TrainConfig& config_in,
                               int cv_folds) {
  TuningData out;
  out.config = config_in;
  validate(out.config);
  const TrainConfig& config = out.config;
  const std::string target = config.schema.target() ? config.schema.target()->name : "";
  if (target.empty()) throw UsageError("the schema has no target column: tuning needs one");
  ReadResult read = read_with_rejects(data, config.schema, true, std::nullopt);
  const Frame& all = read.frame;
  out.data_path = data;
  out.data_sha256 = sha256_file(data);
  out.rows = all.rows();
  // Split exactly as `loanrisk train` splits (duplicate ids, by customer, stratified).
  const SplitData split = split_data(all, config, data.string());
  out.duplicates = split.duplicates;
  out.rows_dropped_as_duplicates = split.rows_dropped_as_duplicates;
  if (split.validation.rows() == 0 && cv_folds < 2) {
    throw UsageError(
        "the split has no validation rows ([split] validation = 0): tuning scores "
        "trials on validation rows; set a validation fraction or cv_folds >= 2");
  }
  if (cv_folds < 2) {
    out.folds.push_back(prepare_training_data(split.train, split.validation, config));
    return out;
  }
  std::vector<std::size_t> pool = split.indices.train;
  pool.insert(pool.end(), split.indices.validation.begin(), split.indices.validation.end());
  std::sort(pool.begin(), pool.end());
  const Frame cv = split.rows.take(pool);
  const auto& y = cv.column(target);
  const auto positives = static_cast<int>(std::count(y.begin(), y.end(), 1.0));
  if (positives < cv_folds || static_cast<int>(y.size()) - positives < cv_folds) {
    throw UsageError("cv_folds = " + std::to_string(cv_folds) +
                     " needs at least that many rows of "
                     "each class in train + validation, which has " +
                     std::to_string(positives) + " defaults and " +
                     std::to_string(static_cast<int>(y.size()) - positives) +
                     " non-defaults; lower [tuning] cv_folds");
  }
  // Group-aware like the split: a customer's rows are never on both sides of a fold.
  const auto folds = stratified_group_kfold(y, cv.ids, cv_folds, config.split.seed);
  for (std::size_t k = 0; k < folds.size(); ++k) {
    std::vector<std::size_t> train_idx;
    for (std::size_t j = 0; j < folds.size(); ++j) {
      if (j != k) train_idx.insert(train_idx.end(), folds[j].begin(), folds[j].end());
    }
    std::sort(train_idx.begin(), train_idx.end());
    out.folds.push_back(prepare_training_data(cv.take(train_idx), cv.take(folds[k]), config));
  }
  return out;
}

TrialEvaluation evaluate_trial(const TuningData& data, const std::string& family,
                               const ParamValues& params, const ObjectiveWeights& weights,
                               int report_every, const IntermediateReporter& report) {
  ParamValues merged = data.config.family == family ? data.config.params : ParamValues{};
  for (const auto& [k, v] : params) merged[k] = v;
  const double threshold = data.config.threshold;
  TrialEvaluation out;
  double sum = 0;
  const bool per_round = data.folds.size() == 1;
  for (std::size_t k = 0; k < data.folds.size(); ++k) {
    const PreparedData& f = data.folds[k];
    auto model = make_classifier(family, merged);
    model->set_monotone(monotone_constraints(data.config));
    if (per_round && report) {
      model->observe_rounds([&](int round, const std::vector<double>& pd) {
        const int step = round + 1;
        if (step % report_every != 0) return true;
        const double v = composite_score(f.y_val, pd, threshold, weights);
        out.value = v;
        if (!report(step, v)) out.pruned = true;
        return !out.pruned;
      });
    }
    model->fit(f.fit.X, f.fit.y, &f.X_val, &f.y_val_f, f.weights());
    if (out.pruned) return out;
    const std::vector<double> pd = model->predict_proba(f.X_val);
    const ClassificationReport r = evaluate_classification(f.y_val, pd, threshold);
    out.auc_roc = r.auc_roc;
    out.pr_auc = r.pr_auc;
    out.f1 = r.f1;
    sum += composite_score(r, weights);
    out.value = sum / static_cast<double>(k + 1);
    if (!per_round && report && !report(static_cast<std::int64_t>(k + 1), out.value)) {
      out.pruned = true;
      return out;
    }
  }
  return out;
}

}  // namespace loanrisk
