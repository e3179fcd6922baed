#include "loanrisk/explain/reasons.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

DenseMatrix two_rows() {
  DenseMatrix X;
  X.rows = 2;
  X.cols = 3;
  X.names = {"debt_to_income_ratio", "fico_score", "years_employed"};
  X.values = {0.52f, 580, 3, 0.1f, 790, 12};
  return X;
}

TEST(Reasons, SplitsRowsAndSumsToTheMargin) {
  const auto e = split_contributions(two_rows(), {0.5, 1.25, -0.25, -2.0, -0.5, -1.0, 0.5, -2.0});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].contributions, (std::vector<double>{0.5, 1.25, -0.25}));
  EXPECT_DOUBLE_EQ(e[0].base_value, -2.0);
  EXPECT_DOUBLE_EQ(e[0].margin, -0.5);
  EXPECT_DOUBLE_EQ(e[1].margin, -3.0);
  EXPECT_EQ(e[0].values[0], 0.52);  // the float as people read it
}

TEST(Reasons, TopPositiveFactorsLargestFirstWithSentences) {
  const auto e = split_contributions(two_rows(), {0.5, 1.25, -0.25, -2.0, -0.5, -1.0, 0.5, -2.0});
  const auto r = reason_codes(e[0], 4);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].code, "R03_FICO_LOW");
  EXPECT_EQ(r[0].text, "FICO score is low (580)");
  EXPECT_EQ(r[1].code, "R01_DEBT_TO_INCOME");
  EXPECT_EQ(r[1].text, "Total debt is high relative to income (0.52)");
  EXPECT_EQ(reason_codes(e[0], 1).size(), 1u);
  const auto r1 = reason_codes(e[1], 4);
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_EQ(r1[0].text, "Employment history is short in years (12)");
}

// The predict route's shortcut (no Explanation per row) gives the same reasons, row by row.
TEST(Reasons, FromTheMatrixRowEqualsFromTheExplanation) {
  const std::vector<double> contributions = {0.5, 1.25, -0.25, -2.0, -0.5, -1.0, 0.5, -2.0};
  const DenseMatrix X = two_rows();
  const auto explained = split_contributions(X, contributions);
  for (std::size_t row = 0; row < 2; ++row) {
    for (std::size_t limit : {1, 4}) {
      const auto a = reason_codes(X, row, contributions, limit);
      const auto b = reason_codes(explained[row], limit);
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].code, b[k].code);
        EXPECT_EQ(a[k].feature, b[k].feature);
        EXPECT_EQ(a[k].value, b[k].value);
        EXPECT_EQ(a[k].contribution, b[k].contribution);
        EXPECT_EQ(a[k].text, b[k].text);
      }
    }
  }
  EXPECT_THROW_MSG(reason_codes(X, 2, contributions), InternalError, "for row 2");
}

// The selection gives the order a stable sort by contribution (largest first) gives: ties in
// feature order, zero, negative and NaN contributions left out; written over a reused vector whose
// earlier reasons were more and longer, nothing of them is left.
TEST(Reasons, SelectionIsTheStableSortOrderAndReusesTheVector) {
  std::mt19937 rng(11);
  const std::vector<double> levels = {-1, 0, 0.25, 0.25, 0.5, 1, std::nan("")};
  DenseMatrix X;
  X.rows = 1;
  X.cols = 9;
  X.names = {"debt_to_income_ratio",
             "credit_to_income_ratio",
             "fico_score",
             "fico_score_diff",
             "normalized_fico_score",
             "income",
             "years_employed",
             "a_very_long_unknown_feature_name",
             "x"};
  X.values.assign(9, 1.5f);
  std::vector<Reason> reused;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<double> contributions(10);
    for (double& c : contributions) c = levels[rng() % levels.size()];
    std::vector<std::size_t> order;
    for (std::size_t j = 0; j < 9; ++j) {
      if (contributions[j] > 0) order.push_back(j);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return contributions[a] > contributions[b];
    });
    const std::size_t limit = rng() % 6;
    if (order.size() > limit) order.resize(limit);
    reason_codes(X, 0, contributions, limit, reused);
    ASSERT_EQ(reused.size(), order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      EXPECT_EQ(reused[k].feature, X.names[order[k]]);
      EXPECT_EQ(reused[k].contribution, contributions[order[k]]);
      EXPECT_EQ(reused[k].code, reason_code(X.names[order[k]]));
      EXPECT_EQ(reused[k].text, reason_text(X.names[order[k]], 1.5));
    }
  }
}

TEST(Reasons, UnknownFeatureGetsGenericCode) {
  EXPECT_EQ(reason_code("mystery"), "R99_OTHER");
  EXPECT_EQ(reason_text("mystery", 1.5), "Value of mystery raises the risk (1.50)");
}

// The sentence's number is printf's %.*f (decimals from the catalogue), written without printf.
TEST(Reasons, SentenceValuesPrintAsPrintfDoes) {
  const std::vector<double> values = {0.525, 0.125,     0.135, 2.5,   3.5,   -0.004,  0,
                                      579.5, 580.49999, 1e20,  1e300, -7.25, 1.0 / 3, 12345.675};
  for (const char* feature : {"debt_to_income_ratio", "fico_score", "unknown_input"}) {
    const int decimals = std::string(feature) == "fico_score" ? 0 : 2;
    for (double v : values) {
      char want[400];
      std::snprintf(want, sizeof want, "%.*f", decimals, v);
      const std::string text = reason_text(feature, v);
      const auto open = text.rfind(" (");
      ASSERT_NE(open, std::string::npos) << text;
      EXPECT_EQ(text.substr(open + 2, text.size() - open - 3), want) << feature << " " << v;
      EXPECT_EQ(text.back(), ')');
    }
  }
  EXPECT_EQ(reason_text("debt_to_income_ratio", 0.52),
            "Total debt is high relative to income (0.52)");
  EXPECT_EQ(reason_text("unknown_input", 2), "Value of unknown_input raises the risk (2.00)");
}

TEST(Reasons, SizeMismatchIsAnInternalError) {
  EXPECT_THROW_MSG(split_contributions(two_rows(), {1, 2, 3}), InternalError,
                   "contributions have 3 values, expected 2 rows x 4");
}

}  // namespace
}  // namespace loanrisk
