#pragma once
// Private to the models layer: the tree families (xgboost, random_forest, lightgbm), trained and
// served through XGBoost's C API; they differ only in their recipe (tree_families.cpp). The trained
// booster holds the feature names and the best iteration as attributes, so one file
// (xgboost.json) is the whole saved model.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/tree_ensemble.hpp"
#include "loanrisk/models/tree_train.hpp"
#include "loanrisk/models/xgb_handles.hpp"

namespace loanrisk::models {

/// Trees (binary:logistic, hist) of one family, with optional early stopping on a validation set.
/// Batches are scored by a native copy of the trees (TreeEnsemble); contributions of small
/// batches too, large ones by XGBoost, whose threads win there.
class TreeClassifier final : public Classifier {
 public:
  /// Untrained, with resolved parameters.
  TreeClassifier(std::string family, RecipeFn recipe, ParamValues params);
  /// Already trained (e.g. loaded from disk).
  TreeClassifier(std::string family, ParamValues params, BoosterPtr trained);

  std::string family() const override { return family_; }
  void observe_rounds(RoundObserver observer) override { observer_ = std::move(observer); }
  const ParamValues& params() const override { return params_; }
  void fit(const DenseMatrix& X, const std::vector<float>& y, const DenseMatrix* X_val,
           const std::vector<float>* y_val, const std::vector<float>* weights) override;
  std::vector<double> predict_proba(const DenseMatrix& X) const override;
  std::vector<double> contributions(const DenseMatrix& X) const override;
  std::vector<double> predict_proba_explained(const DenseMatrix& X,
                                              std::vector<double>& contributions) const override;
  bool set_monotone(const std::map<std::string, int>& constraints) override {
    monotone_ = constraints;
    return true;
  }
  void save(const std::filesystem::path& dir) const override;
  nlohmann::json describe() const override;

  /// Booster attribute holding the constraints the trees were grown under, as JSON
  /// {"feature": +1 or -1}, so that a loaded model still reports them.
  static constexpr const char* kMonotoneAttr = "loanrisk_monotone_constraints";

  /// File name save() writes inside the model folder.
  static constexpr const char* kModelFile = "xgboost.json";
  /// Every batch is predicted natively (TreeEnsemble::batch_probabilities), on the same threads
  /// XGBoost would have used (nthread, else the usable CPUs). bench_treeshap, real data, against
  /// the C API: xgboost and lightgbm (the bitvector kernel) 6x faster at 256 rows and 9x at
  /// 10,000; random_forest (trees past 32 leaves, walked) level at 10,000 rows and 0.5x at 256.
  /// Contributions up to this many rows are native: with TreeSHAP leaf tables native was 3.9x
  /// (xgboost), 3.0x (lightgbm) and 1.5x (random_forest) faster than the C API at 256 rows, on the
  /// real data.
  static constexpr std::size_t kNativeShapMaxRows = 256;

  /// True when batches are scored natively (false only for a model TreeEnsemble does not
  /// support, which XGBoost then scores alone).
  bool native() const { return native_.has_value(); }
  /// XGBoost's own probabilities, whatever the batch size (for comparisons).
  std::vector<double> xgboost_predict_proba(const DenseMatrix& X) const;
  /// XGBoost's own contributions, whatever the batch size (for comparisons).
  std::vector<double> xgboost_contributions(const DenseMatrix& X) const;

 private:
  /// Takes a trained booster and caches what prediction checks need.
  void adopt(BoosterPtr trained);
  /// InputError when X's shape or column names differ from the model's.
  void check_matrix(const DenseMatrix& X) const;
  /// The trained booster; InternalError when fit() has not run.
  BoosterHandle trained() const;
  /// Threads of a batch prediction: the nthread parameter, else the usable CPUs; 1 inside a
  /// parallel region.
  int prediction_threads() const;
  /// The booster as XGBoost's JSON model text.
  std::string model_json() const;

  std::string family_;
  RecipeFn recipe_ = nullptr;
  ParamValues params_;
  RoundObserver observer_;
  std::map<std::string, int> monotone_;
  BoosterPtr booster_;
  std::vector<std::string> feature_names_;
  std::optional<TreeEnsemble> native_;
};

/// Reads dir/xgboost.json for a tree family; InputError when it is missing, unreadable or not a
/// binary classifier.
std::unique_ptr<Classifier> load_tree_model(const std::string& family, const ParamValues& params,
                                            const std::filesystem::path& dir);

}  // namespace loanrisk::models
