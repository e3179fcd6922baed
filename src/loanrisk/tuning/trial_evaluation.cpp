#include "loanrisk/tuning/trial_evaluation.hpp"

#include <algorithm>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

TuningFold make_fold(const Frame& train_in, const Frame& validation, const TrainConfig& config,
                     const std::string& target) {
  Frame train = train_in;
  FeaturePipeline pipeline = FeaturePipeline::fit(train, config.features);
  const auto keep = pipeline.rows_to_keep(train);
  if (keep.size() != train.rows()) train = train.take(keep);
  TuningFold f;
  f.X_train = pipeline.transform(train);
  f.X_val = pipeline.transform(validation);
  const auto& yt = train.column(target);
  f.y_train.assign(yt.begin(), yt.end());
  f.y_val = validation.column(target);
  f.y_val_f.assign(f.y_val.begin(), f.y_val.end());
  return f;
}

// Stratified k-fold: each class shuffled with the split seed and dealt round-robin to the folds.
std::vector<std::vector<std::size_t>> stratified_folds(const std::vector<double>& y, int k,
                                                       std::uint64_t seed) {
  std::vector<std::vector<std::size_t>> folds(static_cast<std::size_t>(k));
  for (double cls : {0.0, 1.0}) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (y[i] == cls) idx.push_back(i);
    }
    Rng rng(seed + static_cast<std::uint64_t>(cls));
    for (std::size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
    for (std::size_t i = 0; i < idx.size(); ++i) folds[i % folds.size()].push_back(idx[i]);
  }
  for (auto& f : folds) std::sort(f.begin(), f.end());
  return folds;
}

}  // namespace

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
  const SplitIndices split = stratified_split(all.column(target), config.split);
  if (split.validation.empty() && cv_folds < 2) {
    throw UsageError(
        "the split has no validation rows ([split] validation = 0): tuning scores "
        "trials on validation rows; set a validation fraction or cv_folds >= 2");
  }
  if (cv_folds < 2) {
    out.folds.push_back(
        make_fold(all.take(split.train), all.take(split.validation), config, target));
    return out;
  }
  std::vector<std::size_t> pool = split.train;
  pool.insert(pool.end(), split.validation.begin(), split.validation.end());
  std::sort(pool.begin(), pool.end());
  const Frame cv = all.take(pool);
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
  const auto folds = stratified_folds(y, cv_folds, config.split.seed);
  for (std::size_t k = 0; k < folds.size(); ++k) {
    std::vector<std::size_t> train_idx;
    for (std::size_t j = 0; j < folds.size(); ++j) {
      if (j != k) train_idx.insert(train_idx.end(), folds[j].begin(), folds[j].end());
    }
    std::sort(train_idx.begin(), train_idx.end());
    out.folds.push_back(make_fold(cv.take(train_idx), cv.take(folds[k]), config, target));
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
    const TuningFold& f = data.folds[k];
    auto model = make_classifier(family, merged);
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
    model->fit(f.X_train, f.y_train, &f.X_val, &f.y_val_f, nullptr);
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
