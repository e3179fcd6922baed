#pragma once
// Private to the models layer: a gbtree binary:logistic model read from XGBoost's JSON model and
// evaluated natively, because XGBoost's C API costs ~20 us per single-row prediction and ~440 us
// per single-row SHAP call, which would cap the serving API. Results follow XGBoost 1.7's
// arithmetic (float32 sums in tree order, x < split goes left, NaN follows default_left), so they
// agree with its C API to float rounding.
#include <cstddef>
#include <cstdint>
#include <memory>
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
  /// Rows per block of the batch evaluation (XGBoost's CPU predictor uses the same size).
  static constexpr std::size_t kBlockRows = 64;
  /// How batch_margins evaluates a tree: `best` takes the bitvector kernel (tree_quickscorer.cpp)
  /// for every tree of at most kVectorLeaves leaves when the CPU has AVX2, and walks the others;
  /// `walk` walks every tree (the portable kernel, and the reference the other is tested on).
  enum class BatchKernel { best, walk };
  /// Leaves a tree may have for the bitvector kernel (one bit per leaf in a 32-bit lane).
  static constexpr std::size_t kVectorLeaves = 32;
  /// True when this CPU runs the bitvector kernel (x86-64 with AVX2).
  static bool vector_kernel_available();
  /// Trees of at most kVectorLeaves leaves (the ones the bitvector kernel evaluates).
  std::size_t vector_trees() const;
  /// margins() for batches of any size (tree_batch.cpp): rows in blocks of kBlockRows, each block
  /// evaluated tree by tree (by `kernel`), blocks spread over `threads` OpenMP threads (1: the
  /// calling thread only). The same float sums in tree order as margins() and XGBoost, so the same
  /// values bit for bit, whichever the kernel.
  void batch_margins(const float* X, std::size_t rows, float* out, int threads,
                     BatchKernel kernel = BatchKernel::best) const;
  /// probabilities() by batch_margins(): the same values bit for bit.
  void batch_probabilities(const float* X, std::size_t rows, float* out, int threads) const;
  /// Exact TreeSHAP into out[rows x (num_features + 1)]: one value per feature, then the bias; a
  /// row's values sum to its margin. Trees whose leaf tables fit (see ShapTables) are evaluated
  /// from them, the others by the recursive algorithm; both give the same values.
  void contributions(const float* X, std::size_t rows, float* out) const;
  /// probabilities() and contributions() of the same rows from one pass over the trees: the same
  /// values as the two calls, bit for bit.
  void explain(const float* X, std::size_t rows, float* probabilities, float* out) const;
  /// The same by the recursive algorithm for every tree (the reference the tables are tested
  /// against).
  void recursive_contributions(const float* X, std::size_t rows, float* out) const;
  /// Trees evaluated from leaf tables (building them on first use).
  std::size_t tabled_trees() const;
  /// Of those, trees with their threshold grid tabulated (one lookup per row without NaN).
  std::size_t gridded_trees() const;

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

  /// Fast TreeSHAP's leaf tables (Yang 2021, "Fast TreeSHAP", algorithm v2). A leaf's
  /// contribution to each distinct feature on its path depends on the row only through which of
  /// those features' path conditions the row meets (a bit mask), so it is precomputed for every
  /// mask: a row then costs O(leaves x depth) per tree instead of O(leaves x depth^2). On top, a
  /// tree's whole SHAP vector depends on the row only through the cell of the grid its split
  /// thresholds draw, so small grids are tabulated too: one lookup per tree. Built on the first
  /// contributions() call (training and tuning never pay for it), within a memory budget.
  struct ShapTables;
  struct LazyShapTables;
  const ShapTables& shap_tables() const;
  static std::shared_ptr<LazyShapTables> new_shap_tables();
  void build_shap_tables(ShapTables& out) const;
  void build_shap_cells(ShapTables& out) const;
  void build_shap_steps(ShapTables& out) const;
  /// contributions(), and the margins too when margins is not null.
  void contributions_and_margins(const float* X, std::size_t rows, float* out,
                                 float* margins) const;
  /// The tables once built, else nullptr (never builds them).
  const ShapTables* built_shap_tables() const;
  /// Per feature, the row's block of grid steps (see ShapTables::steps); false when the row has
  /// a missing (NaN) value.
  bool locate_row(const ShapTables& tables, const float* row,
                  const std::uint16_t** row_steps) const;
  /// The row's cell values of tree t's grid (leaf value, then one per used feature, in the order
  /// of the grid's axes), or nullptr when the tree has no grid or the row misses one of its
  /// features (checked only when the row is not complete). Defined inline in
  /// tree_shap_layout.hpp: it runs for every tree of every explained row.
  static const float* grid_cell(const ShapTables& tables, std::size_t t, const float* row,
                                const std::uint16_t* const* row_steps, bool complete);
  /// One tabled tree's values for a row, added into sum[feature] (double, zero on entry).
  void add_leaf_tables(const ShapTables& tables, std::size_t tree, const float* row,
                       std::uint8_t* goes_left, double* sum) const;
  void tree_contributions(std::size_t tree, const float* row, float* tree_phi,
                          PathElement* paths) const;

  float tree_value(std::size_t tree, const float* row) const;
  /// Fills batch_nodes_, tree_depth_ and the bitvector layout from nodes_ (once, after the last
  /// tree is added).
  void build_batch_layout();
  /// One block of at most kBlockRows rows through every tree (tree_batch.cpp).
  void block_margins(const float* X, std::size_t rows, float* out, bool vector) const;
  /// Tree t walked level by level over a block (adds its leaf to out[rows]).
  void walk_tree(std::size_t t, const float* X, std::size_t rows, float* out) const;
  /// Trees [first, end), each with vector_trees_[t].on, by the bitvector kernel over the first
  /// `rows` rows of one block held by column (kBlockRows floats per feature of
  /// vector_columns_, rows past `rows` zero), adding each row's leaf values in tree order into
  /// acc[kBlockRows]. `any_missing`: the block has a NaN (only then do splits whose missing
  /// values go left test for them). Built for AVX2 (tree_quickscorer.cpp); call only when
  /// vector_kernel_available().
  void vector_block(std::size_t first, std::size_t end, std::size_t rows, const float* columns,
                    bool any_missing, float* acc) const;
  /// vector_block() over the first `Vectors` registers of eight rows (a small batch pays for its
  /// own rows only).
  template <std::size_t Vectors>
  void vector_block_of(std::size_t first, std::size_t end, const float* columns, bool any_missing,
                       float* acc) const;
  /// The bitvector layout of every tree of at most kVectorLeaves leaves (tree_quickscorer.cpp).
  void build_vector_layout();
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
  /// The batch layout: nodes_ with every leaf pointing at itself (both children, feature 0), so a
  /// block walks each tree a fixed number of levels with no test for leaves and no branch.
  std::vector<Node> batch_nodes_;
  std::vector<std::uint16_t> tree_depth_;  ///< deepest leaf of each tree (root = 0)
  /// The bitvector layout (QuickScorer, Lucchese et al. 2015): per tree of at most kVectorLeaves
  /// leaves, its splits (feature, threshold, the bits of the leaves left of them) and its leaf
  /// values left to right. A row starts with every leaf bit set; each split the row goes right at
  /// clears its left subtree's bits, and the lowest bit left is the row's leaf.
  struct VectorSplit {
    std::uint32_t column;        ///< into vector_columns_ (the block's column)
    float threshold;             ///< x < threshold goes left
    std::uint32_t left_leaves;   ///< bits of the leaves of the left subtree
    std::uint32_t default_left;  ///< all ones when NaN goes left, else 0
  };
  struct VectorTree {
    bool on = false;  ///< at most kVectorLeaves leaves
    std::uint32_t first_split = 0, n_splits = 0, first_leaf = 0;
  };
  std::vector<VectorTree> vector_trees_;
  std::vector<VectorSplit> vector_splits_;
  std::vector<float> vector_leaves_;
  std::vector<std::uint32_t> vector_columns_;    ///< the features the vector trees split on
  std::shared_ptr<LazyShapTables> shap_tables_;  ///< shared by copies: immutable once built

  friend class TreeEnsembleBuilder;
};

}  // namespace loanrisk::models
