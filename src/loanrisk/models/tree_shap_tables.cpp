// Reading TreeEnsemble's SHAP tables (built once, lazily: tree_shap_build.cpp): a row's grid
// cells give each gridded tree's leaf and SHAP values; other trees use their leaf tables or the
// recursive algorithm (tree_shap.cpp). Same values as the recursive algorithm.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <vector>

#include "loanrisk/models/tree_shap_layout.hpp"

namespace loanrisk::models {

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

void TreeEnsemble::margins(const float* X, std::size_t rows, float* out) const {
  // Once the SHAP tables exist (a server builds them when it validates a model), a gridded
  // tree's leaf is read from the row's cell, next to the SHAP values the same request reads:
  // the same leaf value summed in the same order, so the same margin bit for bit.
  const ShapTables* tables = built_shap_tables();
  // The thread's own, as in contributions_and_margins(): a served request scores one row.
  thread_local std::vector<const std::uint16_t*> row_steps;
  row_steps.resize(tables ? num_features_ : 0);
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
      if (const float* cell = grid_cell(tables, t, row, row_steps.data(), complete)) {
        // The grid's axes are the tree's used features, in order.
        const ShapTables::Grid& grid = tables.grids[t];
        const ShapTables::Axis* axis = tables.axes.data() + grid.first_axis;
        margin += cell[0];
        for (std::uint32_t u = 0; u < grid.n_used; ++u) phi[axis[u].feature] += cell[1 + u];
        continue;
      }
      const ShapTables::Tree& tree = tables.trees[t];
      const std::uint32_t* used = tables.used.data() + tree.first_used;
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
