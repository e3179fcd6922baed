#include "loanrisk/features/pipeline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

// Eight loans built by hand. Row 7 has a loan of 50000 (above its IQR fence) and an income of 0.
Frame eight_loans() {
  Frame f;
  f.ids = {"a", "b", "c", "d", "e", "f", "g", "h"};
  f.set_column("credit_lines_outstanding", {0, 1, 2, 3, 4, 5, 1, 0});
  f.set_column("loan_amt_outstanding", {1000, 2000, 3000, 4000, 5000, 6000, 7000, 50000});
  f.set_column("total_debt_outstanding", {5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000});
  f.set_column("income", {30000, 40000, 50000, 60000, 70000, 80000, 90000, 0});
  f.set_column("years_employed", {1, 2, 3, 4, 5, 6, 7, 8});
  f.set_column("fico_score", {500, 600, 650, 700, 720, 750, 800, 850});
  return f;
}

std::size_t col(const DenseMatrix& m, const std::string& name) {
  for (std::size_t j = 0; j < m.names.size(); ++j) {
    if (m.names[j] == name) return j;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

const std::string kAllFeatures =
    "credit_lines_outstanding, loan_amt_outstanding, total_debt_outstanding, income, "
    "years_employed, fico_score, debt_to_income_ratio, credit_to_income_ratio, fico_score_diff, "
    "normalized_fico_score";

TEST(PipelineOptions, DefaultsAreTheTenFeaturesAndFourCapRules) {
  const PipelineOptions o = PipelineOptions::defaults();
  std::string joined;
  for (const auto& f : o.features) joined += (joined.empty() ? "" : ", ") + f;
  EXPECT_EQ(joined, kAllFeatures);
  ASSERT_EQ(o.outliers.size(), 4u);
  EXPECT_DOUBLE_EQ(o.outliers.at("loan_amt_outstanding").iqr_factor, 2.80);
  EXPECT_DOUBLE_EQ(o.outliers.at("total_debt_outstanding").iqr_factor, 3.90);
  EXPECT_DOUBLE_EQ(o.outliers.at("income").iqr_factor, 1.90);
  EXPECT_DOUBLE_EQ(o.outliers.at("fico_score").iqr_factor, 2.00);
  for (const auto& [column, rule] : o.outliers) EXPECT_EQ(rule.action, OutlierAction::Cap);
  EXPECT_DOUBLE_EQ(o.z_threshold, 3.0);
  EXPECT_DOUBLE_EQ(o.income_floor, 1.0);
  EXPECT_EQ(raw_feature_names().size(), 6u);
  EXPECT_EQ(derived_feature_names().size(), 4u);
}

TEST(PipelineOptions, OutlierActionNames) {
  EXPECT_EQ(parse_outlier_action("none"), OutlierAction::None);
  EXPECT_EQ(parse_outlier_action("cap"), OutlierAction::Cap);
  EXPECT_EQ(parse_outlier_action("drop"), OutlierAction::Drop);
  EXPECT_EQ(to_string(OutlierAction::Drop), "drop");
  EXPECT_EQ(to_string(OutlierAction::Cap), "cap");
  EXPECT_EQ(to_string(OutlierAction::None), "none");
  EXPECT_THROW_MSG(parse_outlier_action("Cap"), UsageError,
                   "unknown outlier action 'Cap'; valid actions: none, cap, drop");
}

TEST(PipelineOptions, BadOptionsAreUsageErrorsNamingTheValidChoices) {
  const Frame train = eight_loans();
  PipelineOptions o = PipelineOptions::defaults();
  o.features = {"income", "customer_id"};
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError,
                   "unknown feature 'customer_id'; valid features: " + kAllFeatures);
  o.features = {};
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError,
                   "features: the list is empty; choose from: " + kAllFeatures);
  o.features = {"income", "fico_score", "income"};
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError, "feature 'income' is listed twice");

  o = PipelineOptions::defaults();
  o.outliers["age"] = {1.5, OutlierAction::Cap};
  EXPECT_THROW_MSG(
      FeaturePipeline::fit(train, o), UsageError,
      "outlier rule for unknown column 'age'; valid columns: credit_lines_outstanding, "
      "loan_amt_outstanding, total_debt_outstanding, income, years_employed, "
      "fico_score");
  o = PipelineOptions::defaults();
  o.outliers["income"].iqr_factor = 0;
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError,
                   "outlier rule for 'income': iqr_factor must be > 0, got 0");
  o = PipelineOptions::defaults();
  o.z_threshold = -1;
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError, "z_threshold must be > 0, got -1");
  o.z_threshold = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError, "z_threshold must be > 0, got nan");
  o = PipelineOptions::defaults();
  o.income_floor = 0;
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError, "income_floor must be > 0, got 0");
}

