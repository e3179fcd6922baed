// The one explicit list of model families, and lookup by name with the valid names in the error.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/family.hpp"

namespace loanrisk {
namespace models {
namespace {

// Adding a family: one line here (and its factory declared in family.hpp).
const std::vector<Family>& registered() {
  static const std::vector<Family> families = {
      logistic_regression_family(), random_forest_family(), xgboost_family(), lightgbm_family(),
      scorecard_family(),
  };
  return families;
}

}  // namespace

const Family& find_family(const std::string& name) {
  for (const Family& family : registered()) {
    if (family.name == name) return family;
  }
  throw UsageError(fmt::format("unknown model family '{}'; valid families: {}", name,
                               fmt::join(classifier_families(), ", ")));
}

}  // namespace models

nlohmann::json Classifier::characteristic_stability(const DenseMatrix& X) const {
  static_cast<void>(X);
  return nullptr;
}

const std::vector<std::string>& classifier_families() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const models::Family& family : models::registered()) out.push_back(family.name);
    return out;
  }();
  return names;
}

const std::vector<ParamSpec>& param_specs(const std::string& family) {
  return models::find_family(family).params;
}

std::unique_ptr<Classifier> make_classifier(const std::string& family, const ParamValues& params) {
  return models::find_family(family).make(resolve_params(family, params));
}

std::unique_ptr<Classifier> load_classifier(const std::string& family, const ParamValues& params,
                                            const std::filesystem::path& dir) {
  return models::find_family(family).load(resolve_params(family, params), dir);
}

}  // namespace loanrisk
