// The random_forest and lightgbm families (sharing xgboost's trainer) and the RoundObserver hook.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "model_test_data.hpp"
#include "support/logistic_problems.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::auc;
using testing::TempDir;

using TreeFamiliesTest = testing::LogisticProblems;

TEST_F(TreeFamiliesTest, RandomForestIsOneRoundOfParallelTrees) {
  auto model = make_classifier("random_forest", {{"n_estimators", 30}, {"max_depth", 6}});
  model->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
  EXPECT_EQ(model->family(), "random_forest");
  const nlohmann::json d = model->describe();
  EXPECT_EQ(d["n_trees"], 1);  // XGBoost counts boosting rounds; the forest is one round
  EXPECT_EQ(d["best_iteration"], 0);
  EXPECT_GT(auc(model->predict_proba(test_.X), test_.y), 0.88);
}

TEST_F(TreeFamiliesTest, LightgbmGrowsLeafWiseAndStopsEarly) {
  auto model = make_classifier("lightgbm", {{"n_estimators", 400}, {"num_leaves", 8}});
  model->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
  const nlohmann::json d = model->describe();
  EXPECT_LT(d["n_trees"].get<int>(), 400);
  EXPECT_EQ(d["n_trees"].get<int>(), d["best_iteration"].get<int>() + 1);
  EXPECT_GT(auc(model->predict_proba(test_.X), test_.y), 0.9);
}

TEST_F(TreeFamiliesTest, EveryTreeFamilyRoundTripsBitIdentically) {
  for (const char* family : {"random_forest", "lightgbm", "xgboost"}) {
    auto model = make_classifier(family, {{"n_estimators", 20}});
    model->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
    TempDir dir;
    model->save(dir.path());
    const auto loaded = load_classifier(family, model->params(), dir.path());
    EXPECT_EQ(loaded->family(), family);
    EXPECT_EQ(loaded->predict_proba(test_.X), model->predict_proba(test_.X)) << family;
  }
}

TEST_F(TreeFamiliesTest, ObserverSeesEveryRoundWithValidationPds) {
  auto model = make_classifier("xgboost", {{"n_estimators", 10}, {"early_stopping_rounds", 0}});
  std::vector<int> rounds;
  std::vector<std::vector<double>> seen;
  model->observe_rounds([&](int round, const std::vector<double>& pd) {
    rounds.push_back(round);
    seen.push_back(pd);
    return true;
  });
  model->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
  EXPECT_EQ(rounds, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  ASSERT_EQ(seen.back().size(), 1000u);
  // The last round's PDs are the final model's (float precision: XGBoost predicts in float).
  const std::vector<double> final_pd = model->predict_proba(val_.X);
  for (std::size_t i = 0; i < final_pd.size(); ++i) EXPECT_FLOAT_EQ(seen.back()[i], final_pd[i]);
  EXPECT_FALSE(model->describe()["stopped_by_observer"].get<bool>());
}

TEST_F(TreeFamiliesTest, ObserverReturningFalseStopsAndKeepsTheRoundsSoFar) {
  for (const char* family : {"xgboost", "lightgbm"}) {
    auto model = make_classifier(family, {{"n_estimators", 50}, {"early_stopping_rounds", 0}});
    int calls = 0;
    model->observe_rounds([&](int round, const std::vector<double>&) {
      ++calls;
      return round < 4;  // stop after the fifth round
    });
    model->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
    EXPECT_EQ(calls, 5) << family;
    const nlohmann::json d = model->describe();
    EXPECT_EQ(d["n_trees"], 5) << family;
    EXPECT_TRUE(d["stopped_by_observer"].get<bool>()) << family;
  }
}

TEST_F(TreeFamiliesTest, ObserverIsNotCalledWithoutValidationAndLogisticIgnoresIt) {
  int calls = 0;
  auto tree = make_classifier("xgboost", {{"n_estimators", 5}});
  tree->observe_rounds([&](int, const std::vector<double>&) { return ++calls > 0; });
  tree->fit(train_.X, train_.y, nullptr, nullptr, nullptr);
  EXPECT_EQ(tree->describe()["n_trees"], 5);
  auto linear = make_classifier("logistic_regression", {});
  linear->observe_rounds([&](int, const std::vector<double>&) { return ++calls > 0; });
  linear->fit(train_.X, train_.y, &val_.X, &val_.y, nullptr);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace loanrisk
