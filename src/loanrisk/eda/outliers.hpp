#pragma once
// Outliers of one column by two rules (IQR fences with a per-column factor, and |z| above a
// threshold), with the default rate inside and outside them: whether the extremes are riskier is
// what decides between capping, dropping and keeping them in the feature pipeline.
#include <cstddef>
#include <vector>

namespace loanrisk::eda {

/// Five-number summary for a box plot, whiskers at the last values inside the IQR fences.
struct BoxStats {
  double min = 0, whisker_low = 0, q1 = 0, median = 0, q3 = 0, whisker_high = 0, max = 0;
};

/// What the two outlier rules find in one column.
struct OutlierSummary {
  double iqr_factor = 1.5;         ///< k in [q1 - k iqr, q3 + k iqr].
  double z_threshold = 3.0;        ///< a value is an outlier when |z| > this.
  double q1 = 0, q3 = 0, iqr = 0;  ///< quartiles by linear interpolation.
  double lower = 0, upper = 0;     ///< the IQR fences; outside (strictly) is an outlier.
  double mean = 0, std = 0;        ///< std with ddof = 0, as scipy.stats.zscore.
  std::size_t iqr_count = 0;       ///< outside the IQR fences.
  std::size_t z_count = 0;         ///< |z| > z_threshold (none when std is 0).
  std::size_t both = 0;            ///< flagged by both rules.
  std::size_t either = 0;          ///< flagged by at least one rule.
  double default_rate_outliers =
      0;                         ///< mean target over rows flagged by either rule (NaN if none).
  double default_rate_rest = 0;  ///< mean target over the other rows (NaN if none).
  BoxStats box;
};

/// Applies both rules to the finite values (`sorted` holds them ascending); target holds each row's
/// 0/1 class. Rows with a missing value are neither outliers nor "the rest".
OutlierSummary find_outliers(const std::vector<double>& values, const std::vector<double>& sorted,
                             const std::vector<double>& target, double iqr_factor,
                             double z_threshold);

}  // namespace loanrisk::eda
