#pragma once
// The reference distribution of a feature, saved with the EDA and consumed by drift monitoring
// (PSI/CSI): quantile bin edges and the share of rows in each bin. Format in docs/eda.md.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk::eda {

/// Bins of one feature; shares sum to 1 over the non-missing rows.
struct ReferenceDistribution {
  std::string feature;
  std::vector<double> edges;   ///< ascending, unique; bins are (e[k], e[k + 1]], see bin_index().
  std::vector<double> shares;  ///< one per bin.
  std::size_t count = 0;       ///< non-missing rows the shares are computed on.

  /// {"feature", "edges", "shares", "count"}.
  nlohmann::json to_json() const;
};

/// The reference of one feature with `bins` quantile bins.
ReferenceDistribution reference_distribution(const std::string& feature,
                                             const std::vector<double>& values,
                                             const std::vector<double>& sorted, std::size_t bins);

}  // namespace loanrisk::eda
