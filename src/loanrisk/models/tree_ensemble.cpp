#include "loanrisk/models/tree_ensemble.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "loanrisk/core/error.hpp"

namespace loanrisk::models {
namespace {

// Deeper trees are refused: TreeSHAP's path buffer grows with the square of the depth and its
// recursion with the depth. Real trees here are <= 64 deep (lightgbm's max_depth bound).
constexpr unsigned kMaxDepth = 256;

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw InputError(fmt::format("XGBoost model JSON: field '{}' {}", field, why));
}

const nlohmann::json& field(const nlohmann::json& parent, const std::string& path,
                            const char* key) {
  const std::string here = path.empty() ? key : path + "/" + key;
  if (!parent.is_object()) bad(path, "is not an object");
  const auto it = parent.find(key);
  if (it == parent.end()) bad(here, "is missing");
  return *it;
}

// XGBoost writes its parameters as strings ("5E-1"), its tree arrays as numbers.
double number(const nlohmann::json& value, const std::string& path) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1 : 0;
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) return parsed;
  }
  bad(path, fmt::format("is not a number: {}", value.dump()));
}

// A numeric array of exactly n entries.
template <typename T>
std::vector<T> numbers(const nlohmann::json& tree, const std::string& path, const char* key,
                       std::size_t n) {
  const nlohmann::json& array = field(tree, path, key);
  const std::string here = path + "/" + key;
  if (!array.is_array()) bad(here, "is not an array");
  if (array.size() != n) {
    bad(here, fmt::format("has {} entries but the tree has {} nodes", array.size(), n));
  }
  std::vector<T> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = number(array[i], fmt::format("{}/{}", here, i));
    // An index or flag beyond T does not convert (undefined behaviour, found by fuzzing).
    if constexpr (std::is_integral_v<T>) {
      constexpr double kLimit =
          sizeof(T) >= 8 ? 0x1p62 : static_cast<double>(std::numeric_limits<T>::max());
      if (!(v >= -kLimit && v <= kLimit)) {
        bad(fmt::format("{}/{}", here, i), fmt::format("is {}, out of range", v));
      }
    }
    out.push_back(static_cast<T>(v));
  }
  return out;
}

}  // namespace

// Builds the flat node arrays one tree at a time (a friend, so TreeEnsemble's layout stays
// private).
class TreeEnsembleBuilder {
 public:
  explicit TreeEnsembleBuilder(TreeEnsemble& out) : out_(out) {}

  void add_tree(const nlohmann::json& tree, const std::string& path) {
    const std::string param_path = path + "/tree_param";
    const nlohmann::json& param = field(tree, path, "tree_param");
    const double n_nodes = number(field(param, param_path, "num_nodes"), param_path + "/num_nodes");
    if (n_nodes < 1 || n_nodes != std::floor(n_nodes) || n_nodes > 1e9) {
      bad(param_path + "/num_nodes", fmt::format("must be a positive count, got {}", n_nodes));
    }
    const auto n = static_cast<std::size_t>(n_nodes);
    const auto left = numbers<std::int64_t>(tree, path, "left_children", n);
    const auto right = numbers<std::int64_t>(tree, path, "right_children", n);
    const auto feature = numbers<std::int64_t>(tree, path, "split_indices", n);
    const auto condition = numbers<float>(tree, path, "split_conditions", n);
    const auto default_left = numbers<int>(tree, path, "default_left", n);
    const auto cover = numbers<float>(tree, path, "sum_hessian", n);
    std::vector<int> split_type(n, 0);
    if (tree.contains("split_type")) split_type = numbers<int>(tree, path, "split_type", n);

    // Depth-first copy of the nodes reachable from the root (XGBoost keeps pruned nodes in the
    // arrays), left child first so a walk that goes left reads the next node.
    struct Pending {
      std::int64_t node;
      std::int32_t parent;  // new index of the parent, -1 for the root
      bool is_left;
      unsigned depth;
    };
    const auto root = static_cast<std::int32_t>(out_.nodes_.size());
    std::vector<char> seen(n, 0);
    std::vector<Pending> stack{{0, -1, false, 0}};
    while (!stack.empty()) {
      const Pending p = stack.back();
      stack.pop_back();
      const std::string node_path = fmt::format("{}/left_children/{}", path, p.node);
      if (seen[p.node]) bad(node_path, "makes a node reachable twice (the tree has a cycle)");
      seen[p.node] = 1;
      if (p.depth > kMaxDepth) bad(node_path, fmt::format("is deeper than {} levels", kMaxDepth));
      const auto index = static_cast<std::int32_t>(out_.nodes_.size());
      if (p.parent >= 0) {
        (p.is_left ? out_.nodes_[p.parent].left : out_.nodes_[p.parent].right) = index;
      }
      const std::int64_t l = left[p.node];
      const std::int64_t r = right[p.node];
      TreeEnsemble::Node node{condition[p.node], -1, -1, 0};
      if (l >= 0) {
        if (l >= static_cast<std::int64_t>(n) || r < 0 || r >= static_cast<std::int64_t>(n)) {
          bad(node_path, fmt::format("has children {} and {} outside 0..{}", l, r, n - 1));
        }
        if (feature[p.node] < 0 ||
            feature[p.node] >= static_cast<std::int64_t>(out_.num_features_)) {
          bad(fmt::format("{}/split_indices/{}", path, p.node),
              fmt::format("is {}, outside the model's {} features", feature[p.node],
                          out_.num_features_));
        }
        if (split_type[p.node] != 0) {
          bad(fmt::format("{}/split_type/{}", path, p.node),
              "is a categorical split, which native evaluation does not support");
        }
        if (!(cover[p.node] > 0)) {
          bad(fmt::format("{}/sum_hessian/{}", path, p.node),
              fmt::format("is {} at a split; TreeSHAP needs a positive cover", cover[p.node]));
        }
        node.feature = static_cast<std::uint32_t>(feature[p.node]) |
                       (default_left[p.node] != 0 ? TreeEnsemble::kDefaultLeft : 0u);
        stack.push_back({r, index, false, p.depth + 1});
        stack.push_back({l, index, true, p.depth + 1});
      } else {
        out_.max_depth_ = std::max(out_.max_depth_, p.depth);
      }
      out_.nodes_.push_back(node);
      out_.cover_.push_back(cover[p.node]);
    }
    out_.roots_.push_back(root);
    out_.mean_value_.push_back(mean_value(root));
  }