TEST(PipelineFit, BadTrainingDataIsInputError) {
  Frame train = eight_loans();
  EXPECT_THROW_MSG(FeaturePipeline::fit(Frame{}, PipelineOptions::defaults()), InputError,
                   "the training frame has no rows");
  Frame no_income = train;
  no_income.names.erase(no_income.names.begin() + no_income.index_of("income"));
  no_income.columns.erase(no_income.columns.begin() + 3);
  EXPECT_THROW_MSG(FeaturePipeline::fit(no_income, PipelineOptions::defaults()), InputError,
                   "the training data has no column 'income', which the feature pipeline needs");
  train.column("years_employed")[2] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, PipelineOptions::defaults()), InputError,
                   "training column 'years_employed' has the non-finite value nan at row 2");
}

TEST(PipelineFit, FencesMatchNumpyOnHandMadeColumns) {
  // numpy 1.24: np.percentile(v, [25, 75]) (linear), v.mean(), v.std() (ddof=0), z = 3.
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), PipelineOptions::defaults());
  ASSERT_EQ(p.fits().size(), 6u);
  // loan_amt, k = 2.8: IQR fences [2750 - 2.8*3500, 6250 + 2.8*3500] are tighter than z's.
  const ColumnFit& loan = p.fits().at("loan_amt_outstanding");
  EXPECT_DOUBLE_EQ(loan.q1, 2750.0);
  EXPECT_DOUBLE_EQ(loan.q3, 6250.0);
  EXPECT_DOUBLE_EQ(loan.mean, 9750.0);
  EXPECT_DOUBLE_EQ(loan.std, 15327.671055969331);
  EXPECT_DOUBLE_EQ(loan.lower, -7050.0);
  EXPECT_DOUBLE_EQ(loan.upper, 16050.0);
  EXPECT_EQ(loan.rule.action, OutlierAction::Cap);
  // total_debt, k = 3.9: both z fences (8500 -/+ 3 * 2291.28784747792) are the tighter ones.
  const ColumnFit& debt = p.fits().at("total_debt_outstanding");
  EXPECT_DOUBLE_EQ(debt.q1, 6750.0);
  EXPECT_DOUBLE_EQ(debt.q3, 10250.0);
  EXPECT_DOUBLE_EQ(debt.std, 2291.28784747792);
  EXPECT_DOUBLE_EQ(debt.lower, 1626.13645756624);
  EXPECT_DOUBLE_EQ(debt.upper, 15373.863542433759);
  // years_employed has no rule: k = 1.5 and action none; lower from z, upper from z.
  const ColumnFit& years = p.fits().at("years_employed");
  EXPECT_DOUBLE_EQ(years.q1, 2.75);
  EXPECT_DOUBLE_EQ(years.q3, 6.25);
  EXPECT_DOUBLE_EQ(years.lower, -2.37386354243376);
  EXPECT_DOUBLE_EQ(years.upper, 11.37386354243376);
  EXPECT_EQ(years.rule.action, OutlierAction::None);
  EXPECT_DOUBLE_EQ(years.rule.iqr_factor, 1.5);
  const ColumnFit& income = p.fits().at("income");
  EXPECT_DOUBLE_EQ(income.lower, -29000.0);
  EXPECT_DOUBLE_EQ(income.upper, 134315.34085976786);
  const ColumnFit& fico = p.fits().at("fico_score");
  EXPECT_DOUBLE_EQ(fico.q1, 637.5);
  EXPECT_DOUBLE_EQ(fico.q3, 762.5);
  EXPECT_DOUBLE_EQ(fico.lower, 387.5);
  EXPECT_DOUBLE_EQ(fico.upper, 1010.5125295831497);
  EXPECT_DOUBLE_EQ(p.fico_min(), 500.0);
  EXPECT_DOUBLE_EQ(p.fico_max(), 850.0);
}

TEST(PipelineFit, EmptyFencesAreReported) {
  Frame train = eight_loans();
  // One low outlier below seven equal values: IQR fences [100, 100], but mean + 0.1*std < 100.
  train.column("years_employed") = {-1000, 100, 100, 100, 100, 100, 100, 100};
  PipelineOptions o = PipelineOptions::defaults();
  o.z_threshold = 0.1;
  EXPECT_THROW_MSG(FeaturePipeline::fit(train, o), UsageError,
                   "the fences of column 'years_employed' are empty (lower 100 > upper");
}

