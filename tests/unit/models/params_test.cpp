#include <gtest/gtest.h>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(Registry, ListsFamiliesAndRejectsUnknownWithCandidates) {
  EXPECT_EQ(classifier_families(), (std::vector<std::string>{"logistic_regression", "random_forest",
                                                             "xgboost", "lightgbm", "scorecard"}));
  EXPECT_THROW_MSG(make_classifier("foo", {}), UsageError,
                   "unknown model family 'foo'; valid families: logistic_regression, "
                   "random_forest, xgboost, lightgbm, scorecard");
  EXPECT_THROW_MSG(param_specs("foo"), UsageError,
                   "unknown model family 'foo'; valid families: logistic_regression, "
                   "random_forest, xgboost, lightgbm");
  EXPECT_THROW_MSG(resolve_params("foo", {}), UsageError,
                   "unknown model family 'foo'; valid families: logistic_regression, "
                   "random_forest, xgboost, lightgbm");
  EXPECT_THROW_MSG(load_classifier("foo", {}, "/nonexistent"), UsageError,
                   "unknown model family 'foo'; valid families: logistic_regression, "
                   "random_forest, xgboost, lightgbm");
}

TEST(Registry, XgboostDeclaresEachParameterOnceWithDefaultInsideRange) {
  const auto& specs = param_specs("xgboost");
  ASSERT_EQ(specs.size(), 13u);
  std::set<std::string> names;
  for (const ParamSpec& spec : specs) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_LE(spec.min, spec.default_value) << spec.name;
    EXPECT_LE(spec.default_value, spec.max) << spec.name;
    EXPECT_FALSE(spec.description.empty()) << spec.name;
  }
}

TEST(Registry, EveryFamilyDeclaresEachParameterOnceWithDefaultInsideRange) {
  const std::map<std::string, std::size_t> counts = {
      {"logistic_regression", 3}, {"random_forest", 9}, {"xgboost", 13}, {"lightgbm", 14}};
  for (const auto& [family, count] : counts) {
    const auto& specs = param_specs(family);
    EXPECT_EQ(specs.size(), count) << family;
    std::set<std::string> names;
    for (const ParamSpec& spec : specs) {
      EXPECT_TRUE(names.insert(spec.name).second) << family << " " << spec.name;
      EXPECT_LE(spec.min, spec.default_value) << family << " " << spec.name;
      EXPECT_LE(spec.default_value, spec.max) << family << " " << spec.name;
      EXPECT_FALSE(spec.description.empty()) << family << " " << spec.name;
    }
  }
}

TEST(ResolveParams, FamilySpecificParametersAndRanges) {
  EXPECT_EQ(resolve_params("lightgbm", {}).at("max_depth"), -1);
  EXPECT_EQ(resolve_params("lightgbm", {}).at("num_leaves"), 31);
  EXPECT_EQ(resolve_params("random_forest", {}).at("subsample"), 0.632);
  EXPECT_EQ(resolve_params("logistic_regression", {}).at("C"), 1.0);
  EXPECT_THROW_MSG(resolve_params("logistic_regression", {{"C", 0}}), UsageError,
                   "parameter 'C' of 'logistic_regression' must be between 1e-06 and 1000000, "
                   "got 0");
  EXPECT_THROW_MSG(resolve_params("logistic_regression", {{"max_depth", 3}}), UsageError,
                   "unknown parameter 'max_depth' for model family 'logistic_regression'; known "
                   "parameters: C, max_iter, tol");
  EXPECT_THROW_MSG(resolve_params("random_forest", {{"min_samples_split", 1}}), UsageError,
                   "parameter 'min_samples_split' of 'random_forest' must be between 2 and "
                   "100000, got 1");
}

