// D'Agostino-Pearson K^2 as scipy.stats.normaltest (skewtest + kurtosistest): D'Agostino, Belanger
// and D'Agostino (1990), Anscombe and Glynn (1983). Moments are the biased ones scipy uses here.
#include <cmath>
#include <limits>

#include "loanrisk/eda/normality.hpp"
#include "loanrisk/eda/special.hpp"

namespace loanrisk::eda {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Z of the skewness test for biased skewness b1 of n values.
double skew_z(double b1, double n) {
  double y = b1 * std::sqrt(((n + 1.0) * (n + 3.0)) / (6.0 * (n - 2.0)));
  const double beta2 = 3.0 * (n * n + 27.0 * n - 70.0) * (n + 1.0) * (n + 3.0) /
                       ((n - 2.0) * (n + 5.0) * (n + 7.0) * (n + 9.0));
  const double w2 = -1.0 + std::sqrt(2.0 * (beta2 - 1.0));
  const double delta = 1.0 / std::sqrt(0.5 * std::log(w2));
  const double alpha = std::sqrt(2.0 / (w2 - 1.0));
  if (y == 0.0) y = 1.0;  // as scipy
  return delta * std::log(y / alpha + std::sqrt((y / alpha) * (y / alpha) + 1.0));
}

// Z of the kurtosis test for Pearson's (non-excess, biased) kurtosis b2 of n values.
double kurtosis_z(double b2, double n) {
  const double e = 3.0 * (n - 1.0) / (n + 1.0);
  const double varb2 =
      24.0 * n * (n - 2.0) * (n - 3.0) / ((n + 1.0) * (n + 1.0) * (n + 3.0) * (n + 5.0));
  const double x = (b2 - e) / std::sqrt(varb2);
  const double sqrtbeta1 = 6.0 * (n * n - 5.0 * n + 2.0) / ((n + 7.0) * (n + 9.0)) *
                           std::sqrt((6.0 * (n + 3.0) * (n + 5.0)) / (n * (n - 2.0) * (n - 3.0)));
  const double a =
      6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + std::sqrt(1.0 + 4.0 / (sqrtbeta1 * sqrtbeta1)));
  const double term1 = 1.0 - 2.0 / (9.0 * a);
  const double denom = 1.0 + x * std::sqrt(2.0 / (a - 4.0));
  if (denom == 0.0) return kNaN;
  const double term2 = (denom > 0.0 ? 1.0 : -1.0) * std::cbrt((1.0 - 2.0 / a) / std::fabs(denom));
  return (term1 - term2) / std::sqrt(2.0 / (9.0 * a));
}

}  // namespace

TestResult dagostino_pearson(const std::vector<double>& values) {
  const std::size_t count = values.size();
  if (count < 8) return {kNaN, kNaN};
  const double n = static_cast<double>(count);
  double sum = 0.0;
  for (double v : values) sum += v;
  const double mean = sum / n;
  double m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (double v : values) {
    const double d = v - mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  // scipy treats a variance within rounding of zero as a constant column (skew is NaN).
  const double resolution = 1e-15 * mean;
  if (m2 <= resolution * resolution) return {kNaN, kNaN};
  const double zs = skew_z(m3 / std::pow(m2, 1.5), n);
  const double zk = kurtosis_z(m4 / (m2 * m2), n);
  const double k2 = zs * zs + zk * zk;
  return {k2, chi2_sf_two_dof(k2)};
}

}  // namespace loanrisk::eda
