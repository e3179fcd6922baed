// Training with calibration, imbalance and a chosen threshold: bundle round trips, old bundles,
// the report written into the bundle, and the acceptance numbers on the real data.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

TrainRequest request(const TempDir& dir, const std::string& family, const std::string& out) {
  TrainRequest req;
  req.data = dir / "book.csv";
  req.out = dir / out;
  req.config.family = family;
  req.bootstrap_resamples = 50;
  return req;
}

TEST(FamiliesWorkflow, CalibrationAndThresholdSurviveTheRoundTripBitIdentically) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({3000, 4}), Schema::loan_default());
  const Frame all = read_csv(dir / "book.csv", Schema::loan_default()).frame;
  for (const char* calibration : {"platt", "isotonic"}) {
    for (const char* family : {"logistic_regression", "lightgbm"}) {
      TrainRequest req = request(dir, family, std::string(family) + "-" + calibration);
      req.config.calibration = calibration;
      req.config.threshold_rule = "cost:5:1";
      req.config.imbalance = "class_weight";
      const TrainOutcome trained = train_model(req);
      const Bundle reloaded = Bundle::load(req.out);
      EXPECT_EQ(reloaded.calibrator.method_name(), calibration);
      EXPECT_EQ(reloaded.threshold, trained.bundle.threshold);
      EXPECT_EQ(reloaded.threshold_rule, "cost:5:1");
      EXPECT_EQ(reloaded.imbalance, "class_weight");
      EXPECT_EQ(reloaded.predict(all), trained.bundle.predict(all)) << family << calibration;
      EXPECT_EQ(reloaded.predict_raw(all), trained.bundle.predict_raw(all));
      EXPECT_NE(reloaded.predict(all), reloaded.predict_raw(all));
      EXPECT_TRUE(std::filesystem::exists(req.out / "report" / "report.html"));
      const auto report = read_json_file(req.out / "report" / "report.json");
      EXPECT_EQ(report["calibration"]["method"], calibration);
      EXPECT_EQ(report["threshold"]["value"].get<double>(), trained.bundle.threshold);
    }
  }
}

TEST(FamiliesWorkflow, FormatOneBundlesLoadWithoutACalibrator) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({1500, 6}), Schema::loan_default());
  TrainRequest req = request(dir, "xgboost", "bundle");
  train_model(req);
  nlohmann::json manifest = read_json_file(req.out / "manifest.json");
  manifest["format_version"] = 1;
  manifest.erase("calibrator");
  manifest.erase("threshold_rule");
  manifest.erase("imbalance");
  write_json_file(req.out / "manifest.json", manifest);
  const Bundle old = Bundle::load(req.out);
  EXPECT_EQ(old.calibrator.method_name(), "none");
  const Frame all = read_csv(dir / "book.csv", Schema::loan_default()).frame;
  EXPECT_EQ(old.predict(all), old.predict_raw(all));

  manifest["format_version"] = 2;
  write_json_file(req.out / "manifest.json", manifest);
  EXPECT_THROW_MSG(Bundle::load(req.out), InputError, "has no field 'threshold_rule'");
}

TEST(FamiliesWorkflow, BadSettingsAreUsageErrors) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({500, 6}), Schema::loan_default());
  TrainRequest req = request(dir, "xgboost", "bundle");
  req.config.calibration = "beta";
  EXPECT_THROW_MSG(train_model(req), UsageError, "unknown calibration 'beta'");
  req.config.calibration = "platt";
  req.config.imbalance = "undersample";
  EXPECT_THROW_MSG(train_model(req), UsageError, "unknown imbalance treatment 'undersample'");
  req.config.imbalance = "none";
  req.config.threshold_rule = "max_recall";
  EXPECT_THROW_MSG(train_model(req), UsageError, "unknown threshold rule 'max_recall'");
  req.config.family = "svm";
  EXPECT_THROW_MSG(train_model(req), UsageError,
                   "unknown model family 'svm'; valid families: logistic_regression, "
                   "random_forest, xgboost, lightgbm");
}

TEST(FamiliesRealData, AcceptanceAucAndCalibratedBrier) {
  const auto data = testing::real_data();
  if (!data) GTEST_SKIP() << "real data not present";
  TempDir dir;
  // The original project's bars, unconstrained; the tree families again under the default
  // monotone constraints, whose cost is measured in docs/modelling.md (random forest loses most).
  struct Case {
    std::string family;
    bool monotone;
    double min_auc;
  };
  const std::vector<Case> cases = {{"logistic_regression", false, 0.998},
                                   {"random_forest", false, 0.999},
                                   {"xgboost", false, 0.999},
                                   {"lightgbm", false, 0.999},
                                   {"scorecard", false, 0.999},
                                   {"random_forest", true, 0.998},
                                   {"xgboost", true, 0.999},
                                   {"lightgbm", true, 0.999}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.family + (c.monotone ? " monotone" : ""));
    TrainRequest req;
    req.data = *data;
    req.out = dir / (c.family + (c.monotone ? "-monotone" : ""));
    req.config.family = c.family;
    req.config.monotone_enabled = c.monotone;
    req.bootstrap_resamples = 20;
    const TrainOutcome o = train_model(req);
    EXPECT_GE(o.test.auc_roc, c.min_auc);
    if (c.family == "xgboost") {
      EXPECT_LE(o.test.brier, 0.005);
    }
  }
}

}  // namespace
}  // namespace loanrisk
