#pragma once
// Descriptive statistics of one column and its histogram by class, defined as pandas defines them
// (so an analyst can check any number of the report with df.describe(), df.skew(), df.kurt()).
#include <cstddef>
#include <string>
#include <vector>

namespace loanrisk::eda {

/// pandas' describe() plus skewness and kurtosis. NaN values are skipped, as pandas does.
struct ColumnSummary {
  std::size_t count = 0;  ///< non-missing values.
  std::size_t missing = 0;
  double mean = 0, std = 0;  ///< std is the sample standard deviation (ddof = 1).
  double min = 0, q1 = 0, median = 0, q3 = 0, max = 0;  ///< quartiles by linear interpolation.
  /// Adjusted Fisher-Pearson skewness G1 (pandas' skew(), scipy.stats.skew(bias=False)); NaN under
  /// 3 values, 0 for a constant column (as pandas).
  double skewness = 0;
  /// Bias-corrected excess kurtosis G2 (pandas' kurt(), scipy.stats.kurtosis(bias=False)); NaN
  /// under 4 values, 0 for a constant column (as pandas).
  double kurtosis = 0;
  bool constant = false;  ///< min == max over the non-missing values.
};

/// Summarises values; `sorted` must hold the same values, finite ones only, ascending.
ColumnSummary describe(const std::vector<double>& values, const std::vector<double>& sorted);

/// Finite values sorted ascending.
std::vector<double> sorted_finite(const std::vector<double>& values);

/// Equal-width histogram over [min, max] counted overall and per class (numpy.histogram's rule:
/// every bin is half-open except the last, which includes max).
struct Histogram {
  std::vector<double> edges;          ///< bins + 1 edges.
  std::vector<std::size_t> all;       ///< rows per bin.
  std::vector<std::size_t> negative;  ///< rows with target 0 (no default).
  std::vector<std::size_t> positive;  ///< rows with target 1 (default).
};

/// Histogram of the finite values with `bins` bins (one bin when the column is constant); target
/// holds the 0/1 class of each row.
Histogram histogram(const std::vector<double>& values, const std::vector<double>& target,
                    std::size_t bins);

}  // namespace loanrisk::eda
