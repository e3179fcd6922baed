// The whole analysis on a small hand-made file; every pinned number was computed independently with
// pandas 1.5.3 / scipy 1.10.1 / scikit-learn 1.2.1 by eda_references.py (in this folder).
#include <gtest/gtest.h>

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/eda/analysis.hpp"
#include "support/test_support.hpp"

namespace loanrisk::eda {
namespace {

// 24 data rows: c19 has an empty credit_lines_outstanding and c20 a FICO of 900 (both rejected);
// c06 appears twice with different values and c22 twice identically.
constexpr const char* kCsv =
    "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
    "years_employed,fico_score,default\n"
    "c01,0,5000,4000,70000,5,650,0\nc02,1,3000,8000,40000,2,580,1\n"
    "c03,0,4500,3000,65000,6,700,0\nc04,2,6000,12000,55000,3,610,1\n"
    "c05,0,2500,2000,80000,8,720,1\nc06,1,3500,5000,60000,4,640,0\n"
    "c07,3,7000,20000,45000,1,560,1\nc08,0,4000,3500,75000,7,690,0\n"
    "c09,0,5500,4500,90000,9,730,1\nc10,1,3800,6000,52000,3,620,0\n"
    "c11,5,9000,35000,30000,0,520,0\nc12,0,4200,3800,68000,5,680,0\n"
    "c13,0,30000,5000,400000,10,800,0\nc14,2,4800,9000,50000,2,600,1\n"
    "c15,0,3900,3600,72000,6,710,0\nc16,1,4100,5200,58000,4,650,0\n"
    "c17,0,4700,4100,66000,5,670,0\nc18,4,6500,25000,38000,1,540,1\n"
    "c19,,4000,3000,60000,3,650,0\nc20,0,4300,3900,900000,5,900,0\n"
    "c21,1,3700,5500,61000,4,660,0\nc06,0,4400,4200,69000,6,700,0\n"
    "c22,0,3600,3300,64000,5,685,0\nc22,0,3600,3300,64000,5,685,0\n";

class SmallFile : public ::testing::Test {
 protected:
  static EdaReport run() {
    ReadOptions ro;
    ro.collect_rejects = true;
    const Schema schema = Schema::loan_default();
    return analyze(parse_csv(kCsv, "small.csv", schema, ro), schema, "small.csv", "abc",
                   EdaOptions::defaults());
  }
  const FeatureReport& feature(const std::string& name) const {
    for (const auto& f : report.features) {
      if (f.name == name) return f;
    }
    throw std::runtime_error("no feature " + name);
  }
  EdaReport report = run();
};

TEST_F(SmallFile, Overview) {
  const Overview& o = report.overview;
  EXPECT_EQ(o.rows_read, 24u);
  EXPECT_EQ(o.rows_valid, 22u);
  EXPECT_EQ(o.rejects, 2u);
  EXPECT_EQ(o.duplicated_ids, 2u);   // df.customer_id.duplicated().sum()
  EXPECT_EQ(o.duplicated_rows, 1u);  // df.duplicated().sum()
  EXPECT_EQ(o.missing.at("credit_lines_outstanding"), 1u);
  EXPECT_EQ(o.missing.at("fico_score"), 0u);
  ASSERT_EQ(o.reject_reasons.size(), 2u);
  EXPECT_NE(o.reject_reasons[0].find("value is empty"), std::string::npos);
  EXPECT_NE(o.reject_reasons[1].find("\"900\" is out of range"), std::string::npos);
  EXPECT_EQ(o.column_types.size(), 8u);
  EXPECT_EQ(o.column_types[1],
            (std::pair<std::string, std::string>{"credit_lines_outstanding", "integer"}));
  EXPECT_TRUE(o.constant_columns.empty());
  EXPECT_EQ(report.balance.positives, 7u);
  EXPECT_EQ(report.balance.negatives, 15u);
}

TEST_F(SmallFile, SummariesMatchPandas) {
  const ColumnSummary& s = feature("income").summary;
  EXPECT_EQ(s.count, 22u);
  EXPECT_NEAR(s.mean, 76000.0, 1e-9);
  EXPECT_NEAR(s.std, 73736.33852482519, 1e-8);
  testing::expect_doubles_eq({s.q1, s.median, s.q3}, {52750.0, 64000.0, 69750.0});
  EXPECT_NEAR(s.skewness, 4.406430794691401, 1e-12);
  EXPECT_NEAR(s.kurtosis, 20.17839853418492, 1e-11);
  const ColumnSummary& c = feature("credit_lines_outstanding").summary;
  EXPECT_NEAR(c.std, 1.4301938838683885, 1e-14);
  EXPECT_NEAR(c.skewness, 1.698515408719153, 1e-13);
  EXPECT_NEAR(c.kurtosis, 2.3337766638819266, 1e-13);
  const ColumnSummary& f = feature("fico_score").summary;
  EXPECT_NEAR(f.skewness, -0.21273435601522409, 1e-13);
  EXPECT_NEAR(f.kurtosis, 0.10426413606320795, 1e-12);
}

TEST_F(SmallFile, NormalityMatchesScipy) {
  const FeatureReport& y = feature("years_employed");
  EXPECT_NEAR(y.dagostino.statistic, 0.23635700646445842, 1e-10);
  EXPECT_NEAR(y.dagostino.p_value, 0.8885374316543545, 1e-10);
  EXPECT_NEAR(y.shapiro.statistic, 0.9741491079330444, 1e-7);
  EXPECT_NEAR(y.shapiro.p_value, 0.8046327233314514, 1e-7);
  EXPECT_EQ(y.shapiro_rows, 22u);
  EXPECT_FALSE(y.shapiro_sampled);
  const FeatureReport& l = feature("loan_amt_outstanding");
  EXPECT_NEAR(l.dagostino.statistic, 50.58491178830535, 1e-9);
  EXPECT_NEAR(l.shapiro.statistic, 0.43940800428390503, 1e-7);
}

TEST_F(SmallFile, OutlierCounts) {
  const OutlierSummary& cl = *feature("credit_lines_outstanding").outliers;  // k = 1.5
  EXPECT_EQ(cl.iqr_factor, 1.5);
  EXPECT_EQ(cl.iqr_count, 3u);
  EXPECT_EQ(cl.z_count, 0u);
  EXPECT_EQ(cl.either, 3u);
  EXPECT_NEAR(cl.default_rate_outliers, 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(cl.default_rate_rest, 0.2631578947368421, 1e-15);
  const OutlierSummary& td = *feature("total_debt_outstanding").outliers;  // k = 3.9
  EXPECT_EQ(td.iqr_factor, 3.9);
  EXPECT_EQ(td.iqr_count, 2u);
  EXPECT_EQ(td.z_count, 1u);
  EXPECT_EQ(td.both, 1u);
  EXPECT_EQ(td.either, 2u);
  EXPECT_DOUBLE_EQ(td.default_rate_outliers, 0.5);
  EXPECT_DOUBLE_EQ(td.default_rate_rest, 0.3);
  const OutlierSummary& in = *feature("income").outliers;  // k = 1.9
  EXPECT_EQ(in.iqr_count, 1u);
  EXPECT_EQ(in.z_count, 1u);
  EXPECT_EQ(in.box.whisker_high, 90000.0);
  EXPECT_EQ(in.box.max, 400000.0);
  EXPECT_EQ(feature("fico_score").outliers->either, 0u);
  EXPECT_TRUE(std::isnan(feature("fico_score").outliers->default_rate_outliers));
  EXPECT_FALSE(feature("debt_to_income_ratio").outliers.has_value());
}

TEST_F(SmallFile, WoeIvAucAndCorrelations) {
  const FeatureReport& td = feature("total_debt_outstanding");
  ASSERT_EQ(td.woe.bins.size(), 4u);
  EXPECT_EQ(td.woe.bins[3].lower, 8800.0);
  EXPECT_EQ(td.woe.bins[3].goods, 1u);
  EXPECT_EQ(td.woe.bins[3].bads, 4u);
  EXPECT_NEAR(td.woe.iv, 1.5298241789447844, 1e-12);
  EXPECT_NEAR(feature("credit_lines_outstanding").woe.iv, 1.4773065553290772, 1e-12);
  EXPECT_NEAR(feature("loan_amt_outstanding").woe.iv, 1.6874410515974358, 1e-12);
  EXPECT_NEAR(feature("income").woe.iv, 1.6368531896501333, 1e-12);
  EXPECT_NEAR(td.score.auc, 0.7523809523809524, 1e-15);  // sklearn roc_auc_score
  EXPECT_TRUE(td.score.higher_is_riskier);
  const FeatureReport& fico = feature("fico_score");
  EXPECT_NEAR(fico.score.auc, 0.3142857142857143, 1e-15);
  EXPECT_NEAR(fico.score.auc_best, 1.0 - 0.3142857142857143, 1e-15);
  EXPECT_FALSE(fico.score.higher_is_riskier);
  EXPECT_NEAR(fico.pearson_target, -0.36008098101653396, 1e-14);   // Series.corr
  EXPECT_NEAR(fico.spearman_target, -0.30021001052624485, 1e-14);  // method="spearman"
  EXPECT_NEAR(td.spearman_target, 0.4078623772232565, 1e-14);
  EXPECT_EQ(report.pearson.names.back(), "default");
  EXPECT_EQ(report.pearson.names.size(), 11u);  // 6 raw + 4 derived + target
}

TEST_F(SmallFile, DerivedFeaturesAndReference) {
  // The smallest debt_to_income_ratio is c13's 5000 / 400000, computed by FeaturePipeline in float.
  const FeatureReport& d = feature("debt_to_income_ratio");
  EXPECT_TRUE(d.derived);
  EXPECT_EQ(d.summary.count, 22u);
  EXPECT_NEAR(d.summary.min, 5000.0 / 400000.0, 1e-8);
  const FeatureReport& n = feature("normalized_fico_score");
  EXPECT_NEAR(n.summary.min, 0.0, 1e-7);
  EXPECT_NEAR(n.summary.max, 1.0, 1e-7);
  const ReferenceDistribution& r = feature("fico_score").reference;
  EXPECT_EQ(r.edges.front(), 520.0);
  EXPECT_EQ(r.edges.back(), 800.0);
  double total = 0.0;
  for (double s : r.shares) total += s;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_EQ(r.count, 22u);
}

TEST(EdaOptions, RejectsBadSettings) {
  EdaOptions o = EdaOptions::defaults();
  EXPECT_EQ(o.iqr_factor("income"), 1.9);
  EXPECT_EQ(o.iqr_factor("years_employed"), 1.5);
  o.iqr_factors["income"] = -1;
  EXPECT_THROW_MSG(o.validate(), UsageError, "the IQR factor of 'income' must be a finite number");
  o = EdaOptions::defaults();
  o.woe_bins = 0;
  EXPECT_THROW_MSG(o.validate(), UsageError, "bin counts must be at least 1");
}

TEST(Analyze, NoValidRowIsAnInputError) {
  ReadOptions ro;
  ro.collect_rejects = true;
  const Schema schema = Schema::loan_default();
  const std::string csv =
      "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
      "years_employed,fico_score,default\nx,0,1,1,1,1,999,0\n";
  EXPECT_THROW_MSG(analyze(parse_csv(csv, "bad.csv", schema, ro), schema, "bad.csv", "", {}),
                   InputError, "bad.csv: no valid row to analyse (1 rows rejected");
}

}  // namespace
}  // namespace loanrisk::eda
