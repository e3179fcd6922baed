// Calibrators (Platt, isotonic) and class-imbalance treatments.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/calibrator.hpp"
#include "loanrisk/models/imbalance.hpp"
#include "model_test_data.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(Isotonic, PoolsViolatorsAndInterpolates) {
  // Sorted by PD the labels are 0 1 0 1: the middle pair pools to 0.5.
  const auto c = Calibrator::fit("isotonic", {0.1, 0.2, 0.3, 0.4}, {0, 1, 0, 1});
  EXPECT_EQ(c.method_name(), "isotonic");
  EXPECT_EQ(c.apply(0.05), Calibrator::kMinPd);  // clipped at 0 -> kMinPd
  EXPECT_EQ(c.apply(0.25), 0.5);
  EXPECT_DOUBLE_EQ(c.apply(0.35), 0.75);  // halfway between the block at 0.5 and the last at 1
  EXPECT_EQ(c.apply(0.9), 1 - Calibrator::kMinPd);
  const auto back = Calibrator::from_json(c.to_json());
  for (double p : {0.0, 0.15, 0.22, 0.31, 1.0}) EXPECT_EQ(back.apply(p), c.apply(p));
}

TEST(Platt, FixesOverconfidentScoresAndKeepsTheOrder) {
  const auto data = testing::logistic_problem(3000, 4, 5);
  std::vector<double> raw, y;
  for (std::size_t r = 0; r < data.X.rows; ++r) {
    const double logit = 3 * data.X.at(r, 0) - 2 * data.X.at(r, 1);
    raw.push_back(1 / (1 + std::exp(-3 * logit)));  // three times too confident
    y.push_back(data.y[r]);
  }
  const auto c = Calibrator::fit("platt", raw, y);
  const auto back = Calibrator::from_json(c.to_json());
  const nlohmann::json j = c.to_json();
  EXPECT_EQ(j["method"], "platt");
  EXPECT_GT(j["a"].get<double>(), 0.2);
  EXPECT_LT(j["a"].get<double>(), 0.6);
  std::vector<double> sorted = raw;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    EXPECT_LE(c.apply(sorted[i - 1]), c.apply(sorted[i]));
  }
  EXPECT_EQ(back.apply(raw), c.apply(raw));
}

TEST(CalibratorErrors, AreClear) {
  EXPECT_THROW_MSG(Calibrator::fit("beta", {0.5}, {1}), UsageError,
                   "unknown calibration 'beta'; valid calibrations: auto, none, platt, isotonic");
  EXPECT_THROW_MSG(Calibrator::fit("platt", {0.5, 0.4}, {1, 1}), InputError,
                   "calibration needs both classes in the validation split, which has 2 rows and "
                   "2 defaults; use more data or --calibration none");
  EXPECT_EQ(Calibrator::fit("auto", {0.2, 0.6}, {0, 1}).method_name(), "platt");
  EXPECT_EQ(Calibrator::fit("none", {}, {}).apply(0.3), 0.3);
  EXPECT_THROW_MSG(Calibrator::from_json(
                       nlohmann::json{{"method", "isotonic"}, {"x", {0.1, 0.2}}, {"y", {0.5}}}),
                   InputError, "isotonic knots need as many x as y values (2 and 1)");
}

TEST(Imbalance, ClassWeightIsNegativesOverPositives) {
  DenseMatrix X{5, 1, {1, 2, 3, 4, 5}, {"a"}};
  const auto out = rebalance("class_weight", X, {0, 0, 0, 1, 0}, 1);
  EXPECT_EQ(out.weights, (std::vector<float>{1, 1, 1, 4, 1}));
  EXPECT_TRUE(rebalance("none", X, {0, 0, 0, 1, 0}, 1).weights.empty());
  EXPECT_THROW_MSG(rebalance("oversample", X, {0, 0, 0, 1, 0}, 1), UsageError,
                   "unknown imbalance treatment 'oversample'; valid treatments: none, "
                   "class_weight, smote");
}

TEST(Imbalance, SmoteBalancesWithSyntheticMinorityRowsBetweenNeighbours) {
  const auto data = testing::logistic_problem(1000, 4, 9);
  std::vector<float> y = data.y;
  // Make defaults rare: keep one positive in five.
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 1 && i % 5 != 0) y[i] = 0;
  }
  const auto positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1.0f));
  const auto out = rebalance("smote", data.X, y, 3);
  const auto out_pos = static_cast<std::size_t>(std::count(out.y.begin(), out.y.end(), 1.0f));
  const std::size_t negatives = y.size() - positives;
  EXPECT_EQ(out_pos, std::max(positives, negatives / 2));
  EXPECT_EQ(out.y.size(), 2 * out_pos);  // majority undersampled to the minority's size
  EXPECT_EQ(out.X.rows, out.y.size());
  const auto again = rebalance("smote", data.X, y, 3);
  EXPECT_EQ(again.X.values, out.X.values);  // seeded
  DenseMatrix one{3, 1, {1, 2, 3}, {"a"}};
  EXPECT_THROW_MSG(rebalance("smote", one, {0, 0, 1}, 1), InputError,
                   "smote needs at least 2 rows of the minority class, the training split has 1");
}

}  // namespace
}  // namespace loanrisk
