// Quantiles with numpy's linear method, written with numpy's two-sided lerp so results match it bit
// for bit, and the equal-frequency bins built on them.
#include "loanrisk/eda/quantiles.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loanrisk::eda {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  const double t = h - static_cast<double>(lo);
  const double a = sorted[lo], b = sorted[lo + 1], diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

std::vector<double> quantile_edges(const std::vector<double>& sorted, std::size_t bins) {
  std::vector<double> edges;
  if (sorted.empty() || bins == 0) return edges;
  edges.reserve(bins + 1);
  for (std::size_t k = 0; k <= bins; ++k) {
    // k * (1 / bins), as numpy.linspace computes the probabilities pandas.qcut asks for.
    const double q = static_cast<double>(k) * (1.0 / static_cast<double>(bins));
    const double e = k == bins ? sorted.back() : quantile_sorted(sorted, q);
    if (edges.empty() || e > edges.back()) edges.push_back(e);
  }
  return edges;
}

std::size_t bin_index(const std::vector<double>& edges, double v) {
  if (edges.size() < 2) return 0;
  // First inner edge >= v; inner edges are e[1] .. e[n-2], the last bin takes the rest.
  const auto first = edges.begin() + 1;
  const auto last = edges.end() - 1;
  return static_cast<std::size_t>(std::lower_bound(first, last, v) - first);
}

std::size_t bin_count(const std::vector<double>& edges) {
  return edges.size() <= 1 ? edges.size() : edges.size() - 1;
}

}  // namespace loanrisk::eda
