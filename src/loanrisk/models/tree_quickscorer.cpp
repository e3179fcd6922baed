// TreeEnsemble's bitvector kernel (QuickScorer: Lucchese et al., SIGIR 2015, and its SIMD form,
// V-QuickScorer, 2016): a tree's leaves are bits, left to right, and each split clears the bits of
// its left subtree for the rows that go right at it. Whatever the path, the lowest bit left is the
// row's leaf: every leaf left of it lies under a split the row went right at, and no split clears
// it (only its ancestors have it on their left, and the row went left at those). So a tree costs
// a fixed run of compares and ANDs over eight rows at a time, with no data-dependent branch and no
// chain of dependent loads, where the level walk pays one load after another per level and row.
// Leaf values are added in tree order, in float, as the walk and XGBoost add them: bit for bit the
// same margins.
#include <cstdint>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "loanrisk/models/tree_ensemble.hpp"

namespace loanrisk::models {

bool TreeEnsemble::vector_kernel_available() {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2") != 0;
  return avx2;
#else
  return false;
#endif
}

std::size_t TreeEnsemble::vector_trees() const {
  std::size_t n = 0;
  for (const VectorTree& tree : vector_trees_) n += tree.on ? 1 : 0;
  return n;
}

void TreeEnsemble::build_vector_layout() {
  vector_trees_.assign(roots_.size(), {});
  vector_splits_.clear();
  vector_leaves_.clear();
  vector_columns_.clear();
  // Splits name the block's columns by their place among the features the kernel's trees use: a
  // block holds those columns only (a model may declare up to a million features and use ten).
  std::vector<std::int32_t> column_of(num_features_, -1);
  // In depth-first order with the left child first, leaves come left to right and a split's left
  // subtree is the run of nodes from its left child to its right child.
  std::vector<std::uint32_t> leaves_before;
  for (std::size_t t = 0; t < roots_.size(); ++t) {
    const auto begin = static_cast<std::size_t>(roots_[t]);
    const std::size_t end =
        t + 1 < roots_.size() ? static_cast<std::size_t>(roots_[t + 1]) : nodes_.size();
    leaves_before.assign(end - begin + 1, 0);
    for (std::size_t i = begin; i < end; ++i) {
      leaves_before[i - begin + 1] = leaves_before[i - begin] + (nodes_[i].left < 0 ? 1 : 0);
    }
    if (leaves_before[end - begin] > kVectorLeaves) continue;
    VectorTree& tree = vector_trees_[t];
    tree.on = true;
    tree.first_split = static_cast<std::uint32_t>(vector_splits_.size());
    tree.first_leaf = static_cast<std::uint32_t>(vector_leaves_.size());
    for (std::size_t i = begin; i < end; ++i) {
      const Node& node = nodes_[i];
      if (node.left < 0) {
        vector_leaves_.push_back(node.value);
        continue;
      }
      const std::uint32_t from = leaves_before[static_cast<std::size_t>(node.left) - begin];
      const std::uint32_t to = leaves_before[static_cast<std::size_t>(node.right) - begin];
      // Bits from..to-1; to - from is at most 31 here (the right subtree has a leaf too).
      const std::uint32_t bits = ((std::uint32_t{1} << (to - from)) - 1) << from;
      const std::uint32_t feature = node.feature & ~kDefaultLeft;
      if (column_of[feature] < 0) {
        column_of[feature] = static_cast<std::int32_t>(vector_columns_.size());
        vector_columns_.push_back(feature);
      }
      vector_splits_.push_back({static_cast<std::uint32_t>(column_of[feature]), node.value, bits,
                                (node.feature & kDefaultLeft) != 0 ? ~std::uint32_t{0} : 0u});
    }
    tree.n_splits = static_cast<std::uint32_t>(vector_splits_.size()) - tree.first_split;
  }
}

#if defined(__x86_64__)

namespace {

constexpr std::size_t kLanes = 8;  // floats in an AVX2 register

}  // namespace

template <std::size_t Vectors>
__attribute__((target("avx2"))) void TreeEnsemble::vector_block_of(
    std::size_t first, std::size_t end, const float* columns, bool any_missing, float* acc) const {
  __m256 sum[Vectors];
  for (std::size_t k = 0; k < Vectors; ++k) sum[k] = _mm256_loadu_ps(acc + k * kLanes);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i exponent_mask = _mm256_set1_epi32(0xff);
  const __m256i bias = _mm256_set1_epi32(127);
  for (std::size_t t = first; t < end; ++t) {
    const VectorTree& tree = vector_trees_[t];
    __m256i alive[Vectors];
    for (auto& lane : alive) lane = _mm256_set1_epi32(-1);
    const VectorSplit* split = vector_splits_.data() + tree.first_split;
    for (std::uint32_t s = 0; s < tree.n_splits; ++s, ++split) {
      const float* column = columns + split->column * kBlockRows;
      const __m256 threshold = _mm256_set1_ps(split->threshold);
      const __m256i left = _mm256_set1_epi32(static_cast<int>(split->left_leaves));
      // Right is "not x < threshold": true for a NaN value (default right) and a NaN threshold,
      // as the walk's `x < value` is false for both; NaN values that go left are taken out below.
      if (any_missing && split->default_left != 0) {
        for (std::size_t k = 0; k < Vectors; ++k) {
          const __m256 x = _mm256_loadu_ps(column + k * kLanes);
          const __m256i right = _mm256_castps_si256(_mm256_cmp_ps(x, threshold, _CMP_NLT_UQ));
          const __m256i is_nan = _mm256_castps_si256(_mm256_cmp_ps(x, x, _CMP_UNORD_Q));
          alive[k] = _mm256_andnot_si256(_mm256_and_si256(_mm256_andnot_si256(is_nan, right), left),
                                         alive[k]);
        }
      } else {
        for (std::size_t k = 0; k < Vectors; ++k) {
          const __m256i right = _mm256_castps_si256(
              _mm256_cmp_ps(_mm256_loadu_ps(column + k * kLanes), threshold, _CMP_NLT_UQ));
          alive[k] = _mm256_andnot_si256(_mm256_and_si256(right, left), alive[k]);
        }
      }
    }
    // The lowest bit left, as an index: isolated (v & -v), converted to float, its exponent. Bit
    // 31 converts to -2^31, whose exponent field is 31 all the same.
    const float* leaves = vector_leaves_.data() + tree.first_leaf;
    for (std::size_t k = 0; k < Vectors; ++k) {
      const __m256i lowest = _mm256_and_si256(alive[k], _mm256_sub_epi32(zero, alive[k]));
      const __m256i bits = _mm256_castps_si256(_mm256_cvtepi32_ps(lowest));
      const __m256i leaf =
          _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), exponent_mask), bias);
      sum[k] = _mm256_add_ps(sum[k], _mm256_i32gather_ps(leaves, leaf, 4));
    }
  }
  for (std::size_t k = 0; k < Vectors; ++k) _mm256_storeu_ps(acc + k * kLanes, sum[k]);
}

void TreeEnsemble::vector_block(std::size_t first, std::size_t end, std::size_t rows,
                                const float* columns, bool any_missing, float* acc) const {
  static_assert(kBlockRows == 8 * kLanes, "a block is eight registers");
  switch ((rows + kLanes - 1) / kLanes) {
    case 1:
      return vector_block_of<1>(first, end, columns, any_missing, acc);
    case 2:
      return vector_block_of<2>(first, end, columns, any_missing, acc);
    case 3:
      return vector_block_of<3>(first, end, columns, any_missing, acc);
    case 4:
      return vector_block_of<4>(first, end, columns, any_missing, acc);
    case 5:
      return vector_block_of<5>(first, end, columns, any_missing, acc);
    case 6:
      return vector_block_of<6>(first, end, columns, any_missing, acc);
    case 7:
      return vector_block_of<7>(first, end, columns, any_missing, acc);
    default:
      return vector_block_of<8>(first, end, columns, any_missing, acc);
  }
}

#else

// Never called: vector_kernel_available() is false off x86-64.
void TreeEnsemble::vector_block(std::size_t, std::size_t, std::size_t, const float*, bool,
                                float*) const {}

#endif

}  // namespace loanrisk::models
