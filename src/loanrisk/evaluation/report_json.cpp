// report.json: headline metrics with bootstrap intervals, curves thinned for charts, calibration
// before and after, and the model's own facts.
#include <fmt/format.h>

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/evaluation/report.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/metrics/curves.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kCurvePoints = 200;

nlohmann::json calibration_block(const std::vector<double>& y, const std::vector<double>& p) {
  const std::vector<ReliabilityBin> bins = reliability_curve(y, p, 10);
  return {{"brier", brier_score(y, p)},
          {"ece", expected_calibration_error(bins)},
          {"reliability", to_json(bins)}};
}

}  // namespace

nlohmann::json evaluation_report(const EvaluationInput& in) {
  if (in.y.empty()) throw InputError("cannot evaluate an empty set: it has no labelled row");
  if (in.raw_pd.size() != in.y.size() || in.pd.size() != in.y.size()) {
    throw InputError(fmt::format("evaluation has {} labels, {} raw PDs and {} PDs", in.y.size(),
                                 in.raw_pd.size(), in.pd.size()));
  }
  const ClassificationReport report = evaluate_classification(in.y, in.pd, in.threshold);
  const std::vector<ThresholdPoint> curve = threshold_curve(in.y, in.pd);
  // KS is the two-sample statistic max |tpr - fpr| everywhere (metrics.ks too); the sign at that
  // point says whether defaults score higher, as they should.
  std::size_t ks_at = 0;
  for (std::size_t i = 0; i < curve.size(); ++i) {
    if (std::abs(curve[i].tpr - curve[i].fpr) > std::abs(curve[ks_at].tpr - curve[ks_at].fpr)) {
      ks_at = i;
    }
  }
  nlohmann::json out;
  out["title"] = in.title;
  out["context"] = in.context;
  out["metrics"] = report.to_json();
  out["intervals"] = to_json(bootstrap_intervals(in.y, in.pd, in.threshold, in.bootstrap));
  out["bootstrap"] = {{"resamples", in.bootstrap.resamples},
                      {"seed", in.bootstrap.seed},
                      {"level", in.bootstrap.level}};
  out["threshold"] = {{"value", in.threshold}, {"rule", in.threshold_rule}};
  out["curves"] = {{"threshold", to_json(thin_curve(curve, kCurvePoints))},
                   {"ks_threshold", curve[ks_at].threshold},
                   {"ks", report.ks},
                   {"ks_defaults_score_higher", curve[ks_at].tpr >= curve[ks_at].fpr}};
  out["calibration"] = {{"method", in.calibration},
                        {"before", calibration_block(in.y, in.raw_pd)},
                        {"after", calibration_block(in.y, in.pd)}};
  out["score_histogram"] = to_json(score_histogram(in.y, in.pd, 20));
  out["model"] = in.model_info;
  return out;
}

}  // namespace loanrisk
