// The one quantile: numpy.quantile's default (linear) method.
#include "loanrisk/core/quantile.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace loanrisk {
namespace {

TEST(Quantile, MatchesNumpyLinear) {
  const std::vector<double> v = {1, 2, 3, 4};
  EXPECT_EQ(quantile_sorted(v, 0.0), 1.0);
  EXPECT_EQ(quantile_sorted(v, 0.25), 1.75);  // numpy.quantile([1, 2, 3, 4], 0.25)
  EXPECT_EQ(quantile_sorted(v, 0.5), 2.5);
  EXPECT_EQ(quantile_sorted(v, 0.75), 3.25);
  EXPECT_EQ(quantile_sorted(v, 1.0), 4.0);
  EXPECT_EQ(quantile_sorted({7}, 0.3), 7.0);
}

TEST(Quantile, EmptyIsNaN) {
  EXPECT_TRUE(std::isnan(quantile_sorted({}, 0.5)));
}

}  // namespace
}  // namespace loanrisk
