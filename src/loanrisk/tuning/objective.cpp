#include "loanrisk/tuning/objective.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/metrics/classification.hpp"

namespace loanrisk {
namespace {

double or_zero(double v) {
  return std::isnan(v) ? 0.0 : v;
}

}  // namespace

nlohmann::json ObjectiveWeights::to_json() const {
  return {{"auc_roc", auc_roc},
          {"pr_auc", pr_auc},
          {"f1", f1},
          {"recall", recall},
          {"precision", precision}};
}

double composite_score(const std::vector<double>& y, const std::vector<double>& p, double threshold,
                       const ObjectiveWeights& w) {
  return composite_score(evaluate_classification(y, p, threshold), w);
}

double composite_score(const ClassificationReport& r, const ObjectiveWeights& w) {
  return w.auc_roc * or_zero(r.auc_roc) + w.pr_auc * or_zero(r.pr_auc) + w.f1 * or_zero(r.f1) +
         w.recall * or_zero(r.recall) + w.precision * or_zero(r.precision);
}

}  // namespace loanrisk