 private:
  // The cover-weighted mean of the leaves, as XGBoost computes the tree's expected value (float,
  // children before parents; in depth-first order every child comes after its parent).
  float mean_value(std::int32_t root) {
    const auto end = static_cast<std::int32_t>(out_.nodes_.size());
    std::vector<float> mean(static_cast<std::size_t>(end - root));
    for (std::int32_t i = end - 1; i >= root; --i) {
      const TreeEnsemble::Node& node = out_.nodes_[i];
      if (node.left < 0) {
        mean[i - root] = node.value;
      } else {
        float m = mean[node.left - root] * out_.cover_[node.left];
        m += mean[node.right - root] * out_.cover_[node.right];
        m /= out_.cover_[i];
        mean[i - root] = m;
      }
    }
    return mean[0];
  }

  TreeEnsemble& out_;
};

TreeEnsemble TreeEnsemble::from_json(std::string_view text) {
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) throw InputError("XGBoost model JSON: the text is not valid JSON");
  return from_parsed(parsed);
}

TreeEnsemble TreeEnsemble::from_parsed(const nlohmann::json& model) {
  TreeEnsemble out;
  out.shap_tables_ = new_shap_tables();
  const nlohmann::json& learner = field(model, "", "learner");
  const nlohmann::json& objective = field(learner, "learner", "objective");
  const nlohmann::json& objective_name = field(objective, "learner/objective", "name");
  if (objective_name != "binary:logistic") {
    bad("learner/objective/name",
        fmt::format("is {}; only binary:logistic is supported", objective_name.dump()));
  }
  const nlohmann::json& booster = field(learner, "learner", "gradient_booster");
  const nlohmann::json& booster_name = field(booster, "learner/gradient_booster", "name");
  if (booster_name != "gbtree") {
    bad("learner/gradient_booster/name",
        fmt::format("is {}; only gbtree is supported", booster_name.dump()));
  }

  const std::string param_path = "learner/learner_model_param";
  const nlohmann::json& param = field(learner, "learner", "learner_model_param");
  const double features =
      number(field(param, param_path, "num_feature"), param_path + "/num_feature");
  if (features < 1 || features != std::floor(features) || features > 1e6) {
    bad(param_path + "/num_feature", fmt::format("must be a positive count, got {}", features));
  }
  out.num_features_ = static_cast<std::size_t>(features);
  for (const char* key : {"num_class", "num_target"}) {
    if (param.contains(key) && number(param[key], param_path + "/" + key) > 1) {
      bad(param_path + "/" + key, "is above 1; only single-output models are supported");
    }
  }
  // XGBoost keeps base_score as a probability and starts every margin from its logit, in float.
  const nlohmann::json& base_json = field(param, param_path, "base_score");
  const auto base_score = static_cast<float>(number(base_json, param_path + "/base_score"));
  if (!(base_score > 0.0f && base_score < 1.0f)) {
    bad(param_path + "/base_score", fmt::format("is {}; it must be in (0, 1)", base_score));
  }
  out.base_margin_ = -std::log(1.0f / base_score - 1.0f);

  const std::string model_path = "learner/gradient_booster/model";
  const nlohmann::json& trees_model = field(booster, "learner/gradient_booster", "model");
  const nlohmann::json& trees = field(trees_model, model_path, "trees");
  if (!trees.is_array() || trees.empty()) bad(model_path + "/trees", "is not a non-empty array");
  if (trees_model.contains("tree_info")) {
    for (const auto& group : trees_model["tree_info"]) {
      if (group != 0) bad(model_path + "/tree_info", "assigns a tree to an output other than 0");
    }
  }
  TreeEnsembleBuilder builder(out);
  for (std::size_t t = 0; t < trees.size(); ++t) {
    builder.add_tree(trees[t], fmt::format("{}/trees/{}", model_path, t));
  }
  out.build_batch_layout();
  return out;
}

float TreeEnsemble::tree_value(std::size_t tree, const float* row) const {
  const Node* node = &nodes_[roots_[tree]];
  while (node->left >= 0) {
    const float x = row[node->feature & ~kDefaultLeft];
    const bool go_left = std::isnan(x) ? (node->feature & kDefaultLeft) != 0 : x < node->value;
    node = &nodes_[go_left ? node->left : node->right];
  }
  return node->value;
}

void TreeEnsemble::probabilities(const float* X, std::size_t rows, float* out) const {
  margins(X, rows, out);
  for (std::size_t r = 0; r < rows; ++r) out[r] = 1.0f / (1.0f + std::exp(-out[r]));
}

}  // namespace loanrisk::models
