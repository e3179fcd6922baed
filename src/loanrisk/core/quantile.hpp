#pragma once
// The one quantile every layer uses (feature fences, EDA summaries and bins, drift sketches,
// bootstrap intervals), so that they all cut a column the same way numpy does.
#include <vector>

namespace loanrisk {

/// Quantile q in [0, 1] of sorted values by linear interpolation between order statistics (numpy's
/// and pandas' default, with numpy's two-sided lerp so results match it bit for bit). NaN when
/// empty.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace loanrisk
