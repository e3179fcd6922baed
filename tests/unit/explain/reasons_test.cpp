#include "loanrisk/explain/reasons.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <random>

#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

// Training rows whose means are round: credit lines 2, loan 5,000, debt 20,000, income 50,000,
// years 5, FICO 650 (so the typical debt-to-income is 0.4 and loan-to-income 0.1).
Frame training() {
  Frame f;
  f.names = {"credit_lines_outstanding", "loan_amt_outstanding",
             "total_debt_outstanding",   "income",
             "years_employed",           "fico_score"};
  f.columns = {{1, 3, 2, 2},
               {4000, 6000, 5000, 5000},
               {10000, 30000, 20000, 20000},
               {40000, 60000, 50000, 50000},
               {4, 6, 5, 5},
               {600, 700, 640, 660}};
  return f;
}

Frame applicant(double lines, double loan, double debt, double income, double years, double fico) {
  Frame f = training().take({0});
  f.columns = {{lines}, {loan}, {debt}, {income}, {years}, {fico}};
  f.ids = {"a"};
  return f;
}

struct Scored {
  FeaturePipeline pipeline = FeaturePipeline::fit(training(), PipelineOptions::defaults());
  Frame frame;
  DenseMatrix X;
  std::vector<double> contributions;  // one per model input, then the base value

  explicit Scored(Frame f) : frame(std::move(f)), X(pipeline.transform(frame)) {
    contributions.assign(X.cols + 1, 0.0);
    contributions.back() = -2.0;
  }
  void set(const std::string& feature, double c) {
    const auto it = std::find(X.names.begin(), X.names.end(), feature);
    ASSERT_NE(it, X.names.end()) << feature;
    contributions[static_cast<std::size_t>(it - X.names.begin())] = c;
  }
  // Several contributions at once, set in the order given.
  void set(std::initializer_list<std::pair<std::string, double>> features) {
    for (const auto& [feature, c] : features) set(feature, c);
  }
  std::vector<Reason> raising(bool declined = false) const {
    return reason_codes(pipeline, frame, X, 0, contributions, 4, Direction::Raising, declined);
  }
  std::vector<Reason> lowering() const {
    return reason_codes(pipeline, frame, X, 0, contributions, 4, Direction::Lowering, false);
  }
};

// FICO 300 is capped by the pipeline (its fence is far above 300): the sentence quotes 300.
TEST(Reasons, QuoteTheApplicantsOwnInputNotTheCappedValue) {
  Scored s(applicant(2, 5000, 20000, 50000, 5, 300));
  ASSERT_GT(s.X.at(0, 5), 300.0f) << "the test needs FICO 300 to be capped";
  s.set("fico_score", 0.9);
  const auto r = s.raising();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].code, "R03_FICO_LOW");
  EXPECT_EQ(r[0].feature, "fico_score");
  EXPECT_EQ(r[0].value, 300);
  EXPECT_EQ(r[0].text, "FICO score is low (300)");
}

// The three FICO features are one factor, their contributions summed.
TEST(Reasons, DerivedFicoFeaturesAreOneFactor) {
  Scored s(applicant(2, 5000, 20000, 50000, 5, 580));
  s.set({{"fico_score", 0.25},
         {"fico_score_diff", 0.5},
         {"normalized_fico_score", 0.25},
         {"income", 0.75}});
  const auto r = s.raising();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].text, "FICO score is low (580)");
  EXPECT_DOUBLE_EQ(r[0].contribution, 1.0);
  EXPECT_EQ(r[1].feature, "income");
  EXPECT_EQ(r[1].text, "Income (50,000) raised the estimated risk");  // at the mean: no "low"
}

// "High" or "low" only when the input is on that side of the training mean, and only in the
// direction the factor moved the PD; otherwise the sentence says just what the factor did.
TEST(Reasons, WordingFollowsTheDirectionOfTheInput) {
  Scored high_income(applicant(2, 5000, 20000, 150000, 5, 650));
  high_income.set("income", 0.3);
  EXPECT_EQ(high_income.raising()[0].text, "Income (150,000) raised the estimated risk");
  EXPECT_EQ(high_income.raising()[0].code, "R90_MODEL_EFFECT");
  high_income.set("income", -0.3);
  EXPECT_TRUE(high_income.raising().empty());
  ASSERT_EQ(high_income.lowering().size(), 1u);
  EXPECT_EQ(high_income.lowering()[0].text, "Income is high (150,000)");
  EXPECT_EQ(high_income.lowering()[0].code, "L09_INCOME");

  Scored no_income(applicant(2, 5000, 20000, 0, 5, 650));
  no_income.set({{"income", 0.4}, {"debt_to_income_ratio", 1.2}, {"credit_to_income_ratio", 0.1}});
  const auto r = no_income.raising();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].text, "Total debt is high relative to income (total debt 20,000, income 0)");
  EXPECT_EQ(r[0].code, "R01_DEBT_TO_INCOME");
  EXPECT_EQ(r[0].value, 20000);  // divided by the income floor of 1, as the pipeline does
  EXPECT_EQ(r[1].text, "Income is low (0)");
  EXPECT_EQ(r[2].text, "Loan amount is high relative to income (loan amount 5,000, income 0)");

  Scored top_fico(applicant(1, 1000, 2000, 90000, 12, 850));
  top_fico.set({{"fico_score", 0.2}, {"years_employed", -0.5}});
  EXPECT_EQ(top_fico.raising()[0].text, "FICO score (850) raised the estimated risk");
  EXPECT_EQ(top_fico.lowering()[0].text, "Employment history is long (12)");
  top_fico.set("fico_score", -0.2);
  EXPECT_EQ(top_fico.lowering()[1].text, "FICO score is high (850)");
}

