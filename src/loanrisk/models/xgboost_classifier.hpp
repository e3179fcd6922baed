#pragma once
// Private to the models layer: the `xgboost` family, depth-wise gradient-boosted trees trained and
// served through XGBoost's C API. The trained booster holds the feature names and the best
// iteration as attributes, so one file (xgboost.json) is the whole saved model.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/xgb_handles.hpp"

namespace loanrisk::models {

/// Gradient-boosted trees (binary:logistic, hist) with optional early stopping on a validation set.
class XgboostClassifier final : public Classifier {
 public:
  /// Untrained, with resolved parameters.
  explicit XgboostClassifier(ParamValues params);
  /// Already trained (e.g. loaded from disk).
  XgboostClassifier(ParamValues params, BoosterPtr trained);

  std::string family() const override { return "xgboost"; }
  const ParamValues& params() const override { return params_; }
  void fit(const DenseMatrix& X, const std::vector<float>& y, const DenseMatrix* X_val,
           const std::vector<float>* y_val, const std::vector<float>* weights) override;
  std::vector<double> predict_proba(const DenseMatrix& X) const override;
  void save(const std::filesystem::path& dir) const override;
  nlohmann::json describe() const override;

  /// File name save() writes inside the model folder.
  static constexpr const char* kModelFile = "xgboost.json";

 private:
  /// Takes a trained booster and caches what prediction checks need.
  void adopt(BoosterPtr trained);
  /// The trained booster; InternalError when fit() has not run.
  BoosterHandle trained() const;

  ParamValues params_;
  BoosterPtr booster_;
  std::vector<std::string> feature_names_;
};

/// Reads dir/xgboost.json; InputError when it is missing, unreadable or not a binary classifier.
std::unique_ptr<Classifier> load_xgboost(const ParamValues& params,
                                         const std::filesystem::path& dir);

}  // namespace loanrisk::models
