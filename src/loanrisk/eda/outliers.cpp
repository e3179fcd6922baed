// IQR and z-score outliers. The fences are those of FeaturePipeline's rules taken one at a time,
// so the report shows what each rule would cap or drop on its own.
#include "loanrisk/eda/outliers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "loanrisk/eda/quantiles.hpp"

namespace loanrisk::eda {

OutlierSummary find_outliers(const std::vector<double>& values, const std::vector<double>& sorted,
                             const std::vector<double>& target, double iqr_factor,
                             double z_threshold) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  OutlierSummary o;
  o.iqr_factor = iqr_factor;
  o.z_threshold = z_threshold;
  if (sorted.empty()) {
    o.q1 = o.q3 = o.iqr = o.lower = o.upper = o.mean = o.std = kNaN;
    o.default_rate_outliers = o.default_rate_rest = kNaN;
    o.box = {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
    return o;
  }
  o.q1 = quantile_sorted(sorted, 0.25);
  o.q3 = quantile_sorted(sorted, 0.75);
  o.iqr = o.q3 - o.q1;
  o.lower = o.q1 - iqr_factor * o.iqr;
  o.upper = o.q3 + iqr_factor * o.iqr;
  const double n = static_cast<double>(sorted.size());
  double sum = 0.0;
  for (double v : sorted) sum += v;
  o.mean = sum / n;
  double squares = 0.0;
  for (double v : sorted) squares += (v - o.mean) * (v - o.mean);
  o.std = std::sqrt(squares / n);

  double bad_out = 0.0, bad_rest = 0.0;
  std::size_t rest = 0;
  for (std::size_t r = 0; r < values.size(); ++r) {
    const double v = values[r];
    if (!std::isfinite(v)) continue;
    const bool by_iqr = v < o.lower || v > o.upper;
    const bool by_z = o.std > 0.0 && std::fabs((v - o.mean) / o.std) > z_threshold;
    o.iqr_count += by_iqr;
    o.z_count += by_z;
    o.both += by_iqr && by_z;
    if (by_iqr || by_z) {
      ++o.either;
      bad_out += target[r];
    } else {
      ++rest;
      bad_rest += target[r];
    }
  }
  o.default_rate_outliers = o.either > 0 ? bad_out / static_cast<double>(o.either) : kNaN;
  o.default_rate_rest = rest > 0 ? bad_rest / static_cast<double>(rest) : kNaN;

  o.box.min = sorted.front();
  o.box.max = sorted.back();
  o.box.q1 = o.q1;
  o.box.q3 = o.q3;
  o.box.median = quantile_sorted(sorted, 0.5);
  o.box.whisker_low = *std::lower_bound(sorted.begin(), sorted.end(), o.lower);
  o.box.whisker_high = *(std::upper_bound(sorted.begin(), sorted.end(), o.upper) - 1);
  return o;
}

}  // namespace loanrisk::eda
