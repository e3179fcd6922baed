#include "loanrisk/core/quantile.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

namespace loanrisk {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  const double t = h - static_cast<double>(lo);
  const double a = sorted[lo], b = sorted[lo + 1], diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

}  // namespace loanrisk
