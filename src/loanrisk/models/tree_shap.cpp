// Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature
// Attribution for Tree Ensembles", Algorithm 2), weighting the branches by node cover as XGBoost's
// pred_contribs does. Arithmetic is float in the paper's order, so values agree with XGBoost's to
// float rounding.
// The tables the serving path uses instead are in tree_shap_tables.cpp.
#include <algorithm>
#include <cmath>
#include <vector>

#include "loanrisk/models/tree_ensemble.hpp"

namespace loanrisk::models {
namespace {

// The shared shape of a path element (TreeEnsemble::PathElement is private; the helpers below are
// templates over it so they stay free functions).
template <typename Element>
void extend_path(Element* path, unsigned depth, float zero_fraction, float one_fraction,
                 int feature) {
  path[depth].feature = feature;
  path[depth].zero_fraction = zero_fraction;
  path[depth].one_fraction = one_fraction;
  path[depth].pweight = depth == 0 ? 1.0f : 0.0f;
  const auto n = static_cast<float>(depth + 1);
  for (int i = static_cast<int>(depth) - 1; i >= 0; --i) {
    path[i + 1].pweight += one_fraction * path[i].pweight * static_cast<float>(i + 1) / n;
    path[i].pweight =
        zero_fraction * path[i].pweight * static_cast<float>(static_cast<int>(depth) - i) / n;
  }
}

// Undoes extend_path for the element at `index` (a feature met again deeper in the tree).
template <typename Element>
void unwind_path(Element* path, unsigned depth, unsigned index) {
  const float one_fraction = path[index].one_fraction;
  const float zero_fraction = path[index].zero_fraction;
  float next_one_portion = path[depth].pweight;
  const auto n = static_cast<float>(depth + 1);
  for (int i = static_cast<int>(depth) - 1; i >= 0; --i) {
    if (one_fraction != 0) {
      const float tmp = path[i].pweight;
      path[i].pweight = next_one_portion * n / (static_cast<float>(i + 1) * one_fraction);
      next_one_portion = tmp - path[i].pweight * zero_fraction *
                                   static_cast<float>(static_cast<int>(depth) - i) / n;
    } else {
      path[i].pweight =
          path[i].pweight * n / (zero_fraction * static_cast<float>(static_cast<int>(depth) - i));
    }
  }
  for (unsigned i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

// The total permutation weight the path would have with the element at `index` unwound.
template <typename Element>
float unwound_path_sum(const Element* path, unsigned depth, unsigned index) {
  const float one_fraction = path[index].one_fraction;
  const float zero_fraction = path[index].zero_fraction;
  float next_one_portion = path[depth].pweight;
  float total = 0;
  const auto n = static_cast<float>(depth + 1);
  for (int i = static_cast<int>(depth) - 1; i >= 0; --i) {
    const auto later = static_cast<float>(static_cast<int>(depth) - i);
    if (one_fraction != 0) {
      const float tmp = next_one_portion * n / (static_cast<float>(i + 1) * one_fraction);
      total += tmp;
      next_one_portion = path[i].pweight - tmp * zero_fraction * (later / n);
    } else if (zero_fraction != 0) {
      total += (path[i].pweight / zero_fraction) / (later / n);
    }
  }
  return total;
}

}  // namespace

void TreeEnsemble::tree_shap(const float* row, float* phi, std::int32_t node_index, unsigned depth,
                             PathElement* parent_path, float parent_zero, float parent_one,
                             int parent_feature) const {
  // Each level works on its own copy of the path, placed after the parent's.
  PathElement* path = parent_path + depth + 1;
  std::copy(parent_path, parent_path + depth + 1, path);
  extend_path(path, depth, parent_zero, parent_one, parent_feature);

  const Node& node = nodes_[node_index];
  if (node.left < 0) {
    for (unsigned i = 1; i <= depth; ++i) {
      const float w = unwound_path_sum(path, depth, i);
      const PathElement& el = path[i];
      phi[el.feature] += w * (el.one_fraction - el.zero_fraction) * node.value;
    }
    return;
  }

  const auto feature = static_cast<int>(node.feature & ~kDefaultLeft);
  const float x = row[feature];
  const bool go_left = std::isnan(x) ? (node.feature & kDefaultLeft) != 0 : x < node.value;
  const std::int32_t hot = go_left ? node.left : node.right;
  const std::int32_t cold = go_left ? node.right : node.left;
  const float cover = cover_[node_index];
  const float hot_zero = cover_[hot] / cover;
  const float cold_zero = cover_[cold] / cover;
  float incoming_zero = 1;
  float incoming_one = 1;

  // A feature already on the path is unwound and re-extended here with both splits combined.
  unsigned k = 0;
  while (k <= depth && path[k].feature != feature) ++k;
  if (k != depth + 1) {
    incoming_zero = path[k].zero_fraction;
    incoming_one = path[k].one_fraction;
    unwind_path(path, depth, k);
    depth -= 1;
  }
  tree_shap(row, phi, hot, depth + 1, path, hot_zero * incoming_zero, incoming_one, feature);
  tree_shap(row, phi, cold, depth + 1, path, cold_zero * incoming_zero, 0, feature);
}

// One tree's values by the recursive algorithm into tree_phi (width num_features + 1, zeroed).
void TreeEnsemble::tree_contributions(std::size_t tree, const float* row, float* tree_phi,
                                      PathElement* paths) const {
  tree_phi[num_features_] += mean_value_[tree];
  tree_shap(row, tree_phi, roots_[tree], 0, paths, 1, 1, -1);
}

void TreeEnsemble::recursive_contributions(const float* X, std::size_t rows, float* out) const {
  const std::size_t width = num_features_ + 1;
  // Room for one path copy per level: level d holds d + 1 elements.
  const std::size_t levels = max_depth_ + 2;
  std::vector<PathElement> paths(levels * (levels + 1) / 2);
  std::vector<float> tree_phi(width);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = X + r * num_features_;
    float* phi = out + r * width;
    std::fill(phi, phi + width, 0.0f);
    // Per-tree values first, then added to the row's, in tree order as XGBoost sums them.
    for (std::size_t t = 0; t < roots_.size(); ++t) {
      std::fill(tree_phi.begin(), tree_phi.end(), 0.0f);
      tree_contributions(t, row, tree_phi.data(), paths.data());
      for (std::size_t c = 0; c < width; ++c) phi[c] += tree_phi[c];
    }
    phi[num_features_] += base_margin_;
  }
}

}  // namespace loanrisk::models
