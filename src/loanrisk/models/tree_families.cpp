// The three tree families' declared parameters and how each maps onto XGBoost (one trainer,
// family-specific settings). Names follow the scikit-learn interfaces users know.
//
// random_forest: XGBoost's random-forest mode, one round of n_estimators parallel trees with
// learning rate 1 (XGBoost averages the trees of one round), bootstrap-like row sampling without
// replacement (subsample 0.632, the expected share of distinct rows in a bootstrap sample) and
// per-split column sampling (colsample_bynode; 0 = sqrt(p)/p, scikit-learn's max_features="sqrt").
// min_samples_split has no exact XGBoost counterpart: XGBoost bounds the hessian of each child,
// not the row count of the parent. At the first (only) round every row's hessian is
// p(1-p) = 0.25 (base score 0.5), so a split of a node with n rows into two halves needs
// min_child_weight <= 0.25 * n / 2; we set min_child_weight = min_samples_split / 8, which forbids
// balanced splits of nodes smaller than min_samples_split (unbalanced ones are bounded more
// loosely).
//
// lightgbm: LightGBM's leaf-wise growth as XGBoost's grow_policy=lossguide with max_leaves =
// num_leaves; max_depth -1 (or 0) means unlimited (XGBoost's 0); defaults are LightGBM's
// (num_leaves 31, learning_rate 0.1, lambda_l2 0, 255 bins) except min_child_weight: LightGBM
// relies on min_data_in_leaf = 20 rows, which XGBoost lacks, so its min_sum_hessian_in_leaf of
// 1e-3 alone lets leaf-wise trees isolate single rows (test AUC 0.9981 on the real data); a
// hessian of 1 (XGBoost's default) plays min_data_in_leaf's part (0.9997).
#include <cmath>
#include <memory>

#include "loanrisk/models/family.hpp"
#include "loanrisk/models/tree_classifier.hpp"

