#pragma once
// The layout of TreeEnsemble's SHAP tables, shared by the code that builds them
// (tree_shap_build.cpp) and the code that reads them (tree_shap_tables.cpp); private to models.
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "loanrisk/models/tree_ensemble.hpp"

namespace loanrisk::models {

namespace shap_limits {

// Leaves with more distinct path features than this keep the recursive algorithm (a table has
// 2^d x d entries).
inline constexpr std::size_t kMaxTableFeatures = 12;
// Table entries per model (float): 16 MB. Trees past the budget keep the recursive algorithm.
inline constexpr std::size_t kTableBudget = std::size_t{1} << 22;
// Grid cells per tree, and cell values per model (float, 16 MB), for the per-tree lookup.
inline constexpr std::size_t kMaxCells = 4096;
inline constexpr std::size_t kCellBudget = std::size_t{1} << 22;
// Step entries per model (uint16, 8 MB) for locating a row's cell; trees past it leave the grid.
inline constexpr std::size_t kStepBudget = std::size_t{1} << 22;

}  // namespace shap_limits

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

inline const float* TreeEnsemble::grid_cell(const ShapTables& tables, std::size_t t,
                                            const float* row, const std::uint16_t* const* row_steps,
                                            bool complete) {
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

struct TreeEnsemble::LazyShapTables {
  std::once_flag once;
  ShapTables tables;
  std::atomic<bool> ready{false};  ///< set once tables is complete
};

}  // namespace loanrisk::models
