// A tuning trial scores the model `loanrisk train` would fit with the same parameters: same split,
// same pipeline and outlier rows, same imbalance treatment.
#include <gtest/gtest.h>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/training/prepare.hpp"
#include "loanrisk/tuning/trial_evaluation.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

// The composite of a trained bundle's uncalibrated model on the validation rows early stopping
// used (the calibration slice is left for the calibrator), at the configured threshold: what a
// trial with the same parameters must report.
double refit_composite(const TempDir& dir, const TrainConfig& config, const std::string& out) {
  TrainRequest req;
  req.data = dir / "book.csv";
  req.out = dir / out;
  req.config = config;
  req.write_report = false;
  const TrainOutcome trained = train_model(req);
  const Frame all = read_csv(req.data, config.schema).frame;
  const Frame validation = split_data(all, config, "book.csv").validation;
  const std::vector<double> raw =
      trained.bundle.model->predict_proba(trained.bundle.pipeline.transform(validation));
  return composite_score(validation.column("default"), raw, config.threshold, ObjectiveWeights{});
}

TEST(TrialEvaluation, ScoresTheModelTheRefitTrainsWithItsImbalanceTreatment) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({3000, 17}), Schema::loan_default());
  for (const std::string family : {"logistic_regression", "xgboost"}) {
    std::map<std::string, double> trial_values;
    for (const std::string imbalance : {"none", "class_weight", "smote"}) {
      SCOPED_TRACE(family + " with " + imbalance);
      TrainConfig config;
      config.family = family;
      config.imbalance = imbalance;
      config.calibration = "none";
      if (family == "xgboost") config.params = {{"n_estimators", 30}, {"nthread", 1}};
      const TuningData data = prepare_tuning_data(dir / "book.csv", config, 0);
      const TrialEvaluation e = evaluate_trial(data, family, {}, ObjectiveWeights{}, 10, nullptr);
      EXPECT_DOUBLE_EQ(e.value, refit_composite(dir, config, family + "-" + imbalance));
      trial_values[imbalance] = e.value;
    }
    // The treatments change the model, so the equality above is not that of identical models.
    EXPECT_NE(trial_values["none"], trial_values["class_weight"]) << family;
    EXPECT_NE(trial_values["none"], trial_values["smote"]) << family;
  }
}

}  // namespace
}  // namespace loanrisk::testing
