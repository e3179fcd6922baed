// Building TreeEnsemble's SHAP tables: leaf tables, then the threshold grids of small trees,
// then the per-feature steps that locate a row's cells (layout: tree_shap_layout.hpp).
// Fast TreeSHAP v2 (Yang 2021): with U the distinct features on a leaf's path (d of them), z_k the
// share of the training cover that follows
// the path at feature k's splits and o_k = 1 when the row meets all of feature k's conditions
// (else 0), the leaf adds to feature j
//   v (o_j - z_j) sum over S in U\{j} of |S|! (d-|S|-1)! / d! prod_{k in S} o_k prod_{k not in S}
//   z_k.
// With o binary, S ranges over subsets of B = {k != j : o_k = 1}, so the term depends on the row
// only through B: it is precomputed for all 2^d masks, each from the elementary symmetric
// polynomials of B's zero fractions (sum over subset sizes s of the weight times e_{|B|-s}).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "loanrisk/models/tree_shap_layout.hpp"

namespace loanrisk::models {

using namespace shap_limits;

void TreeEnsemble::build_shap_tables(ShapTables& out) const {
  struct Step {
    std::uint32_t node;
    std::uint32_t feature;
    bool left;
    double zero;  // cover share of the child the path takes
  };
  std::vector<Step> path;
  std::vector<std::uint32_t> slot_feature;
  std::vector<double> zero, e, weight;
  bool fits = true;

  // Appends the table of the leaf at the end of `path`; false when it has too many features.
  const auto add_leaf = [&](double value) {
    slot_feature.clear();
    zero.clear();
    ShapTables::Leaf leaf{};
    leaf.first_condition = static_cast<std::uint32_t>(out.conditions.size());
    for (const Step& step : path) {
      const auto at = std::find(slot_feature.begin(), slot_feature.end(), step.feature);
      const auto slot = static_cast<std::uint32_t>(at - slot_feature.begin());
      if (at == slot_feature.end()) {
        if (slot_feature.size() == kMaxTableFeatures) return false;
        slot_feature.push_back(step.feature);
        zero.push_back(1.0);
      }
      zero[slot] *= step.zero;
      out.conditions.push_back({step.node, slot, step.left});
    }
    const std::size_t d = slot_feature.size();
    leaf.n_conditions = static_cast<std::uint32_t>(out.conditions.size()) - leaf.first_condition;
    leaf.first_feature = static_cast<std::uint32_t>(out.features.size());
    leaf.n_features = static_cast<std::uint32_t>(d);
    out.features.insert(out.features.end(), slot_feature.begin(), slot_feature.end());
    leaf.first_entry = out.entries.size();
    // Shapley weights |S|! (d-|S|-1)! / d! = 1 / (d * C(d-1, |S|)).
    weight.assign(d, 0.0);
    double choose = 1;
    for (std::size_t s = 0; s < d; ++s) {
      weight[s] = 1.0 / (static_cast<double>(d) * choose);
      choose = choose * static_cast<double>(d - 1 - s) / static_cast<double>(s + 1);
    }
    for (std::size_t mask = 0; mask < (std::size_t{1} << d); ++mask) {
      for (std::size_t j = 0; j < d; ++j) {
        double rest = 1;  // zero fractions of the features the row does not meet
        e.assign(1, 1.0);
        for (std::size_t k = 0; k < d; ++k) {
          if (k == j) continue;
          if ((mask >> k) & 1U) {
            e.push_back(0.0);
            for (std::size_t i = e.size() - 1; i > 0; --i) e[i] += e[i - 1] * zero[k];
          } else {
            rest *= zero[k];
          }
        }
        const std::size_t m = e.size() - 1;
        double sum = 0;
        for (std::size_t size = 0; size <= m; ++size) sum += weight[size] * e[m - size];
        const double one = static_cast<double>((mask >> j) & 1U);
        out.entries.push_back(static_cast<float>(value * (one - zero[j]) * rest * sum));
      }
    }
    out.leaves.push_back(leaf);
    return true;
  };

  for (std::size_t t = 0; t < roots_.size(); ++t) {
    const std::int32_t root = roots_[t];
    const auto end =
        t + 1 < roots_.size() ? roots_[t + 1] : static_cast<std::int32_t>(nodes_.size());
    ShapTables::Tree tree;
    tree.n_nodes = static_cast<std::uint32_t>(end - root);
    tree.first_leaf = static_cast<std::uint32_t>(out.leaves.size());
    const std::size_t conditions = out.conditions.size(), features = out.features.size(),
                      entries = out.entries.size();
    fits = true;
    const auto visit = [&](const auto& self, std::int32_t index) -> void {
      if (!fits) return;
      const Node& node = nodes_[index];
      if (node.left < 0) {
        fits = add_leaf(node.value) && out.entries.size() <= kTableBudget;
        return;
      }
      const std::uint32_t feature = node.feature & ~kDefaultLeft;
      const double cover = cover_[index];
      const auto offset = static_cast<std::uint32_t>(index - root);
      path.push_back({offset, feature, true, cover_[node.left] / cover});
      self(self, node.left);
      path.back() = {offset, feature, false, cover_[node.right] / cover};
      self(self, node.right);
      path.pop_back();
    };
    path.clear();
    visit(visit, root);
    if (fits) {
      tree.tabled = true;
      tree.n_leaves = static_cast<std::uint32_t>(out.leaves.size()) - tree.first_leaf;
      tree.first_used = static_cast<std::uint32_t>(out.used.size());
      for (std::size_t f = features; f < out.features.size(); ++f) {
        const auto first = out.used.begin() + tree.first_used;
        if (std::find(first, out.used.end(), out.features[f]) == out.used.end()) {
          out.used.push_back(out.features[f]);
        }
      }
      tree.n_used = static_cast<std::uint32_t>(out.used.size()) - tree.first_used;
      ++out.tabled;
    } else {
      out.leaves.resize(tree.first_leaf);
      out.conditions.resize(conditions);
      out.features.resize(features);
      out.entries.resize(entries);
      out.entries.shrink_to_fit();
    }
    out.max_tree_nodes = std::max(out.max_tree_nodes, tree.n_nodes);
    out.trees.push_back(tree);
  }
}

void TreeEnsemble::add_leaf_tables(const ShapTables& tables, std::size_t t, const float* row,
                                   std::uint8_t* goes_left, double* sum) const {
  const ShapTables::Tree& tree = tables.trees[t];
  const Node* nodes = &nodes_[roots_[t]];
  for (std::uint32_t i = 0; i < tree.n_nodes; ++i) {
    const Node& node = nodes[i];
    if (node.left < 0) continue;
    const float x = row[node.feature & ~kDefaultLeft];
    goes_left[i] = std::isnan(x) ? (node.feature & kDefaultLeft) != 0 : x < node.value;
  }
  for (std::uint32_t l = tree.first_leaf; l < tree.first_leaf + tree.n_leaves; ++l) {
    const ShapTables::Leaf& leaf = tables.leaves[l];
    std::size_t mask = (std::size_t{1} << leaf.n_features) - 1;
    const ShapTables::Condition* c = tables.conditions.data() + leaf.first_condition;
    for (std::uint32_t i = 0; i < leaf.n_conditions; ++i) {
      if ((goes_left[c[i].node] != 0) != c[i].left) mask &= ~(std::size_t{1} << c[i].slot);
    }
    const float* entry = tables.entries.data() + leaf.first_entry + mask * leaf.n_features;
    const std::uint32_t* feature = tables.features.data() + leaf.first_feature;
    for (std::uint32_t j = 0; j < leaf.n_features; ++j) sum[feature[j]] += entry[j];
  }
}

void TreeEnsemble::build_shap_cells(ShapTables& out) const {
  out.grids.assign(roots_.size(), {});
  std::vector<float> row(num_features_, std::numeric_limits<float>::quiet_NaN());
  std::vector<std::uint8_t> goes_left(out.max_tree_nodes);
  std::vector<double> sum(num_features_, 0.0);
  std::vector<std::uint32_t> at;
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    const ShapTables::Tree& tree = out.trees[t];
    if (!tree.tabled || tree.n_used == 0) continue;
    const std::uint32_t* used = out.used.data() + tree.first_used;
    ShapTables::Grid grid;
    grid.first_axis = static_cast<std::uint32_t>(out.axes.size());
    std::size_t n_cells = 1;
    const auto end =
        t + 1 < roots_.size() ? roots_[t + 1] : static_cast<std::int32_t>(nodes_.size());
    const std::size_t thresholds_before = out.thresholds.size();
    for (std::uint32_t u = 0; u < tree.n_used; ++u) {
      std::vector<float> cuts;
      for (std::int32_t i = roots_[t]; i < end; ++i) {
        if (nodes_[i].left >= 0 && (nodes_[i].feature & ~kDefaultLeft) == used[u]) {
          cuts.push_back(nodes_[i].value);
        }
      }
      std::sort(cuts.begin(), cuts.end());
      cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
      out.axes.push_back({static_cast<std::uint32_t>(out.thresholds.size()),
                          static_cast<std::uint32_t>(cuts.size()), used[u], 0});
      out.thresholds.insert(out.thresholds.end(), cuts.begin(), cuts.end());
      n_cells *= cuts.size() + 1;
      if (n_cells > kMaxCells) break;
    }
    if (n_cells > kMaxCells || out.cells.size() + n_cells * (1 + tree.n_used) > kCellBudget) {
      out.axes.resize(grid.first_axis);
      out.thresholds.resize(thresholds_before);
      continue;
    }
    // Each cell's value from a row inside it: per feature, the cell's lower threshold (a value
    // below every threshold for the first interval), which goes the cell's way at every split.
    grid.first_cell = out.cells.size();
    at.assign(tree.n_used, 0);
    for (std::size_t cell = 0; cell < n_cells; ++cell) {
      for (std::uint32_t u = 0; u < tree.n_used; ++u) {
        const ShapTables::Axis& axis = out.axes[grid.first_axis + u];
        row[used[u]] = at[u] == 0 ? -std::numeric_limits<float>::infinity()
                                  : out.thresholds[axis.first_threshold + at[u] - 1];
      }
      add_leaf_tables(out, t, row.data(), goes_left.data(), sum.data());
      out.cells.push_back(tree_value(t, row.data()));
      for (std::uint32_t u = 0; u < tree.n_used; ++u) {
        out.cells.push_back(static_cast<float>(sum[used[u]]));
        sum[used[u]] = 0;
      }
      // Next cell in mixed radix, the last feature fastest.
      for (std::uint32_t u = tree.n_used; u-- > 0;) {
        if (++at[u] <= out.axes[grid.first_axis + u].n_thresholds) break;
        at[u] = 0;
      }
    }
    grid.on = true;
    grid.n_used = tree.n_used;
    out.grids[t] = grid;
    ++out.gridded;
  }
}

