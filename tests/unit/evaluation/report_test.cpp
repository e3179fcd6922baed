// report.json's numbers and report.html's self-containment.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/evaluation/report.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

EvaluationInput input() {
  EvaluationInput in;
  in.title = "unit <test>";
  in.y = {0, 0, 1, 1, 0, 1, 0, 0};
  in.raw_pd = {0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.05, 0.2};
  in.pd = {0.12, 0.3, 0.28, 0.7, 0.3, 0.85, 0.08, 0.2};
  in.threshold = 0.5;
  in.threshold_rule = "max_f1";
  in.calibration = "platt";
  in.model_info = {
      {"importance_type", "total_gain"},
      {"importance", {{"fico_score", 3.5}, {"income", 1.25}}},
      {"intercept", -1.5},
      {"standardized_intercept", -2.0},
      {"coefficients",
       {{{"feature", "fico_score"}, {"coefficient", -0.01}, {"standardized_coefficient", -0.7}}}}};
  in.bootstrap = {100, 3, 0.95};
  return in;
}

TEST(EvaluationReport, HoldsMetricsIntervalsCurvesAndCalibrationBeforeAndAfter) {
  const nlohmann::json r = evaluation_report(input());
  EXPECT_EQ(r["metrics"]["n"], 8);
  EXPECT_EQ(r["metrics"]["confusion_matrix"]["tp"], 2);
  EXPECT_EQ(r["metrics"]["confusion_matrix"]["fn"], 1);
  EXPECT_EQ(r["intervals"]["auc_roc"]["resamples"].get<int>() <= 100, true);
  EXPECT_EQ(r["curves"]["threshold"].size(), 8u);              // start + 7 distinct PDs
  EXPECT_DOUBLE_EQ(r["curves"]["ks"].get<double>(), 2.0 / 3);  // after 0.7: tpr 2/3, fpr 0
  EXPECT_EQ(r["calibration"]["before"]["reliability"].size(), 10u);
  EXPECT_NE(r["calibration"]["before"]["brier"], r["calibration"]["after"]["brier"]);
  EXPECT_EQ(r["score_histogram"]["edges"].size(), 21u);
}

TEST(EvaluationReport, CurvesKsIsTheKsOfTheMetrics) {
  // A score that ranks defaults low: the curve's gap tpr - fpr is negative at its largest.
  EvaluationInput in = input();
  for (double& p : in.pd) p = 1 - p;
  const nlohmann::json r = evaluation_report(in);
  EXPECT_EQ(r["curves"]["ks"].get<double>(), r["metrics"]["ks"].get<double>());
  EXPECT_DOUBLE_EQ(r["curves"]["ks"].get<double>(), 2.0 / 3);
  EXPECT_FALSE(r["curves"]["ks_defaults_score_higher"].get<bool>());
  EXPECT_TRUE(evaluation_report(input())["curves"]["ks_defaults_score_higher"].get<bool>());
}

TEST(EvaluationReport, HtmlIsSelfContainedAndEscaped) {
  const std::string html = evaluation_html(evaluation_report(input()));
  EXPECT_NE(html.find("<title>Evaluation: unit &lt;test&gt;</title>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  for (const char* part :
       {"ROC curve", "Precision-recall", "KS plot", "Reliability", "Calibrated PD by class",
        "Feature importance (total_gain)", "Coefficients", "predicted default"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
}

TEST(EvaluationReport, BadInputsAreInputErrors) {
  EvaluationInput in = input();
  in.pd.pop_back();
  EXPECT_THROW_MSG(evaluation_report(in), InputError,
                   "evaluation has 8 labels, 8 raw PDs and 7 PDs");
  in = input();
  in.y.assign(8, 0);
  EXPECT_THROW(evaluation_report(in), InputError);
}

}  // namespace
}  // namespace loanrisk
