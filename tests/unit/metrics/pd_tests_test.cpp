// The PD validation tests against scipy 1.10.1 (pd_tests_references.py computes every pinned
// number; DeLong there by its O(m n) definition, here by midranks).
#include "loanrisk/metrics/pd_tests.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/metrics/classification.hpp"

namespace loanrisk {
namespace {

TEST(PdTests, JeffreysAndBinomialMatchScipy) {
  struct Case {
    std::int64_t n, d;
    double pd, jeffreys, binomial;
  };
  for (const Case& c : {Case{1000, 25, 0.02, 0.13084247868854876, 0.15451540540056827},
                        Case{50, 0, 0.01, 0.6851152385491805, 1.0},
                        Case{200, 10, 0.05, 0.4803570186314523, 0.5452901913191844},
                        Case{10000, 1851, 0.18, 0.09251867269027338, 0.09467862958479668},
                        Case{30, 30, 0.9, 0.011573961337151823, 0.04239115827521624}}) {
    SCOPED_TRACE(std::to_string(c.d) + " of " + std::to_string(c.n) + " at " +
                 std::to_string(c.pd));
    EXPECT_NEAR(jeffreys_p_value(c.n, c.d, c.pd), c.jeffreys, 1e-12);
    EXPECT_NEAR(binomial_p_value(c.n, c.d, c.pd), c.binomial, 1e-12);
  }
  // Edges: a PD of 0 with defaults is certainly too low; a PD of 1 never is.
  EXPECT_EQ(jeffreys_p_value(100, 3, 0.0), 0.0);
  EXPECT_EQ(binomial_p_value(100, 3, 0.0), 0.0);
  EXPECT_EQ(jeffreys_p_value(100, 3, 1.0), 1.0);
  EXPECT_THROW(jeffreys_p_value(0, 0, 0.1), InputError);
  EXPECT_THROW(jeffreys_p_value(10, 11, 0.1), InputError);
  EXPECT_THROW(binomial_p_value(10, 1, std::nan("")), InputError);
}

TEST(PdTests, HosmerLemeshowOverGrades) {
  const std::vector<HlGroup> grades = {
      {500, 3, 0.004}, {800, 12, 0.011}, {600, 20, 0.03}, {300, 25, 0.07}, {100, 30, 0.2}};
  const HosmerLemeshow out_of_sample = hosmer_lemeshow(grades);
  EXPECT_NEAR(out_of_sample.statistic, 8.976934268402724, 1e-12);
  EXPECT_EQ(out_of_sample.dof, 5);
  EXPECT_NEAR(out_of_sample.p_value, 0.10998771674468165, 1e-12);
  const HosmerLemeshow in_sample = hosmer_lemeshow(grades, true);
  EXPECT_EQ(in_sample.dof, 3);
  EXPECT_NEAR(in_sample.p_value, 0.029599135140165853, 1e-12);
  // An empty grade and a grade of PD 0 add nothing and no degree of freedom.
  std::vector<HlGroup> with_empty = grades;
  with_empty.push_back({0, 0, 0.5});
  with_empty.push_back({10, 0, 0.0});
  EXPECT_EQ(hosmer_lemeshow(with_empty).dof, 5);
  EXPECT_TRUE(std::isnan(hosmer_lemeshow({}).p_value));
}

// The references' rows: 200 customers, 60 defaults, two scores with ties (rounded to cents).
struct Rows {
  std::vector<double> y, a, b;
  Rows() {
    for (int i = 0; i < 200; ++i) {
      const double label = (i * 7) % 10 < 3 ? 1.0 : 0.0;
      y.push_back(label);
      a.push_back(std::rint((((i * 37) % 101) / 101.0 + 0.3 * label) * 100) / 100);
      b.push_back(std::rint((((i * 53) % 97) / 97.0 + 0.2 * label) * 100) / 100);
    }
  }
};

TEST(PdTests, DeLongVarianceIntervalAndComparisonMatchTheDefinition) {
  const Rows r;
  const AucWithVariance a = delong_auc(r.y, r.a);
  EXPECT_EQ(a.positives, 60);
  EXPECT_EQ(a.negatives, 140);
  EXPECT_NEAR(a.auc, 0.7636904761904761, 1e-12);
  EXPECT_NEAR(a.auc, auc_roc(r.y, r.a), 1e-15);  // the same AUC as the evaluation's
  EXPECT_NEAR(a.variance, 0.0013020028978546667, 1e-12);
  EXPECT_NEAR(a.ci_low, 0.6929685523158167, 1e-9);
  EXPECT_NEAR(a.ci_high, 0.8344124000651356, 1e-9);
  const AucComparison c = delong_compare(r.y, r.a, r.b);
  EXPECT_NEAR(c.auc_b, 0.6844642857142857, 1e-12);
  EXPECT_NEAR(c.variance_b, 0.0016315233881728933, 1e-12);
  EXPECT_NEAR(c.covariance, 3.910735990937447e-05, 1e-12);
  EXPECT_NEAR(c.z, 1.4826615375792371, 1e-9);
  EXPECT_NEAR(c.p_value, 0.1381643584514501, 1e-9);
  // A model against itself: no difference, p = 1.
  const AucComparison same = delong_compare(r.y, r.a, r.a);
  EXPECT_EQ(same.z, 0);
  EXPECT_EQ(same.p_value, 1);
  const AucDecline d = auc_decline(0.80, a);
  EXPECT_NEAR(d.statistic, 1.0062701219581203, 1e-9);
  EXPECT_NEAR(d.p_value, 0.15714282441777955, 1e-9);
}

TEST(PdTests, DeLongRefusesWhatItCannotCompute) {
  EXPECT_THROW(delong_auc({1, 1}, {0.2, 0.3}), InputError);  // no non-default
  EXPECT_THROW(delong_auc({1, 0}, {0.2}), InputError);
  EXPECT_THROW(delong_auc({1, 2}, {0.2, 0.3}), InputError);
  EXPECT_THROW(delong_auc({1, 0}, {0.2, std::nan("")}), InputError);
  EXPECT_THROW(delong_auc({1, 0}, {0.2, 0.1}, 1.0), InputError);
  // Perfect separation: AUC 1, no variance, the interval a point.
  const AucWithVariance p = delong_auc({1, 1, 0, 0}, {0.9, 0.8, 0.2, 0.1});
  EXPECT_EQ(p.auc, 1.0);
  EXPECT_EQ(p.variance, 0.0);
  EXPECT_EQ(p.ci_low, 1.0);
}

TEST(PdTests, HerfindahlOfGrades) {
  const Herfindahl equal = herfindahl({25, 25, 25, 25});
  EXPECT_DOUBLE_EQ(equal.index, 0.25);
  EXPECT_DOUBLE_EQ(equal.normalised, 0.0);
  const Herfindahl one = herfindahl({0, 0, 40, 0});
  EXPECT_DOUBLE_EQ(one.index, 1.0);
  EXPECT_DOUBLE_EQ(one.normalised, 1.0);
  // 0.5^2 + 0.3^2 + 0.2^2 = 0.38; (3 * 0.38 - 1) / 2 = 0.07.
  const Herfindahl h = herfindahl({50, 30, 20});
  EXPECT_NEAR(h.index, 0.38, 1e-15);
  EXPECT_NEAR(h.normalised, 0.07, 1e-15);
  EXPECT_TRUE(std::isnan(herfindahl({}).index));
  EXPECT_EQ(herfindahl({7}).normalised, 0.0);
}

}  // namespace
}  // namespace loanrisk
