// PSI, KS and Wasserstein pinned on cases computed by hand, and the status bands.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "loanrisk/monitor/compare.hpp"
#include "loanrisk/monitor/drift.hpp"
#include "loanrisk/monitor/reference.hpp"

namespace loanrisk::monitor {
namespace {

TEST(Psi, MatchesTheHandComputedSum) {
  // (0.3 - 0.5) ln(0.3 / 0.5) + (0.7 - 0.5) ln(0.7 / 0.5)
  EXPECT_NEAR(psi({0.5, 0.5}, {30, 70}), 0.16945957207744072, 1e-12);
  EXPECT_NEAR(psi({0.25, 0.25, 0.5}, {25, 25, 50}), 0.0, 1e-15);
}

TEST(Psi, ReplacesAnEmptyBinByTheDocumentedShare) {
  // live = {1, 0}: the empty bin counts as 1e-4.
  EXPECT_NEAR(psi({0.5, 0.5}, {100, 0}), 0.5 * std::log(2.0) + (1e-4 - 0.5) * std::log(1e-4 / 0.5),
              1e-12);
  EXPECT_NEAR(psi({0.5, 0.5}, {100, 0}), 4.60431846666895, 1e-12);
}

TEST(Psi, IsUndefinedWithoutLiveRowsOrWithMismatchedBins) {
  EXPECT_TRUE(std::isnan(psi({0.5, 0.5}, {0, 0})));
  EXPECT_TRUE(std::isnan(psi({0.5, 0.5}, {1, 2, 3})));
}

TEST(Psi, CountsMissingValuesAsABin) {
  // Training 1..1000 (deciles of 100 values, none missing); live: 70 values per decile and 300
  // rows without a value.
  std::vector<double> training, live;
  for (int i = 1; i <= 1000; ++i) {
    training.push_back(i);
    live.push_back(i % 10 < 7 ? i : std::numeric_limits<double>::quiet_NaN());
  }
  const FeatureReference ref = feature_reference("x", training);
  EXPECT_EQ(ref.missing_share, 0.0);
  const FeatureDrift d = compare_feature(ref, live);
  const double expected =
      10 * (0.07 - 0.1) * std::log(0.07 / 0.1) + (0.3 - kEmptyShare) * std::log(0.3 / kEmptyShare);
  EXPECT_NEAR(d.psi, expected, 1e-9);
  EXPECT_EQ(d.status, Status::Red);
  EXPECT_EQ(d.count, 700u);
  EXPECT_EQ(d.missing, 300u);
  // The same missing rate on both sides is no drift; without missing values it is psi().
  const FeatureReference with_missing = feature_reference("x", live);
  EXPECT_DOUBLE_EQ(with_missing.missing_share, 0.3);
  EXPECT_NEAR(compare_feature(with_missing, live).psi, 0.0, 1e-12);
  EXPECT_EQ(psi_with_missing({0.5, 0.5}, 0.0, {30, 70}, 0), psi({0.5, 0.5}, {30, 70}));
  EXPECT_TRUE(std::isnan(psi_with_missing({0.5, 0.5}, 0.0, {0, 0}, 0)));
}

TEST(KsTwoSample, IsTheLargestGapBetweenEmpiricalCdfs) {
  // At x = 2: F_a = 0.5, F_b = 0; at 3: 0.75 vs 0.25; at 4: 1 vs 0.5.
  EXPECT_DOUBLE_EQ(ks_two_sample({1, 2, 3, 4}, {3, 4, 5, 6}), 0.5);
  EXPECT_DOUBLE_EQ(ks_two_sample({1, 2, 3}, {1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(ks_two_sample({1, 2}, {5, 6, 7}), 1.0);
}

TEST(KsTwoSample, CountsTiesOnBothSidesBeforeComparing) {
  // scipy.stats.ks_2samp([1, 1, 2], [1, 2, 2]).statistic == 1/3.
  EXPECT_NEAR(ks_two_sample({1, 1, 2}, {1, 2, 2}), 1.0 / 3.0, 1e-15);
  EXPECT_TRUE(std::isnan(ks_two_sample({}, {1})));
}

TEST(Wasserstein, IsTheAreaBetweenQuantileFunctions) {
  EXPECT_DOUBLE_EQ(wasserstein_quantiles({0, 1}, {1, 2}), 1.0);
  // |Q_a - Q_b| = 0, 1, 2 at p = 0, 0.5, 1: trapezoids (0 + 1) / 2 and (1 + 2) / 2, halves.
  EXPECT_DOUBLE_EQ(wasserstein_quantiles({0, 0, 0}, {0, 1, 2}), 1.0);
  EXPECT_EQ(quantile_grid({0, 10}, 3), (std::vector<double>{0, 5, 10}));
}

TEST(Status, UsesTheBankingBands) {
  EXPECT_EQ(status_of(0.0), Status::Green);
  EXPECT_EQ(status_of(0.0999), Status::Green);
  EXPECT_EQ(status_of(0.1), Status::Amber);
  EXPECT_EQ(status_of(0.25), Status::Amber);
  EXPECT_EQ(status_of(0.2501), Status::Red);
  EXPECT_EQ(status_of(std::nan("")), Status::Insufficient);
  EXPECT_EQ(status_name(Status::Amber), "amber");
  EXPECT_EQ(worse(Status::Insufficient, Status::Green), Status::Green);
  EXPECT_EQ(worse(Status::Red, Status::Amber), Status::Red);
}

}  // namespace
}  // namespace loanrisk::monitor
