// The normality tests and summaries on the real 10,000-row file against scipy 1.10.1 and pandas
// 1.5.3 (Debian python3-scipy / python3-pandas), computed with:
//   df = pandas.read_csv("Loan_Data.csv")
//   scipy.stats.normaltest(df[c])             # every row
//   scipy.stats.shapiro(df[c].values[:5000])  # the first 5,000 rows (Shapiro-Wilk's limit)
//   df[c].mean(), .std(), .quantile(.25), .skew(), .kurt()
// and printed with repr(). Skipped when the file is not beside the checkout.
#include <gtest/gtest.h>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/eda/analysis.hpp"
#include "support/test_support.hpp"

namespace loanrisk::eda {
namespace {

struct Expected {
  const char* column;
  double k2, k2_p, w, w_p;
};

// scipy.stats.shapiro returns float32 values in 1.10 (its Fortran works in single precision); our
// port does the same arithmetic, so 1e-6 is a loose bound here (they are equal bit for bit).
constexpr Expected kScipy[] = {
    {"credit_lines_outstanding", 1308.5140820889017, 7.240646216608813e-285, 0.7767117619514465,
     0.0},
    {"loan_amt_outstanding", 308.46982212301225, 1.039032684314061e-67, 0.9898721575737,
     1.8056440805407254e-18},
    {"total_debt_outstanding", 2370.1642635134035, 0.0, 0.8698369264602661, 0.0},
    {"income", 2.1327855442025623, 0.3442480616273748, 0.9993727803230286, 0.08205428719520569},
    {"years_employed", 13.184139626444434, 0.0013711988987877219, 0.9648624658584595,
     3.0770662155505624e-33},
    {"fico_score", 11.316093916670196, 0.0034893250449456454, 0.9991042613983154,
     0.009995274245738983},
};

class RealData : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = testing::real_data();
    if (!path) GTEST_SKIP() << "real data not present";
    frame = read_csv(*path, Schema::loan_default()).frame;
  }
  Frame frame;
};

TEST_F(RealData, NormalityMatchesScipy) {
  for (const Expected& e : kScipy) {
    SCOPED_TRACE(e.column);
    const std::vector<double>& all = frame.column(e.column);
    ASSERT_EQ(all.size(), 10000u);
    const TestResult k2 = dagostino_pearson(all);
    EXPECT_NEAR(k2.statistic, e.k2, 1e-6 * std::max(1.0, e.k2));
    EXPECT_NEAR(k2.p_value, e.k2_p, 1e-6);
    const std::vector<double> first(all.begin(), all.begin() + 5000);
    const TestResult sw = shapiro_wilk(first);
    EXPECT_NEAR(sw.statistic, e.w, 1e-6);
    EXPECT_NEAR(sw.p_value, e.w_p, 1e-6);
    EXPECT_EQ(sw.statistic, e.w);  // bit for bit, as scipy's float32 result
  }
}

TEST_F(RealData, SummariesMatchPandas) {
  const std::vector<double>& income = frame.column("income");
  const ColumnSummary s = describe(income, sorted_finite(income));
  EXPECT_NEAR(s.mean, 70039.90140134419, 1e-8);
  EXPECT_NEAR(s.std, 20072.21414316545, 1e-8);
  EXPECT_NEAR(s.q1, 56539.8679025, 1e-8);
  EXPECT_NEAR(s.skewness, -0.011704426026617414, 1e-12);
  EXPECT_NEAR(s.kurtosis, 0.06858700331494827, 1e-12);
  const std::vector<double>& fico = frame.column("fico_score");
  const ColumnSummary f = describe(fico, sorted_finite(fico));
  EXPECT_NEAR(f.std, 60.65790640032755, 1e-11);
  EXPECT_NEAR(f.skewness, -0.08074219819319137, 1e-12);
  EXPECT_NEAR(f.kurtosis, 0.0329837826998407, 1e-12);
}

TEST_F(RealData, FullAnalysisSamplesShapiroAboveFiveThousandRows) {
  const ReadResult read = read_csv(*testing::real_data(), Schema::loan_default(), {true, true});
  const EdaReport r =
      analyze(read, Schema::loan_default(), "Loan_Data.csv", "", EdaOptions::defaults());
  EXPECT_EQ(r.balance.positives, 1851u);
  EXPECT_EQ(r.features.size(), 10u);
  for (const auto& f : r.features) {
    EXPECT_TRUE(f.shapiro_sampled) << f.name;
    EXPECT_EQ(f.shapiro_rows, 5000u) << f.name;
  }
  EXPECT_EQ(r.overview.duplicated_ids, 0u);
  EXPECT_EQ(r.overview.rejects, 0u);
}

}  // namespace
}  // namespace loanrisk::eda
