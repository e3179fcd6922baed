// Reference distributions: the same quantile bins as the WOE table, so the EDA, the model's IV and
// the drift monitor all cut a feature in the same places.
#include "loanrisk/eda/reference.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/eda/quantiles.hpp"

namespace loanrisk::eda {

nlohmann::json ReferenceDistribution::to_json() const {
  return {{"feature", feature}, {"edges", edges}, {"shares", shares}, {"count", count}};
}

ReferenceDistribution reference_distribution(const std::string& feature,
                                             const std::vector<double>& values,
                                             const std::vector<double>& sorted, std::size_t bins) {
  ReferenceDistribution ref;
  ref.feature = feature;
  ref.edges = quantile_edges(sorted, bins);
  ref.count = sorted.size();
  std::vector<std::size_t> counts(bin_count(ref.edges), 0);
  for (double v : values) {
    if (std::isfinite(v)) ++counts[bin_index(ref.edges, v)];
  }
  ref.shares.resize(counts.size());
  for (std::size_t k = 0; k < counts.size(); ++k) {
    ref.shares[k] = static_cast<double>(counts[k]) / static_cast<double>(ref.count);
  }
  return ref;
}

}  // namespace loanrisk::eda
