// Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature
// Attribution for Tree Ensembles", Algorithm 2), weighting the branches by node cover as XGBoost's
// pred_contribs does. Arithmetic is float in the paper's order, so values agree with XGBoost's to
// float rounding.
//
// The serving path uses Fast TreeSHAP v2's leaf tables (Yang 2021) for the same values: with U the
// distinct features on a leaf's path (d of them), z_k the share of the training cover that follows
// the path at feature k's splits and o_k = 1 when the row meets all of feature k's conditions
// (else 0), the leaf adds to feature j
//   v (o_j - z_j) sum over S in U\{j} of |S|! (d-|S|-1)! / d! prod_{k in S} o_k prod_{k not in S}
//   z_k.
// With o binary, S ranges over subsets of B = {k != j : o_k = 1}, so the term depends on the row
// only through B: it is precomputed for all 2^d masks, each from the elementary symmetric
// polynomials of B's zero fractions (sum over subset sizes s of the weight times e_{|B|-s}).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
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

namespace {

// Leaves with more distinct path features than this keep the recursive algorithm (a table has
// 2^d x d entries).
constexpr std::size_t kMaxTableFeatures = 12;
// Table entries per model (float): 16 MB. Trees past the budget keep the recursive algorithm.
constexpr std::size_t kTableBudget = std::size_t{1} << 22;
// Grid cells per tree, and cell values per model (float, 16 MB), for the per-tree lookup.
constexpr std::size_t kMaxCells = 4096;
constexpr std::size_t kCellBudget = std::size_t{1} << 22;
// Step entries per model (uint16, 8 MB) for locating a row's cell; trees past it leave the grid.
constexpr std::size_t kStepBudget = std::size_t{1} << 22;

}  // namespace

struct TreeEnsemble::ShapTables {
  struct Condition {
    std::uint32_t node;  ///< offset from the tree's root
    std::uint32_t slot;  ///< the leaf's distinct feature this split belongs to
    bool left;           ///< the leaf's path goes left here
  };
  struct Leaf {
    std::uint32_t first_condition, n_conditions;
    std::uint32_t first_feature, n_features;  ///< into features: slot -> feature index
    std::size_t first_entry;                  ///< 2^n_features masks x n_features values
  };
  struct Tree {
    bool tabled = false;
    std::uint32_t n_nodes = 0;
    std::uint32_t first_leaf = 0, n_leaves = 0;
    std::uint32_t first_used = 0, n_used = 0;  ///< distinct features of the tree, into used
  };
  std::vector<Tree> trees;
  std::vector<Leaf> leaves;
  std::vector<Condition> conditions;
  std::vector<std::uint32_t> features;
  std::vector<std::uint32_t> used;
  std::vector<float> entries;
  std::size_t tabled = 0;
  std::uint32_t max_tree_nodes = 0;

  /// The grid of a tree whose cells are tabulated: its used features (tree.first_used..), each
  /// with its distinct split thresholds ascending; a row's cell is, per feature, the number of
  /// thresholds <= its value, in mixed radix (feature order), and holds the tree's value for each
  /// used feature. Rows with a missing used feature go to the leaf tables (NaN is no interval).
  struct Grid {
    bool on = false;
    std::uint32_t first_axis = 0;  ///< into axes, n_used of them
    std::uint32_t n_used = 0;      ///< the tree's (a copy, so a lookup reads one record)
    std::size_t first_cell = 0;    ///< into cells: cells x (1 + n_used) values
  };
  struct Axis {
    std::uint32_t first_threshold, n_thresholds;  ///< into thresholds
    std::uint32_t feature = 0;                    ///< the used feature it cuts
    std::uint32_t rank = 0;  ///< among the stepped axes on its feature (see steps)
  };
  std::vector<Grid> grids;
  std::vector<Axis> axes;
  std::vector<float> thresholds;
  std::vector<float> cells;
  std::size_t gridded = 0;

