#pragma once
// Private to the models layer: the training loop of the `xgboost` family (round by round, with
// early stopping on validation logloss and the final model sliced to the best iteration).
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/xgb_handles.hpp"

namespace loanrisk::models {

/// Booster attribute holding the 0-based best iteration (all rounds are kept up to it).
inline constexpr const char* kBestIterationAttr = "best_iteration";
/// Booster attribute holding the validation logloss at the best iteration (absent without one).
inline constexpr const char* kBestScoreAttr = "best_score";

/// Training inputs, checked together before any work.
struct TrainingData {
  const DenseMatrix& X;
  const std::vector<float>& y;
  const DenseMatrix* X_val;
  const std::vector<float>* y_val;
  const std::vector<float>* weights;
};

/// The column names to store with a model: X.names, or f0, f1, ... when X has none. InputError
/// when names are given but do not match the columns, or are empty or repeated.
std::vector<std::string> model_feature_names(const DenseMatrix& X);

/// A trained booster holding exactly best_iteration + 1 rounds, with kBestIterationAttr set.
/// InputError for inconsistent shapes or labels outside {0, 1}.
BoosterPtr train_xgboost(const ParamValues& params, const TrainingData& data);

}  // namespace loanrisk::models
