// The statistics building blocks on tiny inputs whose answers are known by hand or from
// numpy/scipy 1.10.1 (Debian's python3-scipy, printed with repr()).
#include <gtest/gtest.h>

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/eda/correlation.hpp"
#include "loanrisk/eda/describe.hpp"
#include "loanrisk/eda/normality.hpp"
#include "loanrisk/eda/quantiles.hpp"
#include "loanrisk/eda/reference.hpp"
#include "loanrisk/eda/special.hpp"
#include "loanrisk/eda/woe.hpp"
#include "support/test_support.hpp"

namespace loanrisk::eda {
namespace {

TEST(Quantiles, LinearInterpolationAsNumpy) {
  const std::vector<double> v{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.25), 1.75);  // np.quantile([1,2,3,4], .25)
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1.0), 4.0);
  EXPECT_TRUE(std::isnan(quantile_sorted({}, 0.5)));
}

TEST(Quantiles, EdgesDropRepeatsAndBinsAreRightClosed) {
  const std::vector<double> v{0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
  const auto edges = quantile_edges(v, 4);  // quantiles 0, 0, 0, 1.75, 4
  ASSERT_EQ(edges, (std::vector<double>{0, 1.75, 4}));
  EXPECT_EQ(bin_count(edges), 2u);
  EXPECT_EQ(bin_index(edges, -5), 0u);  // below the first edge: first bin
  EXPECT_EQ(bin_index(edges, 0), 0u);
  EXPECT_EQ(bin_index(edges, 1.75), 0u);  // (e0, e1] includes its upper edge
  EXPECT_EQ(bin_index(edges, 1.76), 1u);
  EXPECT_EQ(bin_index(edges, 99), 1u);  // above the last edge: last bin
  EXPECT_EQ(quantile_edges({7, 7, 7}, 10), std::vector<double>{7});
  EXPECT_EQ(bin_count({7}), 1u);
}

TEST(Describe, MatchesPandas) {
  // pd.Series([2, 4, 4, 4, 5, 5, 7, 9]).describe(), .skew(), .kurt()
  const std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};
  const ColumnSummary s = describe(v, sorted_finite(v));
  EXPECT_EQ(s.count, 8u);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.std, 2.138089935299395, 1e-15);
  testing::expect_doubles_eq({s.q1, s.median, s.q3}, {4.0, 4.5, 5.5});
  EXPECT_NEAR(s.skewness, 0.8184875533567997, 1e-14);
  EXPECT_NEAR(s.kurtosis, 0.9406249999999998, 1e-13);
  EXPECT_FALSE(s.constant);
}

TEST(Describe, ConstantShortAndMissing) {
  const std::vector<double> c{3, 3, 3, 3};
  const ColumnSummary s = describe(c, sorted_finite(c));
  EXPECT_TRUE(s.constant);
  EXPECT_EQ(s.skewness, 0.0);  // pandas returns 0 for a constant column
  EXPECT_EQ(s.kurtosis, 0.0);
  const std::vector<double> two{1, NAN, 2};
  const ColumnSummary t = describe(two, sorted_finite(two));
  EXPECT_EQ(t.count, 2u);
  EXPECT_EQ(t.missing, 1u);
  EXPECT_TRUE(std::isnan(t.skewness));
  EXPECT_TRUE(std::isnan(t.kurtosis));
}