TEST(Reasons, ADeclineAlwaysHasAReason) {
  Scored s(applicant(2, 5000, 20000, 50000, 5, 650));
  s.set("income", -0.1);
  EXPECT_TRUE(s.raising(false).empty());
  const auto r = s.raising(true);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].code, "R00_BASELINE");
  EXPECT_EQ(r[0].text,
            "No single factor raised the estimated risk: the model's starting estimate for every "
            "applicant is above the approval threshold");
}

TEST(Reasons, NumbersAreGroupedAndFractionsKeepTwoDecimals) {
  Scored s(applicant(3, 1234567.5, 20000, 50000, 5, 650));
  s.set("loan_amt_outstanding", 0.5);
  EXPECT_EQ(s.raising()[0].text, "Loan amount outstanding is high (1,234,567.50)");
}

// The selection gives the order a stable sort by contribution (largest first) gives: ties in
// model input order, zero, negative and NaN contributions left out; written over a reused vector
// whose earlier reasons were more and longer, nothing of them is left.
TEST(Reasons, SelectionIsTheStableSortOrderAndReusesTheVector) {
  std::mt19937 rng(11);
  const std::vector<double> levels = {-1, 0, 0.25, 0.25, 0.5, 1, std::nan("")};
  Scored s(applicant(2, 5000, 20000, 50000, 5, 650));
  // Only the inputs that are their own factor (the FICO features would be summed).
  const std::vector<std::string> own = {
      "credit_lines_outstanding", "loan_amt_outstanding", "total_debt_outstanding", "income",
      "years_employed",           "debt_to_income_ratio", "credit_to_income_ratio"};
  std::vector<Reason> reused;
  for (int trial = 0; trial < 2000; ++trial) {
    std::fill(s.contributions.begin(), s.contributions.end() - 1, 0.0);
    std::vector<double> c(own.size());
    for (std::size_t k = 0; k < own.size(); ++k) {
      c[k] = levels[rng() % levels.size()];
      s.set(own[k], c[k]);
    }
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < own.size(); ++k) {
      if (c[k] > 0) order.push_back(k);
    }
    // Model input order of the factors, for ties.
    const auto position = [&](std::size_t k) {
      return std::find(s.X.names.begin(), s.X.names.end(), own[k]) - s.X.names.begin();
    };
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return position(a) < position(b); });
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return c[a] > c[b]; });
    const std::size_t limit = rng() % 6;
    if (order.size() > limit) order.resize(limit);
    reason_codes(s.pipeline, s.frame, s.X, 0, s.contributions, limit, Direction::Raising, false,
                 reused);
    ASSERT_EQ(reused.size(), order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      EXPECT_EQ(reused[k].feature, own[order[k]]);
      EXPECT_EQ(reused[k].contribution, c[order[k]]);
    }
  }
}

TEST(Reasons, SplitsRowsAndSumsToTheMargin) {
  DenseMatrix X;
  X.rows = 2;
  X.cols = 3;
  X.names = {"debt_to_income_ratio", "fico_score", "years_employed"};
  X.values = {0.52f, 580, 3, 0.1f, 790, 12};
  const auto rows = split_contributions(X, {0.5, 1.25, -0.25, -2.0, -0.5, -1.0, 0.5, -2.0});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].contributions, (std::vector<double>{0.5, 1.25, -0.25}));
  EXPECT_DOUBLE_EQ(rows[0].base_value, -2.0);
  EXPECT_DOUBLE_EQ(rows[0].margin, -0.5);
  EXPECT_DOUBLE_EQ(rows[1].margin, -3.0);
  EXPECT_EQ(rows[0].values[0], 0.52);  // the float as people read it
  EXPECT_THROW_MSG(split_contributions(X, {1, 2, 3}), InternalError,
                   "contributions have 3 values, expected 2 rows x 4");
}

TEST(Reasons, FactorsAndCodes) {
  EXPECT_EQ(reason_factor("normalized_fico_score"), "fico_score");
  EXPECT_EQ(reason_factor("fico_score_diff"), "fico_score");
  EXPECT_EQ(reason_factor("income"), "income");
  EXPECT_EQ(reason_code("debt_to_income_ratio"), "R01_DEBT_TO_INCOME");
  EXPECT_EQ(reason_code("mystery"), "R99_OTHER");
}

}  // namespace
}  // namespace loanrisk
