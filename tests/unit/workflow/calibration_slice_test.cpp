// The calibrator and the threshold are fitted on a slice of the validation split that early
// stopping never saw, and metrics.json says which rows each block was computed on.
#include <gtest/gtest.h>

#include <set>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/models/calibrator.hpp"
#include "loanrisk/training/prepare.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/synthetic_book.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

std::set<std::string> ids_of(const Frame& f) {
  return {f.ids.begin(), f.ids.end()};
}

TEST(SplitData, HoldsOutAStratifiedCalibrationSliceOfTheValidationSplit) {
  const Frame all = synth_loan_book({3000, 21});
  const TrainConfig config;
  const SplitData s = split_data(all, config, "book");
  EXPECT_EQ(s.validation.rows() + s.calibration.rows(), s.indices.validation.size());
  EXPECT_NEAR(static_cast<double>(s.calibration.rows()), 300, 1);
  std::set<std::string> overlap;
  const auto cal = ids_of(s.calibration);
  for (const auto& id : s.validation.ids) {
    if (cal.count(id)) overlap.insert(id);
  }
  EXPECT_TRUE(overlap.empty());
  const auto defaults = [](const Frame& f) {
    double d = 0;
    for (double v : f.column("default")) d += v;
    return d;
  };
  EXPECT_NEAR(defaults(s.calibration), defaults(s.validation), 1);  // stratified, half each
  TrainConfig none = config;
  none.split.calibration = 0;
  const SplitData whole = split_data(all, none, "book");
  EXPECT_EQ(whole.calibration.rows(), 0u);
  EXPECT_EQ(whole.validation.rows(), s.indices.validation.size());
}

TEST(TrainCalibration, CalibratorAndThresholdComeFromRowsEarlyStoppingNeverSaw) {
  TempDir dir;
  TrainRequest req = testing::train_on_synthetic_book(dir, 3000, 21);
  req.write_report = false;
  req.config.params = {{"n_estimators", 60}, {"nthread", 1}};
  const TrainOutcome o = train_model(req);
  const Bundle& b = o.bundle;

  const Frame all = read_csv(req.data, req.config.schema).frame;
  const SplitData s = split_data(all, req.config, "book");
  ASSERT_GT(s.calibration.rows(), 0u);
  EXPECT_EQ(o.rows_validation, s.validation.rows() + s.calibration.rows());
  EXPECT_EQ(o.rows_calibration, s.calibration.rows());
  EXPECT_EQ(b.metrics["validation"]["n"], s.validation.rows());
  EXPECT_EQ(b.metrics["calibration"]["n"], s.calibration.rows());
  EXPECT_EQ(b.metrics["rows"]["validation"]["used_for"], nlohmann::json({"early stopping"}));
  EXPECT_EQ(b.metrics["rows"]["calibration"]["used_for"],
            nlohmann::json({"calibrator fit", "threshold choice"}));

  // Early stopping saw the validation rows only: the same fit on them gives the same model.
  const PreparedData data = prepare_training_data(s.train, s.validation, req.config);
  auto model =
      make_classifier(req.config.family, resolve_params(req.config.family, req.config.params));
  model->set_monotone(monotone_constraints(req.config));
  model->fit(data.fit.X, data.fit.y, data.val_matrix(), data.val_labels(), data.weights());
  const DenseMatrix X_test = b.pipeline.transform(s.test);
  EXPECT_EQ(model->predict_proba(X_test), b.model->predict_proba(X_test));

  // The calibrator and the threshold are those fitted on the calibration slice alone.
  const std::vector<double>& y_cal = s.calibration.column("default");
  const std::vector<double> raw_cal = b.model->predict_proba(b.pipeline.transform(s.calibration));
  const Calibrator platt = Calibrator::fit("platt", raw_cal, y_cal);
  for (double p : {0.01, 0.2, 0.5, 0.9}) EXPECT_DOUBLE_EQ(b.calibrator.apply(p), platt.apply(p));
  EXPECT_EQ(b.threshold,
            choose_threshold(y_cal, platt.apply(raw_cal), ThresholdRule::parse("max_f1")));

  // Without a slice both are fitted on the early-stopping rows, and metrics.json says so.
  req.config.split.calibration = 0;
  req.out = dir / "no-slice";
  const TrainOutcome whole = train_model(req);
  EXPECT_FALSE(whole.bundle.metrics.contains("calibration"));
  EXPECT_EQ(whole.bundle.metrics["validation"]["n"], s.indices.validation.size());
  EXPECT_EQ(whole.bundle.metrics["rows"]["validation"]["used_for"].size(), 3u);
}

}  // namespace
}  // namespace loanrisk