TEST(Histogram, EqualWidthWithClosedLastBinByClass) {
  // np.histogram([0, 1, 2, 3, 4], bins=2) -> edges [0, 2, 4], counts [2, 3]
  const Histogram h = histogram({0, 1, 2, 3, 4}, {0, 1, 0, 0, 1}, 2);
  EXPECT_EQ(h.edges, (std::vector<double>{0, 2, 4}));
  EXPECT_EQ(h.all, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(h.negative, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(h.positive, (std::vector<std::size_t>{1, 1}));
  EXPECT_EQ(histogram({5, 5}, {0, 1}, 10).all, std::vector<std::size_t>{2});
}

TEST(Special, NormalFunctionsMatchScipy) {
  EXPECT_NEAR(normal_ppf(0.975), 1.959963984540054, 1e-15);  // scipy.stats.norm.ppf
  EXPECT_NEAR(normal_ppf(1e-10), -6.361340902404056, 1e-13);
  EXPECT_NEAR(normal_ppf(0.3), -0.5244005127080409, 1e-15);
  EXPECT_TRUE(std::isinf(normal_ppf(0.0)));
  EXPECT_TRUE(std::isnan(normal_ppf(1.5)));
  EXPECT_NEAR(alnorm_as66(2.5, true), 0.006209665325776132, 1e-11);   // norm.sf(2.5)
  EXPECT_NEAR(alnorm_as66(-1.0, false), 0.15865525393145707, 1e-11);  // norm.cdf(-1)
  EXPECT_NEAR(ppnd_as111(0.975f), 1.959964f, 2e-6f);
  EXPECT_DOUBLE_EQ(chi2_sf_two_dof(2.0), std::exp(-1.0));
  EXPECT_EQ(chi2_sf_two_dof(-1.0), 1.0);
}

TEST(Normality, SmallSamplesAgainstScipy) {
  const std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};
  // scipy.stats.normaltest(v), scipy.stats.shapiro(v)
  const TestResult k2 = dagostino_pearson(v);
  EXPECT_NEAR(k2.statistic, 1.8017203381476752, 1e-12);
  EXPECT_NEAR(k2.p_value, 0.406220091458396, 1e-12);
  const TestResult sw = shapiro_wilk(v);
  EXPECT_NEAR(sw.statistic, 0.9166339039802551, 1e-7);
  EXPECT_NEAR(sw.p_value, 0.4031500518321991, 1e-7);
  const TestResult three = shapiro_wilk({1, 2, 4});  // exact p for n = 3
  EXPECT_NEAR(three.statistic, 0.9642857313156128, 1e-7);
  EXPECT_NEAR(three.p_value, 0.6368856430053711, 1e-7);
  EXPECT_TRUE(std::isnan(dagostino_pearson({1, 2, 3}).statistic));  // under 8 values
  EXPECT_TRUE(std::isnan(shapiro_wilk({1, 1, 1, 1}).statistic));    // zero range
  EXPECT_TRUE(std::isnan(shapiro_wilk(std::vector<double>(5001, 1.0)).statistic));
}

TEST(Normality, SeededSampleIsDeterministic) {
  std::vector<double> v(10000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  const auto a = seeded_sample(v, 5000, 7), b = seeded_sample(v, 5000, 7);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 5000u);
  EXPECT_NE(a, seeded_sample(v, 5000, 8));
  EXPECT_EQ(seeded_sample({3, 1, 2}, 5000, 7), (std::vector<double>{3, 1, 2}));
}

TEST(Correlation, PearsonSpearmanAndRanks) {
  EXPECT_EQ(average_ranks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
  const std::vector<double> x{1, 2, 3, 4, 5}, y{1, 4, 9, 16, 100};
  EXPECT_NEAR(pearson(x, y), 0.7952035738296034, 1e-15);  // np.corrcoef
  const auto s = spearman_matrix({"x", "y"}, {&x, &y});
  EXPECT_DOUBLE_EQ(s.at(0, 1), 1.0);
  EXPECT_TRUE(std::isnan(pearson(x, {1, 1, 1, 1, 1})));
  const SingleColumnScore score = single_column_score({1, 2, 3, 4}, {1, 1, 0, 0});
  EXPECT_DOUBLE_EQ(score.auc, 0.0);
  EXPECT_DOUBLE_EQ(score.auc_best, 1.0);
  EXPECT_FALSE(score.higher_is_riskier);
}

TEST(Woe, MergesPureBinsAndSumsIv) {
  // Two quantile bins: {1,2,3} (goods 2, bads 1) and {4,5,6} (goods 1, bads 2).
  const std::vector<double> v{1, 2, 3, 4, 5, 6}, y{0, 0, 1, 0, 1, 1};
  const WoeResult w = woe_iv(v, v, y, 2);
  ASSERT_EQ(w.bins.size(), 2u);
  EXPECT_NEAR(w.bins[0].woe, std::log(2.0), 1e-15);
  EXPECT_NEAR(w.iv, 2.0 * (1.0 / 3.0) * std::log(2.0), 1e-15);
  // Four bins: the pure first bin {1,2} merges into the next; the pure last {6} into its left.
  const WoeResult m = woe_iv({1, 2, 3, 4, 5, 6}, {1, 2, 3, 4, 5, 6}, {0, 0, 1, 0, 1, 1}, 4);
  ASSERT_EQ(m.bins.size(), 2u);
  EXPECT_EQ(m.bins[0].goods + m.bins[0].bads + m.bins[1].goods + m.bins[1].bads, 6u);
  for (const auto& b : m.bins) EXPECT_TRUE(b.goods > 0 && b.bads > 0);
  EXPECT_THROW_MSG(woe_iv({1, 2}, {1, 2}, {0, 0}, 2), InputError,
                   "found 2 rows with 0 and 0 with 1");
  EXPECT_EQ(iv_band(0.01), "useless");
  EXPECT_EQ(iv_band(0.02), "weak");
  EXPECT_EQ(iv_band(0.1), "medium");
  EXPECT_EQ(iv_band(0.3), "strong");
}

TEST(Reference, SharesPerQuantileBin) {
  const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const ReferenceDistribution r = reference_distribution("x", v, v, 5);
  EXPECT_EQ(r.edges.size(), 6u);
  EXPECT_DOUBLE_EQ(r.edges[1], 2.8);
  EXPECT_EQ(r.shares, (std::vector<double>{0.2, 0.2, 0.2, 0.2, 0.2}));
  EXPECT_EQ(r.count, 10u);
}

}  // namespace
}  // namespace loanrisk::eda
