// Curves, calibration error, threshold rules and bootstrap intervals on hand-checked examples.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/metrics/bootstrap.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

const std::vector<double> kY = {0, 0, 1, 1, 0, 1};
const std::vector<double> kP = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9};

TEST(ThresholdCurve, OnePointPerDistinctScoreFromTheTop) {
  const auto c = threshold_curve(kY, kP);
  ASSERT_EQ(c.size(), 6u);  // start + 5 distinct scores
  EXPECT_EQ(c[1].threshold, 0.9);
  EXPECT_DOUBLE_EQ(c[2].tpr, 2.0 / 3);
  EXPECT_EQ(c[2].fpr, 0.0);
  EXPECT_DOUBLE_EQ(c[3].fpr, 2.0 / 3);  // both 0.4 rows at once
  EXPECT_DOUBLE_EQ(c[3].precision, 0.5);
  EXPECT_EQ(c.back().tpr, 1.0);
  EXPECT_EQ(c.back().fpr, 1.0);
  EXPECT_THROW_MSG(threshold_curve({0, 0}, {0.1, 0.2}), InputError,
                   "curves need both classes: the labels hold only 0s");
}

TEST(ThresholdRuleTest, ChoosesMaxF1AndCost) {
  // At 0.8: tp 2, fp 0, fn 1 -> F1 0.8; at 0.35: tp 3, fp 2 -> F1 0.75.
  EXPECT_EQ(choose_threshold(kY, kP, ThresholdRule::parse("max_f1")), 0.8);
  // Missing a default costs 10x a false alarm: catch all three at 0.35 (2 FP = 2) vs 10 at 0.8.
  EXPECT_EQ(choose_threshold(kY, kP, ThresholdRule::parse("cost:10:1")), 0.35);
  EXPECT_EQ(choose_threshold(kY, kP, ThresholdRule::parse("fixed:0.3")), 0.3);
  EXPECT_EQ(ThresholdRule::parse("cost:5:1").to_string(), "cost:5:1");
  EXPECT_THROW_MSG(ThresholdRule::parse("best"), UsageError,
                   "unknown threshold rule 'best'; use max_f1, cost:FN:FP (e.g. cost:5:1) or "
                   "fixed:T (e.g. fixed:0.5)");
  EXPECT_THROW_MSG(ThresholdRule::parse("cost:x:1"), UsageError,
                   "threshold rule 'cost:x:1': 'x' is not a non-negative number");
  EXPECT_THROW_MSG(ThresholdRule::parse("fixed:2"), UsageError,
                   "threshold rule 'fixed:2': the threshold must be within [0, 1]");
}

TEST(ThresholdRuleTest, CostRuleConsidersDecliningNobody) {
  // Defaults score low: every threshold costs a false alarm (5) before it catches one; declining
  // nobody costs the two missed defaults (2), the cheapest of 2, 7, 6, 5.
  const std::vector<double> y = {0, 1, 1}, p = {0.9, 0.5, 0.4};
  const double t = choose_threshold(y, p, ThresholdRule::parse("cost:1:5"));
  EXPECT_GT(t, 0.9);
  EXPECT_LE(t, 1.0);
  const ConfusionMatrix nobody = confusion_at(y, p, t);
  EXPECT_EQ(nobody.tp + nobody.fp, 0);
  // Cheaper false alarms: catching both defaults at 0.4 (one false alarm) costs 1 < 2.
  EXPECT_EQ(choose_threshold(y, p, ThresholdRule::parse("cost:1:1")), 0.4);
}

TEST(Reliability, BinsAndExpectedCalibrationError) {
  const auto bins = reliability_curve(kY, kP, 2);
  ASSERT_EQ(bins.size(), 2u);
  EXPECT_EQ(bins[0].count, 4u);  // 0.1, 0.4, 0.35, 0.4
  EXPECT_DOUBLE_EQ(bins[0].mean_pd, 0.3125);
  EXPECT_DOUBLE_EQ(bins[0].observed_rate, 0.25);
  EXPECT_EQ(bins[1].count, 2u);
  EXPECT_DOUBLE_EQ(bins[1].mean_pd, 0.85);
  EXPECT_DOUBLE_EQ(bins[1].observed_rate, 1.0);
  EXPECT_DOUBLE_EQ(expected_calibration_error(bins), (4 * 0.0625 + 2 * 0.15) / 6);
  EXPECT_THROW_MSG(reliability_curve({0, 1}, {0.2, 1.5}), InputError,
                   "score at index 1 is 1.5; scores must be finite probabilities in [0, 1]");
  const auto h = score_histogram(kY, kP, 2);
  EXPECT_EQ(h.negatives, (std::vector<std::size_t>{3, 0}));
  EXPECT_EQ(h.positives, (std::vector<std::size_t>{1, 2}));
}

TEST(Bootstrap, SeededIntervalsBracketTheEstimate) {
  std::vector<double> y, p;
  for (int i = 0; i < 400; ++i) {
    y.push_back(i % 4 == 0 ? 1 : 0);
    p.push_back(y.back() == 1 ? 0.3 + 0.001 * (i % 500) : 0.001 * (i % 450));
  }
  const auto a = bootstrap_intervals(y, p, 0.5, {200, 7, 0.95});
  const auto b = bootstrap_intervals(y, p, 0.5, {200, 7, 0.95});
  for (const auto& [name, m] : a) {
    EXPECT_LE(m.lower, m.estimate + 1e-12) << name;
    EXPECT_GE(m.upper, m.estimate - 1e-12) << name;
    EXPECT_EQ(m.resamples, 200u) << name;
    EXPECT_EQ(m.lower, b.at(name).lower) << name;
  }
  EXPECT_EQ(a.size(), 9u);
  EXPECT_LT(a.at("auc_roc").upper - a.at("auc_roc").lower, 0.1);
  EXPECT_THROW_MSG(bootstrap_intervals(y, p, 0.5, {0, 1, 0.95}), UsageError,
                   "bootstrap needs at least one resample");
  EXPECT_EQ(to_json(a)["auc_roc"]["resamples"], 200);
}

}  // namespace
}  // namespace loanrisk