TEST(PipelineTransform, CapHappensBeforeRatiosAndZeroIncomeStaysFinite) {
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), PipelineOptions::defaults());
  const DenseMatrix m = p.transform(eight_loans());
  ASSERT_EQ(m.rows, 8u);
  ASSERT_EQ(m.cols, 10u);
  EXPECT_EQ(m.values.size(), 80u);
  EXPECT_EQ(m.names, PipelineOptions::defaults().features);
  // Row 7: loan 50000 capped to 16050; income 0 -> the floor 1 in both ratios.
  EXPECT_EQ(m.at(7, col(m, "loan_amt_outstanding")), 16050.0f);
  EXPECT_EQ(m.at(7, col(m, "credit_to_income_ratio")), 16050.0f);
  EXPECT_EQ(m.at(7, col(m, "debt_to_income_ratio")), 12000.0f);
  EXPECT_EQ(m.at(7, col(m, "income")), 0.0f);
  for (float v : m.values) EXPECT_TRUE(std::isfinite(v));
  // Row 0: 5000 / 30000 and 1000 / 30000, computed in double then cast once.
  EXPECT_EQ(m.at(0, col(m, "debt_to_income_ratio")), static_cast<float>(5000.0 / 30000.0));
  EXPECT_EQ(m.at(0, col(m, "credit_to_income_ratio")), static_cast<float>(1000.0 / 30000.0));
  EXPECT_EQ(m.at(0, col(m, "fico_score_diff")), -200.0f);
  EXPECT_EQ(m.at(0, col(m, "normalized_fico_score")), 0.0f);
  EXPECT_EQ(m.at(3, col(m, "normalized_fico_score")), static_cast<float>(200.0 / 350.0));
  EXPECT_EQ(m.at(7, col(m, "normalized_fico_score")), 1.0f);
  // A value inside the fences passes unchanged; years_employed (rule none) too.
  EXPECT_EQ(m.at(2, col(m, "total_debt_outstanding")), 7000.0f);
  EXPECT_EQ(m.at(7, col(m, "years_employed")), 8.0f);
  EXPECT_EQ(p.rows_to_keep(eight_loans()), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(PipelineTransform, NoneKeepsTheOutlier) {
  PipelineOptions o = PipelineOptions::defaults();
  o.outliers["loan_amt_outstanding"].action = OutlierAction::None;
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), o);
  const DenseMatrix m = p.transform(eight_loans());
  EXPECT_EQ(m.at(7, col(m, "loan_amt_outstanding")), 50000.0f);
  EXPECT_EQ(m.at(7, col(m, "credit_to_income_ratio")), 50000.0f);
  EXPECT_EQ(p.rows_to_keep(eight_loans()).size(), 8u);
}

TEST(PipelineTransform, DropRemovesTrainingRowsAndNarrowsTheFicoRange) {
  PipelineOptions o = PipelineOptions::defaults();
  o.outliers["loan_amt_outstanding"].action = OutlierAction::Drop;
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), o);
  EXPECT_EQ(p.rows_to_keep(eight_loans()), (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}));
  // Row 7 (fico 850) is not trained on, so the FICO range is [500, 800].
  EXPECT_DOUBLE_EQ(p.fico_min(), 500.0);
  EXPECT_DOUBLE_EQ(p.fico_max(), 800.0);
  // transform() never drops: serving rows all get a prediction, uncapped for a drop column.
  const DenseMatrix m = p.transform(eight_loans());
  EXPECT_EQ(m.rows, 8u);
  EXPECT_EQ(m.at(7, col(m, "loan_amt_outstanding")), 50000.0f);
  EXPECT_EQ(m.at(7, col(m, "normalized_fico_score")), 1.0f);
  Frame missing = eight_loans();
  missing.names[missing.index_of("loan_amt_outstanding")] = "loan";
  EXPECT_THROW_MSG(p.rows_to_keep(missing), InputError,
                   "the data has no column 'loan_amt_outstanding', which has a drop rule");
}

TEST(PipelineTransform, ServingValuesBeyondTheTrainingRangeAreCappedThenClipped) {
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), PipelineOptions::defaults());
  Frame serve = eight_loans().take({0, 1, 2});
  serve.column("fico_score") = {300, 900, 675};
  const DenseMatrix m = p.transform(serve);
  // 300 is capped to the lower fence 387.5 first; (387.5 - 500) / 350 < 0 is clipped to 0.
  EXPECT_EQ(m.at(0, col(m, "fico_score")), 387.5f);
  EXPECT_EQ(m.at(0, col(m, "fico_score_diff")), -312.5f);
  EXPECT_EQ(m.at(0, col(m, "normalized_fico_score")), 0.0f);
  // 900 is inside the fences but above the training max 850: (900 - 500) / 350 > 1 -> 1.
  EXPECT_EQ(m.at(1, col(m, "fico_score")), 900.0f);
  EXPECT_EQ(m.at(1, col(m, "normalized_fico_score")), 1.0f);
  EXPECT_EQ(m.at(2, col(m, "normalized_fico_score")), 0.5f);
}

