#include "loanrisk/monitor/shadow_compare.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "loanrisk/core/quantile.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/metrics/pd_tests.hpp"

namespace loanrisk::monitor {
namespace {

double mean(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return v.empty() ? std::nan("") : s / static_cast<double>(v.size());
}

/// One model's discrimination and calibration on the labelled rows; AUC null with one class.
nlohmann::json model_side(const std::vector<double>& y, const std::vector<double>& pd,
                          bool both_classes) {
  nlohmann::json j = {{"mean_pd", number_or_null(mean(pd))},
                      {"brier", number_or_null(brier_score(y, pd))},
                      {"auc_roc", nullptr},
                      {"auc_ci_low", nullptr},
                      {"auc_ci_high", nullptr}};
  if (both_classes) {
    const AucWithVariance a = delong_auc(y, pd);
    j["auc_roc"] = a.auc;
    j["auc_ci_low"] = a.ci_low;
    j["auc_ci_high"] = a.ci_high;
  }
  return j;
}

}  // namespace

nlohmann::json shadow_comparison(const std::vector<double>& champion,
                                 const std::vector<double>& challenger,
                                 const std::vector<double>& target) {
  std::vector<double> a, b, diff, y, ya, yb;
  for (std::size_t i = 0; i < champion.size() && i < challenger.size(); ++i) {
    if (!std::isfinite(champion[i]) || !std::isfinite(challenger[i])) continue;
    a.push_back(champion[i]);
    b.push_back(challenger[i]);
    diff.push_back(challenger[i] - champion[i]);
    if (i < target.size() && !std::isnan(target[i])) {
      y.push_back(target[i]);
      ya.push_back(champion[i]);
      yb.push_back(challenger[i]);
    }
  }
  if (a.empty()) return nullptr;
  double mean_abs = 0, max_abs = 0;
  for (const double d : diff) {
    mean_abs += std::abs(d);
    max_abs = std::max(max_abs, std::abs(d));
  }
  mean_abs /= static_cast<double>(diff.size());
  std::sort(diff.begin(), diff.end());
  nlohmann::json j = {{"rows", a.size()},
                      {"champion_mean_pd", mean(a)},
                      {"challenger_mean_pd", mean(b)},
                      {"pd_difference",
                       {{"mean", mean(diff)},
                        {"mean_abs", mean_abs},
                        {"p05", quantile_sorted(diff, 0.05)},
                        {"p50", quantile_sorted(diff, 0.50)},
                        {"p95", quantile_sorted(diff, 0.95)},
                        {"max_abs", max_abs}}},
                      {"with_outcomes", nullptr}};
  if (y.empty()) return j;
  double defaults = 0;
  for (const double v : y) defaults += v;
  const bool both = defaults > 0 && defaults < static_cast<double>(y.size());
  nlohmann::json w = {{"rows", y.size()},
                      {"defaults", static_cast<std::int64_t>(defaults)},
                      {"default_rate", defaults / static_cast<double>(y.size())},
                      {"champion", model_side(y, ya, both)},
                      {"challenger", model_side(y, yb, both)},
                      {"brier_difference", brier_score(y, yb) - brier_score(y, ya)},
                      {"auc_difference", nullptr},
                      {"auc_p_value", nullptr}};
  if (both) {
    const AucComparison c = delong_compare(y, yb, ya);
    w["auc_difference"] = c.auc_a - c.auc_b;
    w["auc_p_value"] = c.p_value;
    w["note"] =
        "challenger minus champion on the same rows; auc_p_value is DeLong's two-sided test of "
        "the two correlated AUCs";
  } else {
    w["note"] = "one class only among the joined outcomes: AUC needs defaults and non-defaults";
  }
  j["with_outcomes"] = std::move(w);
  return j;
}

}  // namespace loanrisk::monitor
