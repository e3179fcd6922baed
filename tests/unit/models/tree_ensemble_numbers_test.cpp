// Numbers in an XGBoost JSON model that no node field can hold are InputErrors (the model is then
// served by XGBoost alone), never undefined behaviour.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/models/tree_ensemble.hpp"
#include "support/test_support.hpp"

namespace loanrisk::models {
namespace {

// A four-tree model saved by `loanrisk train` (the fuzz target's seed).
nlohmann::json saved_model() {
  return nlohmann::json::parse(read_file(std::filesystem::path(LOANRISK_SOURCE_DIR) /
                                         "tests/fuzz/corpus/tree_model/xgboost.json"));
}

nlohmann::json& first_tree(nlohmann::json& model) {
  return model["learner"]["gradient_booster"]["model"]["trees"][0];
}

// Found by fuzz_tree_model (tests/fuzz/regressions/tree_model/): a child index of -1.9e51 was
// converted to int64 unchecked (UBSan).
TEST(TreeEnsembleNumbers, IndicesBeyondTheirTypeAreInputErrors) {
  EXPECT_EQ(TreeEnsemble::from_json(saved_model().dump()).num_trees(), 4u);
  nlohmann::json model = saved_model();
  first_tree(model)["left_children"][0] = -1.9e51;
  EXPECT_THROW_MSG(TreeEnsemble::from_json(model.dump()), InputError, "left_children/0' is");
  model = saved_model();
  first_tree(model)["default_left"][0] = 1e10;  // an int field
  EXPECT_THROW_MSG(TreeEnsemble::from_json(model.dump()), InputError, "default_left/0' is");
}

}  // namespace
}  // namespace loanrisk::models
