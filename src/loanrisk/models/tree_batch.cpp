// The batch layout of TreeEnsemble: batches of any size scored natively, faster than XGBoost's
// own CPU predictor, with no DMatrix and no C API call. As XGBoost's predictor, blocks of 64 rows
// go tree by tree (a tree's nodes stay in cache for the whole block). A tree of at most 32 leaves
// is evaluated by the bitvector kernel where the CPU has AVX2 (tree_quickscorer.cpp); any other is
// walked level by level over the block, every row one step per level, with leaves that point at
// themselves: 64 independent walks the CPU overlaps, no branch on the leaf test.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "loanrisk/models/tree_ensemble.hpp"

namespace loanrisk::models {

void TreeEnsemble::build_batch_layout() {
  batch_nodes_ = nodes_;
  tree_depth_.assign(roots_.size(), 0);
  // Depth-first order puts every parent before its children, so depths fill in one pass.
  std::vector<std::uint16_t> depth(nodes_.size(), 0);
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    const auto begin = static_cast<std::size_t>(roots_[t]);
    const std::size_t end =
        t + 1 < roots_.size() ? static_cast<std::size_t>(roots_[t + 1]) : nodes_.size();
    for (std::size_t i = begin; i < end; ++i) {
      Node& node = batch_nodes_[i];
      if (node.left < 0) {
        node.left = node.right = static_cast<std::int32_t>(i);
        node.feature = 0;  // any valid column: the comparison's outcome does not matter
        tree_depth_[t] = std::max(tree_depth_[t], depth[i]);
      } else {
        depth[static_cast<std::size_t>(node.left)] = static_cast<std::uint16_t>(depth[i] + 1);
        depth[static_cast<std::size_t>(node.right)] = static_cast<std::uint16_t>(depth[i] + 1);
      }
    }
  }
  build_vector_layout();
}

void TreeEnsemble::walk_tree(std::size_t t, const float* X, std::size_t rows, float* out) const {
  const Node* nodes = batch_nodes_.data();
  const std::size_t cols = num_features_;
  std::array<std::int32_t, kBlockRows> at{};
  std::fill_n(at.begin(), rows, roots_[t]);
  for (unsigned level = 0; level < tree_depth_[t]; ++level) {
    for (std::size_t r = 0; r < rows; ++r) {
      const Node& node = nodes[at[r]];
      const float x = X[r * cols + (node.feature & ~kDefaultLeft)];
      // x < split goes left; NaN (every comparison false) follows default_left.
      const bool left = x < node.value || (std::isnan(x) && (node.feature & kDefaultLeft) != 0);
      at[r] = left ? node.left : node.right;
    }
  }
  for (std::size_t r = 0; r < rows; ++r) out[r] += nodes[at[r]].value;
}

void TreeEnsemble::block_margins(const float* X, std::size_t rows, float* out, bool vector) const {
  // Float sums in tree order, as margins() and XGBoost's predictor add them.
  alignas(32) std::array<float, kBlockRows> acc;
  acc.fill(base_margin_);
  // The block by column for the bitvector kernel: a split reads its feature for eight rows with
  // one load. Rows past the block are zeros, scored and dropped.
  thread_local std::vector<float> columns;
  bool any_missing = false;
  if (vector) {
    const std::size_t used = vector_columns_.size();
    columns.resize(used * kBlockRows);
    if (rows < kBlockRows) std::fill(columns.begin(), columns.end(), 0.0f);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < used; ++c) {
        const float x = X[r * num_features_ + vector_columns_[c]];
        columns[c * kBlockRows + r] = x;
        any_missing = any_missing || std::isnan(x);
      }
    }
  }
  for (std::size_t t = 0; t < roots_.size();) {
    if (vector && vector_trees_[t].on) {
      std::size_t end = t + 1;  // the run of trees the kernel takes in one call
      while (end < roots_.size() && vector_trees_[end].on) ++end;
      vector_block(t, end, rows, columns.data(), any_missing, acc.data());
      t = end;
    } else {
      walk_tree(t, X, rows, acc.data());
      ++t;
    }
  }
  std::copy_n(acc.begin(), rows, out);
}

void TreeEnsemble::batch_margins(const float* X, std::size_t rows, float* out, int threads,
                                 BatchKernel kernel) const {
  const std::size_t blocks = (rows + kBlockRows - 1) / kBlockRows;
  // A model without a tree the kernel takes (deep random forests) skips the block's transposition.
  const bool vector =
      kernel == BatchKernel::best && vector_kernel_available() && !vector_leaves_.empty();
  const auto block = [&](std::size_t b) {
    const std::size_t first = b * kBlockRows;
    block_margins(X + first * num_features_, std::min(kBlockRows, rows - first), out + first,
                  vector);
  };
  // A team costs more than a few blocks take alone.
  const int team = static_cast<int>(std::min<std::size_t>(
      static_cast<std::size_t>(std::max(threads, 1)), std::max<std::size_t>(blocks / 8, 1)));
  if (team <= 1) {
    for (std::size_t b = 0; b < blocks; ++b) block(b);
    return;
  }
#pragma omp parallel for num_threads(team) schedule(static)
  for (std::size_t b = 0; b < blocks; ++b) block(b);
}

void TreeEnsemble::batch_probabilities(const float* X, std::size_t rows, float* out,
                                       int threads) const {
  batch_margins(X, rows, out, threads);
  for (std::size_t r = 0; r < rows; ++r) out[r] = 1.0f / (1.0f + std::exp(-out[r]));
}

}  // namespace loanrisk::models
