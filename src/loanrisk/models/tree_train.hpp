#pragma once
// Private to the models layer: the one training loop of the three tree families (xgboost,
// random_forest, lightgbm). Each family only contributes a recipe: the XGBoost settings and the
// number of rounds its parameters map to. The loop trains round by round, stops early on validation
// logloss, reports each round to an observer and slices the final model to the best iteration.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "loanrisk/core/matrix.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/xgb_handles.hpp"

namespace loanrisk::models {

/// Booster attribute holding the 0-based best iteration (all rounds are kept up to it).
inline constexpr const char* kBestIterationAttr = "best_iteration";
/// Booster attribute holding the validation logloss at the best iteration (absent without one).
inline constexpr const char* kBestScoreAttr = "best_score";
/// Booster attribute set to "1" when a RoundObserver stopped training.
inline constexpr const char* kStoppedByObserverAttr = "stopped_by_observer";

/// What a tree family asks XGBoost for: settings (XGBoost's names and text values), the number of
/// boosting rounds and the early-stopping patience (0 = off).
struct BoosterRecipe {
  std::vector<std::pair<std::string, std::string>> settings;
  int rounds = 1;
  int patience = 0;
};

/// Maps a family's resolved parameters (and the number of features, for sqrt-style sampling) to
/// its recipe.
using RecipeFn = BoosterRecipe (*)(const ParamValues& params, std::size_t n_features);

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

/// A trained booster holding exactly best_iteration + 1 rounds, with kBestIterationAttr set. The
/// observer (may be empty) is called after each round when a validation set is given.
/// InputError for inconsistent shapes or labels outside {0, 1}.
BoosterPtr train_booster(const BoosterRecipe& recipe, const TrainingData& data,
                         const RoundObserver& observer);

/// The loop train_booster runs once its matrices exist (shared with external-memory training,
/// whose training matrix streams from disk): the family's recipe over the shared settings, the
/// rounds with early stopping on validation (null: none; then y_val is null too) and the model
/// sliced to its best iteration.
BoosterPtr boost_rounds(const BoosterRecipe& recipe, DMatrixHandle train, DMatrixHandle validation,
                        const std::vector<float>* y_val, const std::vector<std::string>& names,
                        const RoundObserver& observer);

/// XGBoost's monotone_constraints value for columns `names` ("(1,-1,0)"), "" when no column is
/// constrained; the constrained ones are added to applied. UsageError for a value not in -1..1.
std::string monotone_tuple(const std::vector<std::string>& names,
                           const std::map<std::string, int>& constraints,
                           std::map<std::string, int>& applied);

}  // namespace loanrisk::models
