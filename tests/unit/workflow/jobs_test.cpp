// Job specs: the JSON the server writes and `loanrisk job run` reads round-trips every field, and
// anything else is refused with the field named.
#include "loanrisk/workflow/jobs.hpp"

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

std::string error_of(const nlohmann::json& j) {
  try {
    job_from_json(j, "spec.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(JobSpec, TrainAndTuneRoundTripThroughJson) {
  TrainJob train;
  train.data = "book.csv";
  train.out = "bundle";
  train.rejects = "rejects.csv";
  train.overwrite = true;
  train.model.family = "random_forest";
  train.model.features = {"income", "fico_score"};
  train.model.seed = 7;
  train.tracking.store = "sqlite:////tmp/x.db";
  train.tracking.register_as = "loan-default";
  train.tracking.alias = "challenger";
  const JobSpec back = job_from_json(job_to_json(train), "spec");
  ASSERT_TRUE(std::holds_alternative<TrainJob>(back));
  EXPECT_EQ(job_to_json(back), job_to_json(train));

  TuneJob tune;
  tune.data = "book.csv";
  tune.trials = 12;
  tune.workers = 2;
  tune.pruner = "none";
  tune.refit = false;
  tune.model.family = "all";
  const JobSpec t = job_from_json(job_to_json(tune), "spec");
  ASSERT_TRUE(std::holds_alternative<TuneJob>(t));
  EXPECT_EQ(std::get<TuneJob>(t).trials, 12);
  EXPECT_EQ(job_to_json(t), job_to_json(tune));
}

TEST(JobSpec, MonitorRoundTripsAndNeedsModelAndOut) {
  MonitorJob m;
  m.model = "models:/loan-default@champion";
  m.log = "predictions";
  m.since = "2026-11-01";
  m.out = "mon";
  m.window = "week";
  const JobSpec back = job_from_json(job_to_json(m), "spec");
  ASSERT_TRUE(std::holds_alternative<MonitorJob>(back));
  EXPECT_EQ(job_to_json(back), job_to_json(m));
  EXPECT_EQ(job_to_json(m)["kind"], "monitor");
  m.window.clear();
  m.window_rows = 500;
  EXPECT_EQ(std::get<MonitorJob>(job_from_json(job_to_json(m), "spec")).window_rows, 500);
  EXPECT_NE(error_of({{"kind", "monitor"}, {"out", "mon"}}).find("model must name"),
            std::string::npos);
  EXPECT_NE(error_of({{"kind", "monitor"}, {"model", "b"}}).find("out must name"),
            std::string::npos);
  EXPECT_NE(error_of({{"kind", "monitor"}, {"model", "b"}, {"out", "o"}, {"window_rows", 0}})
                .find("window_rows must be an integer from 1"),
            std::string::npos);
  // A field of another kind is not a monitor field.
  EXPECT_NE(error_of({{"kind", "monitor"}, {"model", "b"}, {"out", "o"}, {"trials", 3}})
                .find("trials is not a known field"),
            std::string::npos);
}

TEST(JobSpec, BadSpecsNameTheFieldAndTheFix) {
  EXPECT_NE(error_of(nlohmann::json::array()).find("must be a JSON object"), std::string::npos);
  EXPECT_NE(error_of({{"kind", "deploy"}}).find("kind must be \"train\", \"tune\" or \"monitor\""),
            std::string::npos);
  EXPECT_NE(error_of({{"kind", "train"}, {"out", "b"}}).find("data must name"), std::string::npos);
  const std::string unknown = error_of({{"kind", "train"}, {"data", "a"}, {"out", "b"}, {"x", 1}});
  EXPECT_NE(unknown.find("x is not a known field (known: "), std::string::npos) << unknown;
  const std::string nested =
      error_of({{"kind", "tune"}, {"data", "a"}, {"model", {{"features", {1, 2}}}}});
  EXPECT_NE(nested.find("model: features must be an array of strings"), std::string::npos)
      << nested;
  EXPECT_NE(error_of({{"kind", "tune"}, {"data", "a"}, {"trials", 0}}).find("trials must be"),
            std::string::npos);
  EXPECT_NE(error_of({{"kind", "tune"}, {"data", "a"}, {"trials", 1.5}}).find("trials must be"),
            std::string::npos);
  EXPECT_NE(error_of({{"kind", "train"}, {"data", "\xff"}, {"out", "b"}}).find("UTF-8"),
            std::string::npos);
}

TEST(JobSpec, ModelChoiceAppliesOverridesAndChecksFeatures) {
  ModelChoice m;
  m.family = "logistic_regression";
  m.features = {"fico_score", "debt_to_income_ratio"};
  m.calibration = "isotonic";
  const TrainConfig c = m.resolve();
  EXPECT_EQ(c.family, "logistic_regression");
  EXPECT_EQ(c.features.features, m.features);
  EXPECT_EQ(c.calibration, "isotonic");
  m.features = {"shoe_size"};
  EXPECT_THROW(m.resolve(), UsageError);
}

}  // namespace
}  // namespace loanrisk
