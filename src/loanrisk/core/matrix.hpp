#pragma once
// Row-major dense float matrix: the hand-off format between features and models (XGBoost takes
// float).
#include <cstddef>
#include <string>
#include <vector>

namespace loanrisk {

/// A dense row-major matrix of features with named columns.
struct DenseMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<float> values;       ///< rows * cols values, row after row.
  std::vector<std::string> names;  ///< one name per column.

  float at(std::size_t r, std::size_t c) const { return values[r * cols + c]; }
  float& at(std::size_t r, std::size_t c) { return values[r * cols + c]; }
  const float* row(std::size_t r) const { return values.data() + r * cols; }
};

}  // namespace loanrisk
