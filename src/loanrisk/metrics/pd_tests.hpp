#pragma once
// The statistical tests a validation function runs on a PD model, as the ECB's instructions for
// reporting the validation results of internal models (IRB, PD) describe them and as banks
// commonly compute them: Jeffreys and exact binomial tests of a grade's PD against its observed
// defaults, Hosmer-Lemeshow over grades, DeLong's variance of the AUC (and the test of two
// correlated AUCs on the same rows), the test of today's AUC against the one at initial
// validation, and the Herfindahl index of concentration. Pinned against scipy in the tests.
#include <cstdint>
#include <vector>

namespace loanrisk {

/// One-sided Jeffreys test that pd does not underestimate the default rate of n customers with d
/// defaults: the p-value is the Beta(d + 1/2, n - d + 1/2) CDF at pd (ECB). A small p-value says
/// the observed rate is significantly above pd. InputError for n < 1, d outside [0, n] or pd
/// outside [0, 1].
double jeffreys_p_value(std::int64_t n, std::int64_t d, double pd);

/// One-sided exact binomial test of the same hypothesis: P(X >= d) for X ~ Binomial(n, pd)
/// (scipy.stats.binomtest(d, n, pd, alternative="greater")).
double binomial_p_value(std::int64_t n, std::int64_t d, double pd);

/// One group (a grade) of a Hosmer-Lemeshow test: customers, defaults, mean PD.
struct HlGroup {
  std::int64_t n = 0;
  std::int64_t defaults = 0;
  double mean_pd = 0;
};
struct HosmerLemeshow {
  double statistic = 0;
  int dof = 0;
  double p_value = 1;
};
/// Sum over groups with n > 0 of (D - n p)^2 / (n p (1 - p)), chi-squared with dof degrees of
/// freedom: the number of groups for a sample the model was not fitted on (validation), minus 2
/// when fitted_on_sample. Groups with p of 0 or 1 contribute nothing (and count no degree).
HosmerLemeshow hosmer_lemeshow(const std::vector<HlGroup>& groups, bool fitted_on_sample = false);

/// The AUC with DeLong's variance (DeLong, DeLong and Clarke-Pearson 1988, computed by midranks as
/// Sun and Xu 2014 do) and a normal confidence interval clipped to [0, 1].
struct AucWithVariance {
  double auc = 0;
  double variance = 0;
  double ci_low = 0, ci_high = 0;
  std::int64_t positives = 0, negatives = 0;
};
/// InputError when the sizes differ, a label is not 0/1, a score is not finite, or a class is
/// missing; level is the interval's coverage (0.95).
AucWithVariance delong_auc(const std::vector<double>& y, const std::vector<double>& score,
                           double level = 0.95);

/// DeLong's test of two correlated AUCs (two models scored on the same rows): z = (auc_a - auc_b)
/// / sd of the difference, two-sided p-value.
struct AucComparison {
  double auc_a = 0, auc_b = 0;
  double variance_a = 0, variance_b = 0, covariance = 0;
  double z = 0;
  double p_value = 1;
};
AucComparison delong_compare(const std::vector<double>& y, const std::vector<double>& score_a,
                             const std::vector<double>& score_b);

/// The test of the current AUC against the AUC at initial validation (ECB): S = (auc_initial -
/// auc) / sqrt(variance), p-value 1 - Phi(S); a small p-value says discrimination has fallen.
struct AucDecline {
  double statistic = 0;
  double p_value = 1;
};
AucDecline auc_decline(double auc_initial, const AucWithVariance& current);

/// Herfindahl index of shares across grades: HI = sum s_i^2 (1/K for equal shares, 1 for one
/// grade), and its normalised form (K HI - 1) / (K - 1) in [0, 1] (0 for K = 1). Empty grades
/// count in K.
struct Herfindahl {
  double index = 0;
  double normalised = 0;
};
Herfindahl herfindahl(const std::vector<double>& amounts);

}  // namespace loanrisk