namespace loanrisk::models {
namespace {

using T = ParamSpec::Type;

std::string text(const ParamValues& params, const char* name) {
  return format_param_value(params.at(name));
}

using Settings = std::vector<std::pair<std::string, std::string>>;

// What the two gradient-boosting families share: shrinkage, sampling, penalties, weights, seed.
Settings boosting_settings(const ParamValues& p, Settings family_settings) {
  const char* shared[][2] = {{"eta", "learning_rate"},
                             {"min_child_weight", "min_child_weight"},
                             {"subsample", "subsample"},
                             {"colsample_bytree", "colsample_bytree"},
                             {"lambda", "reg_lambda"},
                             {"alpha", "reg_alpha"},
                             {"scale_pos_weight", "scale_pos_weight"},
                             {"seed", "seed"}};
  for (const auto& [setting, param] : shared) family_settings.emplace_back(setting, text(p, param));
  family_settings.emplace_back("nthread", xgboost_nthread(p.at("nthread")));
  return family_settings;
}

BoosterRecipe xgboost_recipe(const ParamValues& p, std::size_t /*n_features*/) {
  BoosterRecipe r;
  r.settings =
      boosting_settings(p, {{"max_depth", text(p, "max_depth")}, {"gamma", text(p, "gamma")}});
  r.rounds = static_cast<int>(p.at("n_estimators"));
  r.patience = static_cast<int>(p.at("early_stopping_rounds"));
  return r;
}

BoosterRecipe random_forest_recipe(const ParamValues& p, std::size_t n_features) {
  double bynode = p.at("colsample_bynode");
  if (bynode == 0) {
    bynode = std::sqrt(static_cast<double>(n_features)) / static_cast<double>(n_features);
  }
  BoosterRecipe r;
  r.settings = {{"num_parallel_tree", text(p, "n_estimators")},
                {"eta", "1"},
                {"max_depth", text(p, "max_depth")},
                {"min_child_weight", format_param_value(p.at("min_samples_split") / 8.0)},
                {"subsample", text(p, "subsample")},
                {"colsample_bynode", format_param_value(bynode)},
                {"lambda", text(p, "reg_lambda")},
                {"scale_pos_weight", text(p, "scale_pos_weight")},
                {"seed", text(p, "seed")},
                {"nthread", xgboost_nthread(p.at("nthread"))}};
  r.rounds = 1;
  r.patience = 0;
  return r;
}

BoosterRecipe lightgbm_recipe(const ParamValues& p, std::size_t /*n_features*/) {
  const double depth = p.at("max_depth");
  BoosterRecipe r;
  r.settings = boosting_settings(p, {{"grow_policy", "lossguide"},
                                     {"max_leaves", text(p, "num_leaves")},
                                     {"max_depth", depth <= 0 ? "0" : text(p, "max_depth")},
                                     {"max_bin", text(p, "max_bin")}});
  r.rounds = static_cast<int>(p.at("n_estimators"));
  r.patience = static_cast<int>(p.at("early_stopping_rounds"));
  return r;
}

// Every tree family's factories differ only in the name and recipe.
template <const char* kName, RecipeFn kRecipe>
Family tree_family(std::vector<ParamSpec> params) {
  Family family;
  family.name = kName;
  family.params = std::move(params);
  family.recipe = kRecipe;
  family.make = [](const ParamValues& resolved) -> std::unique_ptr<Classifier> {
    return std::make_unique<TreeClassifier>(kName, kRecipe, resolved);
  };
  family.load = [](const ParamValues& resolved,
                   const std::filesystem::path& dir) -> std::unique_ptr<Classifier> {
    return load_tree_model(kName, resolved, dir);
  };
  return family;
}

constexpr char kXgboost[] = "xgboost";
constexpr char kRandomForest[] = "random_forest";
constexpr char kLightgbm[] = "lightgbm";

const ParamSpec kSeed{"seed", T::Int, 42, 0, 2147483647, "random seed for row and column sampling"};
const ParamSpec kThreads{"nthread",
                         T::Int,
                         0,
                         0,
                         256,
                         "threads for training and prediction (0 = the process's thread budget: "
                         "--threads, [runtime] threads, else the CPUs it may use)"};
// The boosting parameters XGBoost and LightGBM share, with the same defaults and ranges.
const ParamSpec kRounds{
    "n_estimators", T::Int, 300, 1, 5000, "maximum number of boosting rounds (trees)"};
const ParamSpec kLearningRate{"learning_rate", T::Float, 0.1,
                              0.001,           1,        "shrinkage applied to each tree's output"};
const ParamSpec kSubsample{"subsample", T::Float, 1,
                           0.1,         1,        "fraction of rows sampled for each tree"};
const ParamSpec kColsampleByTree{
    "colsample_bytree", T::Float, 1, 0.1, 1, "fraction of columns sampled for each tree"};
const ParamSpec kPosWeight{
    "scale_pos_weight", T::Float, 1, 0.01, 1000, "weight of positive rows (class imbalance)"};
const ParamSpec kPatience{"early_stopping_rounds",
                          T::Int,
                          30,
                          0,
                          1000,
                          "stop after this many rounds without validation improvement (0 = off)"};

}  // namespace

Family xgboost_family() {
  return tree_family<kXgboost, &xgboost_recipe>({
      kRounds,
      {"max_depth", T::Int, 4, 1, 20, "maximum depth of each tree"},
      kLearningRate,
      {"min_child_weight", T::Float, 1, 0, 100, "minimum hessian sum in a leaf"},
      {"gamma", T::Float, 0, 0, 100, "minimum loss reduction to make a split"},
      kSubsample,
      kColsampleByTree,
      {"reg_lambda", T::Float, 1, 0, 1000, "L2 penalty on leaf weights"},
      {"reg_alpha", T::Float, 0, 0, 1000, "L1 penalty on leaf weights"},
      kPosWeight,
      kPatience,
      kSeed,
      kThreads,
  });
}

Family random_forest_family() {
  return tree_family<kRandomForest, &random_forest_recipe>({
      {"n_estimators", T::Int, 200, 1, 5000, "number of trees (XGBoost num_parallel_tree)"},
      {"max_depth", T::Int, 10, 1, 20, "maximum depth of each tree"},
      {"min_samples_split", T::Int, 2, 2, 100000,
       "smallest node split evenly (mapped to min_child_weight = value / 8, hessian units)"},
      {"subsample", T::Float, 0.632, 0.1, 1,
       "fraction of rows drawn without replacement per tree (0.632 ~ a bootstrap)"},
      {"colsample_bynode", T::Float, 0, 0, 1,
       "fraction of columns tried at each split (0 = sqrt(n_features) / n_features)"},
      {"reg_lambda", T::Float, 1, 0, 1000, "L2 penalty on leaf weights"},
      kPosWeight,
      kSeed,
      kThreads,
  });
}

Family lightgbm_family() {
  return tree_family<kLightgbm, &lightgbm_recipe>({
      kRounds,
      {"num_leaves", T::Int, 31, 2, 131072, "maximum leaves per tree (leaf-wise growth)"},
      {"max_depth", T::Int, -1, -1, 64, "maximum depth of each tree (-1 or 0 = unlimited)"},
      {"max_bin", T::Int, 255, 2, 1024, "histogram bins per feature"},
      kLearningRate,
      {"min_child_weight", T::Float, 1, 0, 100,
       "minimum hessian sum in a leaf (stands in for min_data_in_leaf)"},
      kSubsample,
      kColsampleByTree,
      {"reg_lambda", T::Float, 0, 0, 1000, "L2 penalty on leaf weights (lambda_l2)"},
      {"reg_alpha", T::Float, 0, 0, 1000, "L1 penalty on leaf weights (lambda_l1)"},
      kPosWeight,
      kPatience,
      kSeed,
      kThreads,
  });
}

}  // namespace loanrisk::models
