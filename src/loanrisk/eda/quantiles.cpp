// Equal-frequency bins on the quantiles of core/quantile.hpp (numpy's linear method).
#include "loanrisk/eda/quantiles.hpp"

#include <algorithm>

namespace loanrisk::eda {

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
