#pragma once
// Normality tests, numerically as scipy 1.10 computes them, so a reviewer can reproduce every
// number of the report with scipy.stats.normaltest and scipy.stats.shapiro.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace loanrisk::eda {

/// A test's statistic and p-value (NaN when the test is not defined for the data).
struct TestResult {
  double statistic = 0;
  double p_value = 0;
};

/// D'Agostino-Pearson K^2 = Zs^2 + Zk^2 from the skewness and kurtosis tests, p-value from the
/// chi-squared law with 2 degrees of freedom (scipy.stats.normaltest). NaN under 8 values or for a
/// constant column.
TestResult dagostino_pearson(const std::vector<double>& values);

/// Most values the Shapiro-Wilk approximation (Royston 1995) is valid for.
inline constexpr std::size_t kShapiroMaxRows = 5000;

/// Shapiro-Wilk W and its p-value by Royston's algorithm AS R94, ported from the Fortran scipy 1.10
/// wraps and, like it, computed in single precision so results match scipy.stats.shapiro bit for
/// bit. NaN under 3 values, above kShapiroMaxRows or for a constant column.
TestResult shapiro_wilk(const std::vector<double>& values);

/// At most `limit` values drawn without replacement with a seeded generator (all of them, in order,
/// when there are no more than `limit`), for running Shapiro-Wilk on a large column.
std::vector<double> seeded_sample(const std::vector<double>& values, std::size_t limit,
                                  std::uint64_t seed);

}  // namespace loanrisk::eda
