#pragma once
// Private to the models layer: a gbtree binary:logistic model read from XGBoost's JSON model and
// evaluated natively, because XGBoost's C API costs ~20 us per single-row prediction and ~440 us
// per single-row SHAP call, which would cap the serving API. Results follow XGBoost 1.7's
// arithmetic (float32 sums in tree order, x < split goes left, NaN follows default_left), so they
// agree with its C API to float rounding.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk::models {

/// Trees stored flat in depth-first order (a node's left child follows it), for evaluation and
/// exact path-dependent TreeSHAP. Immutable once built; safe to use from several threads.
class TreeEnsemble {
 public:
  /// Parses the text XGBoosterSaveModelToBuffer writes with {"format": "json"}. InputError naming
  /// the JSON field for a malformed model or an unsupported one (not gbtree, not binary:logistic,
  /// categorical splits, several outputs).
  static TreeEnsemble from_json(std::string_view text);
  /// The same from an already parsed document.
  static TreeEnsemble from_parsed(const nlohmann::json& model);

  /// Columns a row must have.
  std::size_t num_features() const { return num_features_; }
  /// Trees in the model (rounds x num_parallel_tree).
  std::size_t num_trees() const { return roots_.size(); }
  /// The margin every prediction starts from: logit(base_score).
  float base_margin() const { return base_margin_; }

  /// Log-odds of each row of X (rows x num_features, row-major, NaN = missing) into out[rows].
  void margins(const float* X, std::size_t rows, float* out) const;
  /// Probabilities (the logistic of the margin, in float as XGBoost) into out[rows].
  void probabilities(const float* X, std::size_t rows, float* out) const;
  /// Exact TreeSHAP into out[rows x (num_features + 1)]: one value per feature, then the bias; a
  /// row's values sum to its margin.
  void contributions(const float* X, std::size_t rows, float* out) const;

 private:
  /// One node in 16 bytes. A leaf has left < 0 and holds its value in `value`.
  struct Node {
    float value;            ///< split condition, or leaf value
    std::int32_t left;      ///< index in nodes_, -1 for a leaf
    std::int32_t right;     ///< index in nodes_
    std::uint32_t feature;  ///< split feature, with kDefaultLeft set when NaN goes left
  };
  static constexpr std::uint32_t kDefaultLeft = 1u << 31;
  /// TreeSHAP's record of one feature on the path from the root.
  struct PathElement {
    int feature;
    float zero_fraction;
    float one_fraction;
    float pweight;
  };

  float tree_value(std::size_t tree, const float* row) const;
  void tree_shap(const float* row, float* phi, std::int32_t node, unsigned depth,
                 PathElement* parent_path, float parent_zero, float parent_one,
                 int parent_feature) const;

  std::size_t num_features_ = 0;
  float base_margin_ = 0;
  std::vector<Node> nodes_;
  std::vector<float> cover_;         ///< hessian sum reaching each node (TreeSHAP's weights)
  std::vector<std::int32_t> roots_;  ///< first node of each tree
  std::vector<float> mean_value_;    ///< cover-weighted mean leaf value of each tree
  unsigned max_depth_ = 0;           ///< deepest leaf over all trees (root = 0)

  friend class TreeEnsembleBuilder;
};

}  // namespace loanrisk::models
