#include "loanrisk/models/xgb_handles.hpp"

#include <cmath>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/xgb_check.hpp"

namespace loanrisk::models {

// The free functions only fail on a null handle, which unique_ptr never passes; a deleter must not
// throw, so a failure here cannot be reported and is dropped.
void DMatrixFree::operator()(DMatrixHandle handle) const noexcept {
  try {
    LOANRISK_XGB_CHECK(XGDMatrixFree(handle));
  } catch (const Error&) {
  }
}

void BoosterFree::operator()(BoosterHandle handle) const noexcept {
  try {
    LOANRISK_XGB_CHECK(XGBoosterFree(handle));
  } catch (const Error&) {
  }
}

DMatrixPtr make_dmatrix(const DenseMatrix& X, const std::vector<float>& labels) {
  DMatrixHandle raw = nullptr;
  LOANRISK_XGB_CHECK(XGDMatrixCreateFromMat(X.values.data(), X.rows, X.cols, NAN, &raw));
  DMatrixPtr owned(raw);
  if (!labels.empty()) {  // prediction-only matrices (SHAP) carry no labels
    LOANRISK_XGB_CHECK(XGDMatrixSetFloatInfo(owned.get(), "label", labels.data(), labels.size()));
  }
  return owned;
}

void set_weights(DMatrixHandle dmatrix, const std::vector<float>& weights) {
  LOANRISK_XGB_CHECK(XGDMatrixSetFloatInfo(dmatrix, "weight", weights.data(), weights.size()));
}

BoosterPtr make_booster(const std::vector<DMatrixHandle>& cached) {
  BoosterHandle raw = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterCreate(cached.data(), cached.size(), &raw));
  return BoosterPtr(raw);
}

void set_param(BoosterHandle booster, const std::string& name, const std::string& value) {
  LOANRISK_XGB_CHECK(XGBoosterSetParam(booster, name.c_str(), value.c_str()));
}

std::string xgboost_nthread(double nthread) {
  const int n = static_cast<int>(nthread);
  return std::to_string(n > 0 ? n : thread_budget().threads);
}

BoosterPtr slice_rounds(BoosterHandle booster, int rounds) {
  BoosterHandle raw = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterSlice(booster, 0, rounds, 1, &raw));
  return BoosterPtr(raw);
}

int boosted_rounds(BoosterHandle booster) {
  int rounds = 0;
  LOANRISK_XGB_CHECK(XGBoosterBoostedRounds(booster, &rounds));
  return rounds;
}

std::size_t num_features(BoosterHandle booster) {
  bst_ulong n = 0;
  LOANRISK_XGB_CHECK(XGBoosterGetNumFeature(booster, &n));
  return static_cast<std::size_t>(n);
}

void set_feature_names(BoosterHandle booster, const std::vector<std::string>& names) {
  std::vector<const char*> c_names;
  c_names.reserve(names.size());
  for (const std::string& name : names) c_names.push_back(name.c_str());
  LOANRISK_XGB_CHECK(
      XGBoosterSetStrFeatureInfo(booster, "feature_name", c_names.data(), c_names.size()));
}

std::vector<std::string> feature_names(BoosterHandle booster) {
  bst_ulong n = 0;
  const char** names = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterGetStrFeatureInfo(booster, "feature_name", &n, &names));
  // The strings live in XGBoost's thread-local storage: copy them before any other call.
  return std::vector<std::string>(names, names + n);
}

std::string get_attr(BoosterHandle booster, const std::string& key) {
  const char* value = nullptr;
  int found = 0;
  LOANRISK_XGB_CHECK(XGBoosterGetAttr(booster, key.c_str(), &value, &found));
  return found ? std::string(value) : std::string();
}

void set_attr(BoosterHandle booster, const std::string& key, const std::string& value) {
  LOANRISK_XGB_CHECK(XGBoosterSetAttr(booster, key.c_str(), value.c_str()));
}

std::vector<double> predict_dmatrix(BoosterHandle booster, DMatrixHandle dmatrix, int type) {
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                             R"("strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  LOANRISK_XGB_CHECK(
      XGBoosterPredictFromDMatrix(booster, dmatrix, config.c_str(), &shape, &dim, &result));
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  return std::vector<double>(result, result + total);
}

}  // namespace loanrisk::models