TEST(ResolveParams, FillsEveryDefault) {
  const ParamValues resolved = resolve_params("xgboost", {});
  const ParamValues expected = {
      {"colsample_bytree", 1},
      {"early_stopping_rounds", 30},
      {"gamma", 0},
      {"learning_rate", 0.1},
      {"max_depth", 4},
      {"min_child_weight", 1},
      {"n_estimators", 300},
      {"nthread", 0},
      {"reg_alpha", 0},
      {"reg_lambda", 1},
      {"scale_pos_weight", 1},
      {"seed", 42},
      {"subsample", 1},
  };
  EXPECT_EQ(resolved, expected);
}

TEST(ResolveParams, KeepsGivenValuesAndIsIdempotent) {
  const ParamValues resolved = resolve_params(
      "xgboost", {{"max_depth", 20}, {"learning_rate", 0.001}, {"seed", 2147483647}});
  EXPECT_EQ(resolved.at("max_depth"), 20);
  EXPECT_EQ(resolved.at("learning_rate"), 0.001);
  EXPECT_EQ(resolved.at("seed"), 2147483647);
  EXPECT_EQ(resolved.at("n_estimators"), 300);
  EXPECT_EQ(resolve_params("xgboost", resolved), resolved);
  EXPECT_EQ(make_classifier("xgboost", {{"max_depth", 6}})->params().at("max_depth"), 6);
}

TEST(ResolveParams, UnknownKeyListsKnownOnesSorted) {
  EXPECT_THROW_MSG(resolve_params("xgboost", {{"max_deph", 3}}), UsageError,
                   "unknown parameter 'max_deph' for model family 'xgboost'; known parameters: "
                   "colsample_bytree, early_stopping_rounds, gamma, learning_rate, max_depth, "
                   "min_child_weight, n_estimators, nthread, reg_alpha, reg_lambda, "
                   "scale_pos_weight, seed, subsample");
}

TEST(ResolveParams, OutOfRangeGivesTheRange) {
  EXPECT_THROW_MSG(resolve_params("xgboost", {{"max_depth", 50}}), UsageError,
                   "parameter 'max_depth' of 'xgboost' must be between 1 and 20, got 50");
  EXPECT_THROW_MSG(
      resolve_params("xgboost", {{"learning_rate", 0.0001}}), UsageError,
      "parameter 'learning_rate' of 'xgboost' must be between 0.001 and 1, got 0.0001");
  EXPECT_THROW_MSG(resolve_params("xgboost", {{"subsample", 1.5}}), UsageError,
                   "parameter 'subsample' of 'xgboost' must be between 0.1 and 1, got 1.5");
  EXPECT_THROW_MSG(resolve_params("xgboost", {{"seed", -1}}), UsageError,
                   "parameter 'seed' of 'xgboost' must be between 0 and 2147483647, got -1");
  EXPECT_THROW_MSG(make_classifier("xgboost", {{"n_estimators", 0}}), UsageError,
                   "parameter 'n_estimators' of 'xgboost' must be between 1 and 5000, got 0");
}

TEST(ResolveParams, IntParameterMustBeWhole) {
  EXPECT_THROW_MSG(resolve_params("xgboost", {{"max_depth", 3.5}}), UsageError,
                   "parameter 'max_depth' of 'xgboost' must be a whole number, got 3.5");
  EXPECT_EQ(resolve_params("xgboost", {{"gamma", 3.5}}).at("gamma"), 3.5);
}

TEST(ResolveParams, NanAndInfinityRejected) {
  EXPECT_THROW_MSG(resolve_params("xgboost", {{"gamma", std::nan("")}}), UsageError,
                   "parameter 'gamma' of 'xgboost' must be a finite number, got nan");
  EXPECT_THROW_MSG(
      resolve_params("xgboost", {{"reg_lambda", std::numeric_limits<double>::infinity()}}),
      UsageError, "parameter 'reg_lambda' of 'xgboost' must be a finite number, got inf");
  EXPECT_THROW_MSG(
      resolve_params("xgboost", {{"n_estimators", -std::numeric_limits<double>::infinity()}}),
      UsageError, "parameter 'n_estimators' of 'xgboost' must be a finite number, got -inf");
}

}  // namespace
}  // namespace loanrisk