  /// Per feature, the distinct thresholds of every grid's axis on it, ascending. A row's position
  /// among them (one search per feature and row) fixes its interval on every axis of that
  /// feature, so an axis maps each position to its share of the cell index (the interval times
  /// the axis's stride): locating a tree's cell becomes a few table reads instead of a search per
  /// used feature and tree, whose data-dependent branches cost more than the cell itself.
  /// steps holds, per feature f and position g, the shares of all axes on f side by side (at
  /// feature_first_step[f] + g * feature_axes[f] + rank), so a row reads a few cache lines per
  /// feature rather than one per axis.
  std::vector<std::vector<float>> feature_cuts;
  std::vector<std::size_t> feature_first_step;
  std::vector<std::uint32_t> feature_axes;
  std::vector<std::uint16_t> steps;

  /// Every row's base value: the trees' mean values then the base margin, added in float in that
  /// order as the recursive algorithm (and XGBoost) add them row by row.
  float bias = 0;
};

struct TreeEnsemble::LazyShapTables {
  std::once_flag once;
  ShapTables tables;
  std::atomic<bool> ready{false};  ///< set once tables is complete
};

std::shared_ptr<TreeEnsemble::LazyShapTables> TreeEnsemble::new_shap_tables() {
  return std::make_shared<LazyShapTables>();
}

const TreeEnsemble::ShapTables& TreeEnsemble::shap_tables() const {
  std::call_once(shap_tables_->once, [this] {
    build_shap_tables(shap_tables_->tables);
    build_shap_cells(shap_tables_->tables);
    build_shap_steps(shap_tables_->tables);
    float bias = 0.0f;
    for (const float mean : mean_value_) bias += mean;
    shap_tables_->tables.bias = bias + base_margin_;
    shap_tables_->ready.store(true, std::memory_order_release);
  });
  return shap_tables_->tables;
}

const TreeEnsemble::ShapTables* TreeEnsemble::built_shap_tables() const {
  return shap_tables_ && shap_tables_->ready.load(std::memory_order_acquire) ? &shap_tables_->tables
                                                                             : nullptr;
}

std::size_t TreeEnsemble::tabled_trees() const {
  return shap_tables().tabled;
}

std::size_t TreeEnsemble::gridded_trees() const {
  return shap_tables().gridded;
}

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

bool TreeEnsemble::locate_row(const ShapTables& tables, const float* row,
                              const std::uint16_t** row_steps) const {
  bool complete = true;
  for (std::size_t f = 0; f < num_features_; ++f) {
    const std::vector<float>& cuts = tables.feature_cuts[f];
    // NaN gets position 0, a valid block; grid_cell sends such rows to the leaf tables.
    const bool missing = std::isnan(row[f]);
    complete = complete && !missing;
    const auto position =
        missing ? 0
                : static_cast<std::size_t>(std::upper_bound(cuts.begin(), cuts.end(), row[f]) -
                                           cuts.begin());
    row_steps[f] =
        tables.steps.data() + tables.feature_first_step[f] + position * tables.feature_axes[f];
  }
  return complete;
}

const float* TreeEnsemble::grid_cell(const ShapTables& tables, std::size_t t, const float* row,
                                     const std::uint16_t* const* row_steps, bool complete) const {
  const ShapTables::Grid& grid = tables.grids[t];
  if (!grid.on) return nullptr;
  const ShapTables::Axis* axis = tables.axes.data() + grid.first_axis;
  std::size_t cell = 0;
  for (std::uint32_t u = 0; u < grid.n_used; ++u) {
    if (!complete && std::isnan(row[axis[u].feature])) return nullptr;
    cell += row_steps[axis[u].feature][axis[u].rank];
  }
  return tables.cells.data() + grid.first_cell + cell * (1 + grid.n_used);
}

