#pragma once
// Classification metrics for PD models, defined as scikit-learn defines them where it has them.
// y holds 0/1 labels; scores are probabilities (or any score where higher means riskier). Every
// function throws InputError when the sizes differ, a label is not exactly 0 or 1, or a score is
// NaN.
#include <cstddef>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// Area under the ROC curve, ties counted as half (Mann-Whitney). NaN when only one class is
/// present.
double auc_roc(const std::vector<double>& y, const std::vector<double>& score);
/// Average precision as sklearn.metrics.average_precision_score: sum over distinct thresholds of
/// (R_n - R_{n-1}) * P_n. NaN when there is no positive.
double average_precision(const std::vector<double>& y, const std::vector<double>& score);
/// Kolmogorov-Smirnov: the largest gap between the score CDFs of positives and negatives (ties
/// grouped). NaN when only one class is present.
double ks_statistic(const std::vector<double>& y, const std::vector<double>& score);
/// Mean squared error of the probabilities. NaN when empty.
double brier_score(const std::vector<double>& y, const std::vector<double>& p);
/// Mean negative log-likelihood, probabilities clipped to [eps, 1 - eps]. NaN when empty.
double log_loss(const std::vector<double>& y, const std::vector<double>& p, double eps = 1e-15);

/// Counts at a threshold: a row is predicted positive when p >= threshold.
struct ConfusionMatrix {
  long long tp = 0, fp = 0, tn = 0, fn = 0;
};
ConfusionMatrix confusion_at(const std::vector<double>& y, const std::vector<double>& p,
                             double threshold);
/// tp / (tp + fp), 0 when nothing is predicted positive (sklearn's zero_division=0).
double precision(const ConfusionMatrix& cm);
/// tp / (tp + fn), 0 when there is no positive.
double recall(const ConfusionMatrix& cm);
/// Harmonic mean of precision and recall, 0 when both are 0.
double f1(const ConfusionMatrix& cm);
/// (tp + tn) / total, NaN when the matrix is empty.
double accuracy(const ConfusionMatrix& cm);

/// Every headline metric of a scored set.
struct ClassificationReport {
  std::size_t n = 0;
  std::size_t positives = 0;
  double threshold = 0.5;
  double auc_roc = 0, pr_auc = 0, f1 = 0, recall = 0, precision = 0, accuracy = 0;
  double brier = 0, log_loss = 0, ks = 0, gini = 0;
  ConfusionMatrix confusion;

  /// Keys auc_roc, pr_auc, f1, recall, precision, accuracy, brier, log_loss, ks, gini, n,
  /// positives, threshold and confusion_matrix {tp, fp, tn, fn}; NaN is written as null.
  nlohmann::json to_json() const;
};

/// Computes the report. InputError when empty, sizes differ, labels are not 0/1 or probabilities
/// are not finite within [0, 1] (the message names the index and value).
ClassificationReport evaluate_classification(const std::vector<double>& y,
                                             const std::vector<double>& p, double threshold);

}  // namespace loanrisk
