// The `xgboost` family's declared parameters (names follow XGBoost's scikit-learn interface).
#include <memory>

#include "loanrisk/models/family.hpp"
#include "loanrisk/models/xgboost_classifier.hpp"

namespace loanrisk::models {

Family xgboost_family() {
  using T = ParamSpec::Type;
  Family family;
  family.name = "xgboost";
  family.params = {
      {"n_estimators", T::Int, 300, 1, 5000, "maximum number of boosting rounds (trees)"},
      {"max_depth", T::Int, 4, 1, 20, "maximum depth of each tree"},
      {"learning_rate", T::Float, 0.1, 0.001, 1, "shrinkage applied to each tree's output"},
      {"min_child_weight", T::Float, 1, 0, 100, "minimum hessian sum in a leaf"},
      {"gamma", T::Float, 0, 0, 100, "minimum loss reduction to make a split"},
      {"subsample", T::Float, 1, 0.1, 1, "fraction of rows sampled for each tree"},
      {"colsample_bytree", T::Float, 1, 0.1, 1, "fraction of columns sampled for each tree"},
      {"reg_lambda", T::Float, 1, 0, 1000, "L2 penalty on leaf weights"},
      {"reg_alpha", T::Float, 0, 0, 1000, "L1 penalty on leaf weights"},
      {"scale_pos_weight", T::Float, 1, 0.01, 1000, "weight of positive rows (class imbalance)"},
      {"early_stopping_rounds", T::Int, 30, 0, 1000,
       "stop after this many rounds without validation improvement (0 = off)"},
      {"seed", T::Int, 42, 0, 2147483647, "random seed for row and column sampling"},
      {"nthread", T::Int, 0, 0, 256, "threads for training and prediction (0 = all cores)"},
  };
  family.make = [](const ParamValues& resolved) -> std::unique_ptr<Classifier> {
    return std::make_unique<XgboostClassifier>(resolved);
  };
  family.load = &load_xgboost;
  return family;
}

}  // namespace loanrisk::models
