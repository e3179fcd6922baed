// pandas-compatible summaries. Moments are computed in two passes around the mean (as pandas'
// nanops do), which keeps skewness and kurtosis accurate for columns with a large mean such as
// income.
#include "loanrisk/eda/describe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "loanrisk/eda/quantiles.hpp"

namespace loanrisk::eda {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

std::vector<double> sorted_finite(const std::vector<double>& values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

ColumnSummary describe(const std::vector<double>& values, const std::vector<double>& sorted) {
  ColumnSummary s;
  s.count = sorted.size();
  s.missing = values.size() - sorted.size();
  if (s.count == 0) {
    s.mean = s.std = s.min = s.q1 = s.median = s.q3 = s.max = s.skewness = s.kurtosis = kNaN;
    return s;
  }
  const double n = static_cast<double>(s.count);
  double sum = 0.0;
  for (double v : sorted) sum += v;
  s.mean = sum / n;
  double m2 = 0.0, m3 = 0.0, m4 = 0.0;
  for (double v : sorted) {
    const double d = v - s.mean, d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  s.std = s.count > 1 ? std::sqrt(m2 / (n - 1.0)) : kNaN;
  s.min = sorted.front();
  s.max = sorted.back();
  s.q1 = quantile_sorted(sorted, 0.25);
  s.median = quantile_sorted(sorted, 0.5);
  s.q3 = quantile_sorted(sorted, 0.75);
  s.constant = s.min == s.max;
  if (s.count < 3) {
    s.skewness = kNaN;
  } else if (s.constant || m2 == 0.0) {
    s.skewness = 0.0;
  } else {
    s.skewness = (n * std::sqrt(n - 1.0) / (n - 2.0)) * (m3 / std::pow(m2, 1.5));
  }
  if (s.count < 4) {
    s.kurtosis = kNaN;
  } else if (s.constant || m2 == 0.0) {
    s.kurtosis = 0.0;
  } else {
    const double adj = 3.0 * (n - 1.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0));
    const double numerator = n * (n + 1.0) * (n - 1.0) * m4;
    const double denominator = (n - 2.0) * (n - 3.0) * m2 * m2;
    s.kurtosis = numerator / denominator - adj;
  }
  return s;
}

Histogram histogram(const std::vector<double>& values, const std::vector<double>& target,
                    std::size_t bins) {
  Histogram h;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(lo <= hi) || bins == 0) return h;
  if (lo == hi) bins = 1;
  const double width = (hi - lo) / static_cast<double>(bins);
  h.edges.resize(bins + 1);
  for (std::size_t k = 0; k <= bins; ++k) h.edges[k] = lo + width * static_cast<double>(k);
  h.edges.back() = hi;
  h.all.assign(bins, 0);
  h.negative.assign(bins, 0);
  h.positive.assign(bins, 0);
  for (std::size_t r = 0; r < values.size(); ++r) {
    const double v = values[r];
    if (!std::isfinite(v)) continue;
    std::size_t k = width > 0.0 ? static_cast<std::size_t>((v - lo) / width) : 0;
    // Rounding can put a value one bin off near an edge; the edges decide, as numpy does.
    if (k >= bins) k = bins - 1;
    if (k > 0 && v < h.edges[k]) --k;
    if (k + 1 < bins && v >= h.edges[k + 1]) ++k;
    ++h.all[k];
    ++(target[r] == 1.0 ? h.positive : h.negative)[k];
  }
  return h;
}

}  // namespace loanrisk::eda
