// The composite objective: the weighted sum of validation metrics, checked by hand.
#include <gtest/gtest.h>

#include "loanrisk/tuning/objective.hpp"

namespace loanrisk::testing {
namespace {

TEST(CompositeObjective, WeighsAucPrAucF1RecallAndPrecision) {
  // Scores rank 3 of 4 positive/negative pairs right: AUC 0.75. At 0.5: tp 1, fp 1, fn 1, tn 1
  // so precision = recall = F1 = 0.5. Average precision: recall reaches 0.5 at 0.9 (P 1) and 1
  // at 0.4 (P 2/3): 0.5 * 1 + 0.5 * 2/3 = 5/6.
  const std::vector<double> y{1, 0, 1, 0};
  const std::vector<double> p{0.9, 0.6, 0.4, 0.1};
  const double expected = 0.4 * 0.75 + 0.3 * (5.0 / 6) + 0.2 * 0.5 + 0.05 * 0.5 + 0.05 * 0.5;
  EXPECT_DOUBLE_EQ(composite_score(y, p, 0.5, ObjectiveWeights{}), expected);
  ObjectiveWeights auc_only{1, 0, 0, 0, 0};
  EXPECT_DOUBLE_EQ(composite_score(y, p, 0.5, auc_only), 0.75);
}

}  // namespace
}  // namespace loanrisk::testing