TEST(PipelineTransform, ConstantFicoNormalizesToZero) {
  Frame train = eight_loans();
  train.column("fico_score") = std::vector<double>(8, 700.0);
  const FeaturePipeline p = FeaturePipeline::fit(train, PipelineOptions::defaults());
  EXPECT_DOUBLE_EQ(p.fico_min(), 700.0);
  EXPECT_DOUBLE_EQ(p.fico_max(), 700.0);
  EXPECT_DOUBLE_EQ(p.fits().at("fico_score").lower, 700.0);
  EXPECT_DOUBLE_EQ(p.fits().at("fico_score").upper, 700.0);
  const DenseMatrix m = p.transform(eight_loans());
  for (std::size_t r = 0; r < m.rows; ++r) {
    EXPECT_EQ(m.at(r, col(m, "normalized_fico_score")), 0.0f);
    EXPECT_EQ(m.at(r, col(m, "fico_score")), 700.0f);  // capped to the one-point fence
  }
}

TEST(PipelineTransform, SelectedFeaturesComeInTheConfiguredOrder) {
  PipelineOptions o;
  o.features = {"fico_score_diff", "income", "debt_to_income_ratio"};
  EXPECT_EQ(o.input_columns(),
            (std::vector<std::string>{"total_debt_outstanding", "income", "fico_score"}));
  // Only the columns the features read are required, at fit and at serving time.
  Frame train;
  train.set_column("fico_score", {600, 700, 800});
  train.set_column("income", {10000, 20000, 0});
  train.set_column("total_debt_outstanding", {1000, 500, 30});
  const FeaturePipeline p = FeaturePipeline::fit(train, o);
  EXPECT_EQ(p.feature_names(), o.features);
  const DenseMatrix m = p.transform(train);
  EXPECT_EQ(m.names, o.features);
  ASSERT_EQ(m.cols, 3u);
  EXPECT_EQ(m.values, (std::vector<float>{-100.0f, 10000.0f, 0.1f, 0.0f, 20000.0f, 0.025f, 100.0f,
                                          0.0f, 30.0f}));
  Frame no_fico = train;
  no_fico.names[0] = "fico";
  EXPECT_THROW_MSG(p.transform(no_fico), InputError,
                   "the input has no column 'fico_score'; the pipeline reads: "
                   "total_debt_outstanding, income, fico_score");
}

TEST(PipelineTransform, OneRowEqualsTheSameRowOfABatch) {
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), PipelineOptions::defaults());
  const Frame all = eight_loans();
  const DenseMatrix batch = p.transform(all);
  for (std::size_t r = 0; r < all.rows(); ++r) {
    const DenseMatrix one = p.transform(all.take({r}));
    ASSERT_EQ(one.rows, 1u);
    for (std::size_t c = 0; c < one.cols; ++c) EXPECT_EQ(one.at(0, c), batch.at(r, c)) << r;
  }
  EXPECT_EQ(p.transform(all.take({})).rows, 0u);
}

// A matrix reused from call to call (the predict route keeps one per thread) ends up equal to a
// fresh one, whatever size it had; above eight rows the capped values leave the stack buffer.
TEST(PipelineTransform, IntoAReusedMatrixEqualsAFreshOne) {
  const FeaturePipeline p = FeaturePipeline::fit(eight_loans(), PipelineOptions::defaults());
  Frame many = eight_loans();
  for (std::size_t i = 0; i < 3; ++i) {
    const Frame more = eight_loans();
    for (std::size_t j = 0; j < many.columns.size(); ++j) {
      many.columns[j].insert(many.columns[j].end(), more.columns[j].begin(), more.columns[j].end());
    }
    many.lines.insert(many.lines.end(), more.lines.begin(), more.lines.end());
    if (!many.ids.empty()) many.ids.insert(many.ids.end(), more.ids.begin(), more.ids.end());
  }
  DenseMatrix reused;
  for (const Frame& f : {many, many.take({3}), many.take({0, 5, 9}), many, many.take({})}) {
    p.transform(f, reused);
    const DenseMatrix fresh = p.transform(f);
    EXPECT_EQ(reused.rows, fresh.rows);
    EXPECT_EQ(reused.cols, fresh.cols);
    EXPECT_EQ(reused.names, fresh.names);
    EXPECT_EQ(reused.values, fresh.values);
  }
}

}  // namespace
}  // namespace loanrisk
