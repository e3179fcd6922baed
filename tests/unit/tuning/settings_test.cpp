// [tuning] in loanrisk.toml, default search spaces and their validation against declared params.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/settings.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

TEST(TuningSettings, DefaultsAreOptunasAndTheOriginalObjective) {
  const TuningSettings s = parse_tuning_settings("", "t.toml");
  EXPECT_EQ(s.trials, 50);
  EXPECT_EQ(s.sampler.kind, "tpe");
  EXPECT_EQ(s.sampler.startup_trials, 10);
  EXPECT_EQ(s.sampler.ei_candidates, 24);
  EXPECT_EQ(s.pruner.kind, "median");
  EXPECT_EQ(s.pruner.startup_trials, 5);
  EXPECT_EQ(s.objective.to_json().dump(),
            R"({"auc_roc":0.4,"f1":0.2,"pr_auc":0.3,"precision":0.05,"recall":0.05})");
  const SearchSpace x = s.space_for("xgboost");
  ASSERT_EQ(x.params.size(), 6u);
  EXPECT_EQ(x.params[2].name, "learning_rate");
  EXPECT_EQ(x.params[2].low, 0.01);
  EXPECT_EQ(x.params[2].high, 0.3);
  EXPECT_NO_THROW(validate_search_space(x));
}

TEST(TuningSettings, ReadsEveryKeyAndASpace) {
  const TuningSettings s = parse_tuning_settings(R"(
[tuning]
trials = 12
workers = 2
cv_folds = 3
sampler = "random"
seed = 9
multivariate = true
pruner = "successive_halving"
pruner_min_resource = 20
[tuning.objective]
auc_roc = 1.0
f1 = 0
[tuning.space.xgboost]
max_depth = { type = "int", low = 2, high = 6, step = 2 }
learning_rate = { type = "float", low = 0.01, high = 0.3, log = true }
n_estimators = { type = "categorical", choices = [50, 100] }
)",
                                                 "t.toml");
  EXPECT_EQ(s.trials, 12);
  EXPECT_EQ(s.workers, 2);
  EXPECT_EQ(s.cv_folds, 3);
  EXPECT_EQ(s.sampler.kind, "random");
  EXPECT_EQ(s.sampler.seed, 9u);
  EXPECT_TRUE(s.sampler.multivariate);
  EXPECT_EQ(s.pruner.kind, "successive_halving");
  EXPECT_EQ(s.pruner.min_resource, 20);
  EXPECT_EQ(s.objective.auc_roc, 1.0);
  EXPECT_EQ(s.objective.f1, 0.0);
  EXPECT_EQ(s.objective.pr_auc, 0.3);
  const SearchSpace x = s.space_for("xgboost");
  ASSERT_EQ(x.params.size(), 3u);
  EXPECT_EQ(x.params[0].name, "learning_rate");
  EXPECT_TRUE(x.params[0].log);
  EXPECT_EQ(x.params[1].name, "max_depth");
  EXPECT_EQ(x.params[1].step, 2);
  EXPECT_TRUE(x.params[1].contains(4));
  EXPECT_FALSE(x.params[1].contains(5));
  EXPECT_EQ(x.params[2].choices, (std::vector<double>{50, 100}));
  EXPECT_EQ(SearchSpace::from_json(x.to_json()).to_json(), x.to_json());
}

TEST(TuningSettings, BadKeysAndValuesSayWhereAndHow) {
  const auto parse = [](const std::string& toml) { return parse_tuning_settings(toml, "t.toml"); };
  const std::vector<Refusal> refused = {
      {"[tuning]\ntrails = 3\n",
       "t.toml:2:1: unknown key 'trails' in [tuning]; known keys: cv_folds,"},
      {"[tuning]\nsampler = \"grid\"\n", "t.toml:2:11: 'sampler' must be one of: tpe, random"},
      {"[tuning]\ntrials = 0\n", "t.toml:2:10: 'trials' must be an integer >= 1"},
      {"[tuning.space.xgboost]\ndepth = { type = \"int\", low = 1, high = 3 }\n",
       "t.toml:1:1: tuning.space.xgboost.depth: 'xgboost' has no parameter 'depth'; its "
       "parameters: n_estimators, max_depth,"},
      {"[tuning.space.xgboost]\nmax_depth = { type = \"int\", low = 1, high = 99 }\n",
       "tuning.space.xgboost.max_depth: 99 is outside the declared range [1, 20]"},
      {"[tuning.space.xgboost]\ngamma = { type = \"float\", low = 0, high = 1, log = true }\n",
       "tuning.space.xgboost.gamma: a log-scaled range needs low > 0 (got 0)"},
      {"[tuning.space.xgboost]\nmax_depth = { low = 1 }\n",
       "t.toml:2:13: 'tuning.space.xgboost.max_depth' needs type = \"int\", \"float\" "
       "or \"categorical\""},
      {"[tuning]\nheartbeat_seconds = 31\n",
       "stale_seconds (60) must be at least twice heartbeat_seconds (31), or a live trial "
       "could be failed between two heartbeats"},
      {"[tuning]\nheartbeat_seconds = 0\n", "t.toml:2:21: 'heartbeat_seconds' must be"},
      {"[tuning]\nstudy_trials = -1\n", "t.toml:2:16: 'study_trials' must be an integer >= 0"},
  };
  const TuningSettings shared =
      parse("[tuning]\nstudy_trials = 200\nheartbeat_seconds = 5\nstale_seconds = 10\n");
  EXPECT_EQ(shared.study_trials, 200);
  EXPECT_EQ(shared.heartbeat_seconds, 5);
  EXPECT_EQ(shared.stale_seconds, 10);
  expect_refusals<UsageError>(parse, refused);
}

TEST(TuningSettings, UnknownFamilyHasNoDefaultSpace) {
  EXPECT_THROW_MSG(default_search_space("svm"), UsageError,
                   "no default search space for model family 'svm'; families with one: "
                   "logistic_regression, random_forest, xgboost, lightgbm");
}

}  // namespace
}  // namespace loanrisk::testing
