#pragma once
// Private to the models layer: what a model family provides to the registry (registry.cpp holds the
// one list of families; a new family is one line there plus its own file).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "loanrisk/models/classifier.hpp"

namespace loanrisk::models {

struct BoosterRecipe;

/// One registered family: its name, declared parameters and factories.
struct Family {
  std::string name;
  std::vector<ParamSpec> params;
  /// A new untrained classifier from resolved parameters.
  std::unique_ptr<Classifier> (*make)(const ParamValues& resolved);
  /// A trained classifier from resolved parameters and the folder save() wrote.
  std::unique_ptr<Classifier> (*load)(const ParamValues& resolved,
                                      const std::filesystem::path& dir);
  /// The tree families' XGBoost recipe (tree_train.hpp), for training outside a Classifier
  /// (external memory); null for the others.
  BoosterRecipe (*recipe)(const ParamValues& resolved, std::size_t n_features) = nullptr;
};

/// A parameter value as text: whole numbers without a decimal point, others in shortest round-trip
/// form (used in messages and when handing values to libraries that take strings).
std::string format_param_value(double value);

/// The family with that name; UsageError listing the valid names otherwise.
const Family& find_family(const std::string& name);

/// L2-penalised logistic regression on standardised inputs (logistic_classifier.cpp).
Family logistic_regression_family();
/// Depth-wise gradient-boosted trees (tree_families.cpp).
Family xgboost_family();
/// Random forest in XGBoost's random-forest mode (tree_families.cpp).
Family random_forest_family();
/// Leaf-wise histogram boosting in the manner of LightGBM (tree_families.cpp).
Family lightgbm_family();
/// Points scorecard: monotone WoE bins, logistic regression, integer points
/// (scorecard_classifier.cpp).
Family scorecard_family();

}  // namespace loanrisk::models