void TreeEnsemble::margins(const float* X, std::size_t rows, float* out) const {
  // Once the SHAP tables exist (a server builds them when it validates a model), a gridded
  // tree's leaf is read from the row's cell, next to the SHAP values the same request reads:
  // the same leaf value summed in the same order, so the same margin bit for bit.
  const ShapTables* tables = built_shap_tables();
  std::vector<const std::uint16_t*> row_steps(tables ? num_features_ : 0);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = X + r * num_features_;
    const bool complete = tables ? locate_row(*tables, row, row_steps.data()) : false;
    float margin = base_margin_;  // float sums in tree order, as XGBoost
    for (std::size_t t = 0; t < roots_.size(); ++t) {
      const float* cell = tables ? grid_cell(*tables, t, row, row_steps.data(), complete) : nullptr;
      margin += cell ? cell[0] : tree_value(t, row);
    }
    out[r] = margin;
  }
}

void TreeEnsemble::contributions(const float* X, std::size_t rows, float* out) const {
  contributions_and_margins(X, rows, out, nullptr);
}

void TreeEnsemble::explain(const float* X, std::size_t rows, float* probabilities,
                           float* out) const {
  contributions_and_margins(X, rows, out, probabilities);
  for (std::size_t r = 0; r < rows; ++r) {
    probabilities[r] = 1.0f / (1.0f + std::exp(-probabilities[r]));  // as probabilities()
  }
}

void TreeEnsemble::contributions_and_margins(const float* X, std::size_t rows, float* out,
                                             float* margins) const {
  const ShapTables& tables = shap_tables();
  const std::size_t width = num_features_ + 1;
  const std::size_t levels = max_depth_ + 2;
  // Working memory kept by the thread between calls: a served request explains one row, and five
  // allocations were a visible part of that.
  thread_local struct {
    std::vector<PathElement> paths;
    std::vector<float> tree_phi;
    std::vector<double> sum;
    std::vector<std::uint8_t> goes_left;
    std::vector<const std::uint16_t*> row_steps;  ///< the row's block per feature (see steps)
  } scratch;
  auto& [paths, tree_phi, sum, goes_left, row_steps] = scratch;
  paths.resize(tables.tabled == roots_.size() ? 0 : levels * (levels + 1) / 2);
  tree_phi.assign(width, 0.0f);
  sum.assign(num_features_, 0.0);
  goes_left.resize(tables.max_tree_nodes);
  row_steps.resize(num_features_);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* row = X + r * num_features_;
    float* phi = out + r * width;
    std::fill(phi, phi + width, 0.0f);
    const bool complete = locate_row(tables, row, row_steps.data());
    float margin = base_margin_;  // as margins(): float sums of the leaves in tree order
    // Per-tree values first, then added to the row's, in tree order as XGBoost sums them.
    for (std::size_t t = 0; t < roots_.size(); ++t) {
      const ShapTables::Tree& tree = tables.trees[t];
      const std::uint32_t* used = tables.used.data() + tree.first_used;
      if (const float* cell = grid_cell(tables, t, row, row_steps.data(), complete)) {
        margin += cell[0];
        for (std::uint32_t u = 0; u < tree.n_used; ++u) phi[used[u]] += cell[1 + u];
        continue;
      }
      if (margins) margin += tree_value(t, row);
      if (!tree.tabled) {
        std::fill(tree_phi.begin(), tree_phi.end(), 0.0f);
        tree_contributions(t, row, tree_phi.data(), paths.data());
        // Its base value is mean_value_[t], already in the bias.
        for (std::size_t c = 0; c < num_features_; ++c) phi[c] += tree_phi[c];
        continue;
      }
      add_leaf_tables(tables, t, row, goes_left.data(), sum.data());
      for (std::uint32_t u = 0; u < tree.n_used; ++u) {
        phi[used[u]] += static_cast<float>(sum[used[u]]);
        sum[used[u]] = 0;
      }
    }
    phi[num_features_] = tables.bias;
    if (margins) margins[r] = margin;
  }
}

}  // namespace loanrisk::models
