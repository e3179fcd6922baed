#pragma once
// Curves and calibration measures for reports: ROC, precision-recall, KS, reliability, expected
// calibration error, score histograms by class, and the decision threshold chosen on validation.
// Inputs as in classification.hpp (0/1 labels, finite scores; InputError otherwise).
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// One point of a threshold curve: rows scoring >= threshold are predicted positive.
struct ThresholdPoint {
  double threshold = 0;
  double tpr = 0;        ///< recall: tp / positives
  double fpr = 0;        ///< fp / negatives
  double precision = 1;  ///< tp / (tp + fp), 1 before any row is predicted positive
};

/// One point per distinct score from the highest down, after a starting point (threshold +inf,
/// nothing positive); the ROC curve is (fpr, tpr), the PR curve (tpr, precision), the KS gap
/// tpr - fpr. InputError when a class is missing.
std::vector<ThresholdPoint> threshold_curve(const std::vector<double>& y,
                                            const std::vector<double>& score);

/// At most max_points points of a curve, always keeping the first and last (for charts).
std::vector<ThresholdPoint> thin_curve(const std::vector<ThresholdPoint>& curve,
                                       std::size_t max_points);

/// One equal-width bin of the reliability curve.
struct ReliabilityBin {
  double lower = 0, upper = 0;
  std::size_t count = 0;
  double mean_pd = 0;        ///< mean predicted PD in the bin (0 when empty)
  double observed_rate = 0;  ///< share of defaults in the bin (0 when empty)
};

/// Reliability curve over `bins` equal-width PD bins on [0, 1] (the last bin includes 1).
std::vector<ReliabilityBin> reliability_curve(const std::vector<double>& y,
                                              const std::vector<double>& p, std::size_t bins = 10);
/// Expected calibration error: sum over bins of count / n * |observed_rate - mean_pd|.
double expected_calibration_error(const std::vector<ReliabilityBin>& curve);

/// Counts of scores per equal-width bin on [0, 1], separately for negatives and positives.
struct ScoreHistogram {
  std::vector<double> edges;
  std::vector<std::size_t> negatives, positives;
};
ScoreHistogram score_histogram(const std::vector<double>& y, const std::vector<double>& p,
                               std::size_t bins = 20);

/// How the decision threshold is chosen on validation.
struct ThresholdRule {
  enum class Kind { MaxF1, Cost, Fixed };
  Kind kind = Kind::MaxF1;
  double fn_cost = 1, fp_cost = 1;  ///< Cost: minimise fn_cost * FN + fp_cost * FP
  double fixed = 0.5;               ///< Fixed: this threshold

  /// "max_f1", "cost:FN:FP" (e.g. "cost:5:1") or "fixed:T"; UsageError with the accepted forms.
  static ThresholdRule parse(const std::string& text);
  /// The text parse() reads back.
  std::string to_string() const;
};

/// The threshold the rule picks (a score present in p, so p >= threshold reproduces its counts),
/// the highest one when several tie. The cost rule also weighs declining nobody, chosen as the
/// next double above the highest score. InputError when a class is missing (except Fixed).
double choose_threshold(const std::vector<double>& y, const std::vector<double>& p,
                        const ThresholdRule& rule);

/// Curves as JSON arrays for report.json.
nlohmann::json to_json(const std::vector<ThresholdPoint>& curve);
nlohmann::json to_json(const std::vector<ReliabilityBin>& curve);
nlohmann::json to_json(const ScoreHistogram& histogram);

}  // namespace loanrisk
