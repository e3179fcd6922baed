#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(Config, DefaultsWhenEmpty) {
  const TrainConfig c = parse_config("", "loanrisk.toml");
  EXPECT_EQ(c.family, "xgboost");
  EXPECT_EQ(c.split.seed, 42u);
  EXPECT_DOUBLE_EQ(c.split.train, 0.6);
  EXPECT_EQ(c.features.features.size(), 10u);
  EXPECT_DOUBLE_EQ(c.features.outliers.at("income").iqr_factor, 1.90);
  EXPECT_EQ(c.params.count("max_depth"), 1u);  // resolved against the family's declarations
}

TEST(Config, EverySectionIsRead) {
  const TrainConfig c = parse_config(R"(
[data.columns.fico_score]
min = 350
[split]
train = 0.7
validation = 0.15
test = 0.15
seed = 7
[features]
use = ["fico_score", "debt_to_income_ratio"]
z_threshold = 2.5
[features.outliers.income]
iqr_factor = 3.0
action = "drop"
[model]
threshold = 0.3
imbalance = "smote"
calibration = "isotonic"
threshold_rule = "cost:5:1"
[model.params]
max_depth = 6
)",
                                     "x.toml");
  EXPECT_DOUBLE_EQ(c.schema.find("fico_score")->min, 350);
  EXPECT_DOUBLE_EQ(c.split.train, 0.7);
  EXPECT_EQ(c.split.seed, 7u);
  EXPECT_EQ(c.features.features, (std::vector<std::string>{"fico_score", "debt_to_income_ratio"}));
  EXPECT_EQ(c.features.outliers.at("income").action, OutlierAction::Drop);
  EXPECT_DOUBLE_EQ(c.features.outliers.at("income").iqr_factor, 3.0);
  EXPECT_DOUBLE_EQ(c.threshold, 0.3);
  EXPECT_EQ(c.imbalance, "smote");
  EXPECT_EQ(c.calibration, "isotonic");
  EXPECT_EQ(c.threshold_rule, "cost:5:1");
  EXPECT_EQ(c.to_json()["model"]["threshold_rule"], "cost:5:1");
  EXPECT_DOUBLE_EQ(c.params.at("max_depth"), 6);
  EXPECT_EQ(c.given_params, (ParamValues{{"max_depth", 6}}));
  EXPECT_EQ(c.to_json()["split"]["seed"], 7);
}

TEST(Config, StoreUriIsReadAndItsKeysChecked) {
  EXPECT_FALSE(parse_config("", "x.toml").store_uri.has_value());
  EXPECT_EQ(parse_config("[store]\nuri = \"sqlite:////tmp/a.db\"\n", "x.toml").store_uri,
            "sqlite:////tmp/a.db");
  EXPECT_THROW_MSG(parse_config("[store]\nurl = \"x\"\n", "x.toml"), UsageError,
                   "x.toml:2:1: unknown key 'url' in [store]; known keys: uri");
}

// Parses a loanrisk.toml text named x.toml.
TrainConfig parse(const std::string& toml) {
  return parse_config(toml, "x.toml");
}

TEST(Config, UnknownKeysListTheKnownOnesWithLineAndColumn) {
  const std::vector<testing::Refusal> refused = {
      {"[modle]\n",
       "x.toml:1:2: unknown key 'modle' in the top level; known keys: calibration, data, features, "
       "model, monitor, pipeline, runtime, serve, split, store, train, tuning, validation"},
      {"[split]\n  seeed = 3\n", "x.toml:2:3: unknown key 'seeed' in [split]"},
      {"[data.columns.ficoo]\nmin = 1\n",
       "unknown column 'ficoo' in [data.columns]; known columns: customer_id"},
      {"[features.outliers.income]\nfactor = 2\n",
       "unknown key 'factor' in [features.outliers.income]; known keys: action, iqr_factor"},
  };
  testing::expect_refusals<UsageError>(parse, refused);
}

TEST(Config, BadValuesSayWhatIsWrong) {
  const std::vector<testing::Refusal> refused = {
      {"[split]\ntrain = \"a lot\"\n", "x.toml:2:9: 'split.train' must be a number"},
      {"[split]\ntrain = 0.9\n", "split fractions must be >= 0 (train > 0) and sum to 1"},
      {"[model]\nfamily = \"svm\"\n", "unknown model family 'svm'"},
      {"[model.params]\nmax_deph = 3\n", "unknown parameter 'max_deph'"},
      {"[features]\nuse = [\"zip_code\"]\n",
       "x.toml: [features]: unknown feature 'zip_code'; valid features: "
       "credit_lines_outstanding"},
      {"[features.outliers.income]\naction = \"trim\"\n", "x.toml:2:10:"},
      {"[model]\nthreshold = 1.5\n", "model.threshold must be strictly between 0 and 1"},
      {"[model]\nimbalance = \"undersample\"\n",
       "x.toml: [model]: unknown imbalance treatment 'undersample'"},
      {"[model]\ncalibration = \"beta\"\n", "x.toml: [model]: unknown calibration 'beta'"},
      {"[model]\nthreshold_rule = \"max_recall\"\n",
       "x.toml: [model]: unknown threshold rule 'max_recall'"},
      {"[model]\ncalibration = 3\n", "x.toml:2:15: 'model.calibration' must be a string"},
      {"[split\n", "x.toml:1:"},
      {"[data.columns.income]\nmin = 10\nmax = 5\n", "above max"},
  };
  testing::expect_refusals<UsageError>(parse, refused);
  EXPECT_THROW_MSG(load_config("/nonexistent/loanrisk.toml"), UsageError, "cannot open");
}

TEST(Config, CalibrationSliceAndDuplicatePolicyAreChecked) {
  EXPECT_EQ(parse_config("[split]\ncalibration = 0.3\n", "x.toml").split.calibration, 0.3);
  EXPECT_EQ(parse_config("", "x.toml").split.calibration, 0.5);
  EXPECT_THROW_MSG(parse_config("[split]\ncalibration = 1\n", "x.toml"), UsageError,
                   "x.toml:2:15: 'split.calibration' is the share of the validation rows held out "
                   "for the calibrator and the threshold; it must be >= 0 and < 1");
  EXPECT_EQ(parse_config("[data]\non_duplicate_id = \"reject\"\n", "x.toml").on_duplicate_id,
            "reject");
  EXPECT_THROW_MSG(parse_config("[data]\non_duplicate_id = \"first\"\n", "x.toml"), UsageError,
                   "x.toml:2:19: 'data.on_duplicate_id': unknown duplicate-id policy 'first'; use "
                   "reject, keep-last or group");
}

}  // namespace
}  // namespace loanrisk
