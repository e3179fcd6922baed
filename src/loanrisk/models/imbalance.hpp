#pragma once
// Class-imbalance treatments of a training split (never of validation or test): none, class
// weights (negatives/positives on every default; the same gradient scaling as XGBoost's
// scale_pos_weight and a weighted loss for logistic regression), or SMOTE followed by random
// undersampling.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "loanrisk/core/matrix.hpp"

namespace loanrisk {

/// A training split after the treatment; weights is empty when every row weighs 1.
struct RebalancedData {
  DenseMatrix X;
  std::vector<float> y;
  std::vector<float> weights;
};

/// "none", "class_weight" or "smote"; UsageError listing them otherwise.
std::string check_imbalance(const std::string& name);

/// Applies the treatment. smote: k = 5 nearest minority neighbours (Euclidean on inputs scaled by
/// their training standard deviation), synthetic minority rows until the minority is half the
/// majority, then the majority randomly undersampled to the minority's size; seeded. InputError
/// when a class is missing, smote finds fewer than 2 minority rows, missing values, or more than
/// kSmoteMaxMinority minority rows (its neighbour search is exact and quadratic).
RebalancedData rebalance(const std::string& method, const DenseMatrix& X,
                         const std::vector<float>& y, std::uint64_t seed);

/// Largest minority class smote accepts.
inline constexpr std::size_t kSmoteMaxMinority = 50000;

}  // namespace loanrisk
