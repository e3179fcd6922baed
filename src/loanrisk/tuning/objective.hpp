#pragma once
// The composite objective the original project tuned for: a weighted sum of validation metrics
// that rewards ranking (AUC-ROC, PR-AUC) and the decisions at the threshold (F1, recall,
// precision).
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

struct ClassificationReport;

/// Weights of the composite objective (they need not sum to 1).
struct ObjectiveWeights {
  double auc_roc = 0.4;
  double pr_auc = 0.3;
  double f1 = 0.2;
  double recall = 0.05;
  double precision = 0.05;

  /// {"auc_roc": ..., "pr_auc": ..., "f1": ..., "recall": ..., "precision": ...}.
  nlohmann::json to_json() const;
};

/// The composite of 0/1 labels y and probabilities p at the threshold; InputError as
/// evaluate_classification for bad input. A NaN metric (one class only) counts as 0.
double composite_score(const std::vector<double>& y, const std::vector<double>& p, double threshold,
                       const ObjectiveWeights& weights);

/// The composite of metrics already computed (evaluate_classification's report).
double composite_score(const ClassificationReport& report, const ObjectiveWeights& weights);

}  // namespace loanrisk