void TreeEnsemble::build_shap_steps(ShapTables& out) const {
  static_assert(kMaxCells <= std::numeric_limits<std::uint16_t>::max() + 1, "cells fit uint16");
  out.feature_cuts.assign(num_features_, {});
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    const ShapTables::Grid& grid = out.grids[t];
    if (!grid.on) continue;
    const std::uint32_t* used = out.used.data() + out.trees[t].first_used;
    for (std::uint32_t u = 0; u < out.trees[t].n_used; ++u) {
      const ShapTables::Axis& axis = out.axes[grid.first_axis + u];
      const float* first = out.thresholds.data() + axis.first_threshold;
      out.feature_cuts[used[u]].insert(out.feature_cuts[used[u]].end(), first,
                                       first + axis.n_thresholds);
    }
  }
  for (auto& cuts : out.feature_cuts) {
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  }
  // Ranks in tree order; a tree whose axes would pass the budget leaves the grid.
  out.feature_axes.assign(num_features_, 0);
  std::size_t entries = 0;
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    ShapTables::Grid& grid = out.grids[t];
    if (!grid.on) continue;
    const std::uint32_t* used = out.used.data() + out.trees[t].first_used;
    std::size_t tree_entries = 0;
    for (std::uint32_t u = 0; u < out.trees[t].n_used; ++u) {
      tree_entries += out.feature_cuts[used[u]].size() + 1;
    }
    if (entries + tree_entries > kStepBudget) {  // the leaf tables serve it
      grid.on = false;
      --out.gridded;
      continue;
    }
    entries += tree_entries;
    for (std::uint32_t u = 0; u < out.trees[t].n_used; ++u) {
      out.axes[grid.first_axis + u].rank = out.feature_axes[used[u]]++;
    }
  }
  out.feature_first_step.assign(num_features_, 0);
  std::size_t offset = 0;
  for (std::size_t f = 0; f < num_features_; ++f) {
    out.feature_first_step[f] = offset;
    offset += (out.feature_cuts[f].size() + 1) * out.feature_axes[f];
  }
  out.steps.assign(offset, 0);
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    const ShapTables::Grid& grid = out.grids[t];
    if (!grid.on) continue;
    const std::uint32_t* used = out.used.data() + out.trees[t].first_used;
    std::size_t stride = 1;
    for (std::uint32_t u = out.trees[t].n_used; u-- > 0;) {
      const ShapTables::Axis& axis = out.axes[grid.first_axis + u];
      const float* first = out.thresholds.data() + axis.first_threshold;
      const std::uint32_t f = used[u];
      const std::vector<float>& cuts = out.feature_cuts[f];
      std::uint16_t* step = out.steps.data() + out.feature_first_step[f] + axis.rank;
      // Position g means the row is at or above cuts[g - 1] and below cuts[g]: its interval on
      // this axis is the number of the axis's thresholds <= cuts[g - 1].
      std::size_t interval = 0;
      for (std::size_t g = 0; g <= cuts.size(); ++g) {
        while (g > 0 && interval < axis.n_thresholds && first[interval] <= cuts[g - 1]) {
          ++interval;
        }
        step[g * out.feature_axes[f]] = static_cast<std::uint16_t>(interval * stride);
      }
      stride *= axis.n_thresholds + 1;
    }
  }
}

}  // namespace loanrisk::models
