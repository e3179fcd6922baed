#pragma once
// Special functions the statistical tests and charts need: normal quantiles and tail areas, and the
// chi-squared survival function. The Applied Statistics algorithms are kept exactly as published
// because scipy's Shapiro-Wilk uses them, and matching scipy means computing what it computes.
namespace loanrisk::eda {

/// Normal quantile by AS 111 (Beasley and Springer 1977) in single precision, as the Shapiro-Wilk
/// code scipy wraps computes its coefficients (absolute error about 1e-7 in the body).
float ppnd_as111(float p);
/// Standard normal tail area by AS 66 (Hill 1973): P(Z > x) when upper, P(Z <= x) otherwise
/// (absolute error below 1e-11); 0 beyond the algorithm's cut-offs.
double alnorm_as66(double x, bool upper);
/// The x with normal_cdf(x) = p (Wichura's AS 241, relative error about 1e-16); +-inf at 0 and 1,
/// NaN outside [0, 1].
double normal_ppf(double p);
/// P(X > x) for X chi-squared with 2 degrees of freedom: exp(-x / 2), exactly (1 for x <= 0).
double chi2_sf_two_dof(double x);

}  // namespace loanrisk::eda
