#include "loanrisk/data/synth.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/schema.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a);
  const double mb = mean(b);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// Rank AUC of a score against 0/1 labels (ties count one half).
double auc(const std::vector<double>& score, const std::vector<double>& y) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](auto i, auto j) { return score[i] < score[j]; });
  double rank_sum = 0, pos = 0;
  for (std::size_t k = 0; k < order.size();) {
    std::size_t e = k;
    while (e < order.size() && score[order[e]] == score[order[k]]) ++e;
    const double avg_rank = (k + 1 + e) / 2.0;
    for (std::size_t t = k; t < e; ++t) {
      if (y[order[t]] == 1.0) {
        rank_sum += avg_rank;
        pos += 1;
      }
    }
    k = e;
  }
  const double neg = static_cast<double>(y.size()) - pos;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

const Frame& book() {
  static const Frame f = synth_loan_book(SynthOptions{20000, 42});
  return f;
}

TEST(Synth, SameSeedSameBookOtherSeedDiffers) {
  const Frame a = synth_loan_book(SynthOptions{500, 7});
  const Frame b = synth_loan_book(SynthOptions{500, 7});
  const Frame c = synth_loan_book(SynthOptions{500, 8});
  EXPECT_EQ(a.ids, b.ids);
  EXPECT_EQ(a.names, b.names);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_NE(a.ids, c.ids);
  EXPECT_NE(a.column("income"), c.column("income"));
}

TEST(Synth, ColumnsFollowTheSchema) {
  const Frame& f = book();
  const Schema s = Schema::loan_default();
  ASSERT_EQ(f.rows(), 20000u);
  EXPECT_EQ(f.names, (std::vector<std::string>{"credit_lines_outstanding", "loan_amt_outstanding",
                                               "total_debt_outstanding", "income", "years_employed",
                                               "fico_score", "default"}));
  EXPECT_EQ(f.lines, std::vector<std::int64_t>(20000, 0));
  for (const auto& name : f.names) {
    const ColumnSpec* spec = s.find(name);
    ASSERT_NE(spec, nullptr) << name;
    for (double v : f.column(name)) {
      ASSERT_GE(v, spec->min) << name;
      ASSERT_LE(v, spec->max) << name;
      const double grid = spec->type == ColumnType::Real ? 100.0 : 1.0;  // cents or whole
      ASSERT_EQ(v, std::round(v * grid) / grid) << name;
    }
  }
}

TEST(Synth, IdsAreUniqueSevenDigitNumbers) {
  const Frame& f = book();
  std::set<std::string> seen(f.ids.begin(), f.ids.end());
  EXPECT_EQ(seen.size(), f.ids.size());
  for (const auto& id : f.ids) {
    ASSERT_EQ(id.size(), 7u) << id;
    ASSERT_TRUE(std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; }));
    ASSERT_NE(id[0], '0');
  }
}

TEST(Synth, DefaultRateAndMeansResembleTheRealFile) {
  const Frame& f = book();
  const double rate = mean(f.column("default"));
  EXPECT_GE(rate, 0.17);
  EXPECT_LE(rate, 0.20);
  // Real file means, with tolerances of roughly 5% (counts) or 3% (money).
  EXPECT_NEAR(mean(f.column("credit_lines_outstanding")), 1.46, 0.07);
  EXPECT_NEAR(mean(f.column("loan_amt_outstanding")), 4160, 125);
  EXPECT_NEAR(mean(f.column("total_debt_outstanding")), 8720, 260);
  EXPECT_NEAR(mean(f.column("income")), 70000, 2100);
  EXPECT_NEAR(mean(f.column("years_employed")), 4.55, 0.1);
  EXPECT_NEAR(mean(f.column("fico_score")), 638, 5);
  EXPECT_GE(*std::min_element(f.column("income").begin(), f.column("income").end()), 1000.0);
}

TEST(Synth, SignalHasTheIntendedDirectionsAndStrength) {
  const Frame& f = book();
  const auto& y = f.column("default");
  const auto& debt = f.column("total_debt_outstanding");
  const auto& income = f.column("income");
  const auto& lines = f.column("credit_lines_outstanding");
  std::vector<double> dti(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) dti[i] = debt[i] / income[i];
  EXPECT_GT(correlation(dti, y), 0.6);
  EXPECT_GT(correlation(lines, y), 0.6);
  EXPECT_LT(correlation(f.column("fico_score"), y), -0.25);
  EXPECT_LT(correlation(f.column("years_employed"), y), -0.08);
  // A hand-made score on two raw features already separates the classes almost perfectly.
  std::vector<double> score(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) score[i] = 2.4 * lines[i] + 25 * dti[i];
  EXPECT_GT(auc(score, y), 0.98);
}

TEST(Synth, BookPassesTheReader) {
  testing::TempDir dir;
  const Frame f = synth_loan_book(SynthOptions{2000, 5});
  write_frame_csv(dir / "book.csv", f, Schema::loan_default());
  const auto r = read_csv(dir / "book.csv", Schema::loan_default());
  EXPECT_EQ(r.frame.ids, f.ids);
  EXPECT_EQ(r.frame.columns, f.columns);
}

TEST(Synth, TooManyRowsIsUsageError) {
  EXPECT_THROW_MSG(
      synth_loan_book(SynthOptions{9'000'001, 1}), UsageError,
      "a synthetic book has at most 9000000 rows (its ids have 7 digits), got 9000001");
}

TEST(Synth, Speed) {
  const auto t0 = std::chrono::steady_clock::now();
  const Frame f = synth_loan_book(SynthOptions{200000, 1});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(f.rows(), 200000u);
  std::printf("[ info ] synth_loan_book: %.0f rows/s\n", 200000 / s);
}

}  // namespace
}  // namespace loanrisk
