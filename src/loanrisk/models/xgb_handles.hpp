#pragma once
// Private to the models layer: owners of XGBoost's C handles, so every exit path (exceptions
// included) frees them, and the few handle-level calls the XGBoost family needs, each checked.
#include <xgboost/c_api.h>

#include <memory>
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"

namespace loanrisk::models {

/// Frees a DMatrixHandle.
struct DMatrixFree {
  void operator()(DMatrixHandle handle) const noexcept;
};
/// Frees a BoosterHandle.
struct BoosterFree {
  void operator()(BoosterHandle handle) const noexcept;
};
/// An owned DMatrix.
using DMatrixPtr = std::unique_ptr<void, DMatrixFree>;
/// An owned Booster.
using BoosterPtr = std::unique_ptr<void, BoosterFree>;

/// A DMatrix holding a copy of X (NaN marks a missing value) and its labels.
DMatrixPtr make_dmatrix(const DenseMatrix& X, const std::vector<float>& labels);
/// XGBoosterPredictFromDMatrix with every tree: type 0 for probabilities, 2 for SHAP
/// contributions (margin space); the values flattened in row-major order.
std::vector<double> predict_dmatrix(BoosterHandle booster, DMatrixHandle dmatrix, int type);
/// Sets per-row training weights on a DMatrix.
void set_weights(DMatrixHandle dmatrix, const std::vector<float>& weights);
/// A fresh booster whose prediction cache covers the given matrices.
BoosterPtr make_booster(const std::vector<DMatrixHandle>& cached);
/// Sets one XGBoost parameter.
void set_param(BoosterHandle booster, const std::string& name, const std::string& value);
/// XGBoost's nthread for a family's `nthread` parameter: 0 is the process's thread budget
/// (core/cpu_budget.hpp), never XGBoost's own 0 (every core of the node, whatever the affinity
/// mask or the container's CPU quota allow).
std::string xgboost_nthread(double nthread);
/// A new booster holding only the trees of the first `rounds` boosting rounds.
BoosterPtr slice_rounds(BoosterHandle booster, int rounds);
/// Number of boosting rounds in the model.
int boosted_rounds(BoosterHandle booster);
/// Number of features the model was trained on.
std::size_t num_features(BoosterHandle booster);
/// Sets the feature names stored with the model.
void set_feature_names(BoosterHandle booster, const std::vector<std::string>& names);
/// Feature names stored with the model (empty when it has none).
std::vector<std::string> feature_names(BoosterHandle booster);
/// A string attribute stored with the model, or "" when absent.
std::string get_attr(BoosterHandle booster, const std::string& key);
/// Stores a string attribute with the model (saved with it).
void set_attr(BoosterHandle booster, const std::string& key, const std::string& value);

}  // namespace loanrisk::models
