#include "loanrisk/monitor/compare.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/eda/quantiles.hpp"

namespace loanrisk::monitor {

std::vector<std::size_t> bin_counts(const FeatureReference& ref,
                                    const std::vector<double>& values) {
  std::vector<std::size_t> counts(ref.bins.shares.size(), 0);
  if (counts.empty()) return counts;
  for (double v : values) {
    if (std::isfinite(v)) ++counts[eda::bin_index(ref.bins.edges, v)];
  }
  return counts;
}

std::vector<BinShares> bin_shares(const FeatureReference& ref,
                                  const std::vector<std::size_t>& live) {
  std::size_t total = 0;
  for (auto c : live) total += c;
  const auto& e = ref.bins.edges;
  std::vector<BinShares> out(ref.bins.shares.size());
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[k].lo = e[k];
    out[k].hi = e.size() > k + 1 ? e[k + 1] : e[k];
    out[k].reference = ref.bins.shares[k];
    out[k].live =
        total && k < live.size() ? static_cast<double>(live[k]) / static_cast<double>(total) : 0.0;
  }
  return out;
}

FeatureDrift compare_feature(const FeatureReference& ref, const std::vector<double>& values) {
  FeatureDrift d;
  d.name = ref.name();
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  d.count = sorted.size();
  d.missing = values.size() - sorted.size();
  const auto counts = bin_counts(ref, sorted);
  d.bins = bin_shares(ref, counts);
  double sum = 0;
  for (double v : sorted) sum += v;
  d.live_mean = sorted.empty() ? std::nan("") : sum / static_cast<double>(sorted.size());
  // The sketch stands in for the training sample: KS is exact to within one percentile step.
  d.ks = ks_two_sample(ref.quantiles, sorted);
  const double w = sorted.empty()
                       ? std::nan("")
                       : wasserstein_quantiles(ref.quantiles, quantile_grid(sorted, kSketchPoints));
  d.wasserstein = ref.std > 0 ? w / ref.std : w;
  d.psi = values.size() >= kMinRows
              ? psi_with_missing(ref.bins.shares, ref.missing_share, counts, d.missing)
              : std::nan("");
  d.status = status_of(d.psi);
  return d;
}

nlohmann::json FeatureDrift::to_json(const FeatureReference& ref) const {
  nlohmann::json bs = nlohmann::json::array();
  for (const auto& b : bins) {
    bs.push_back({{"lo", b.lo}, {"hi", b.hi}, {"reference", b.reference}, {"live", b.live}});
  }
  return {{"name", name},
          {"count", count},
          {"missing_share", count + missing == 0
                                ? nlohmann::json(nullptr)
                                : nlohmann::json(static_cast<double>(missing) /
                                                 static_cast<double>(count + missing))},
          {"reference_missing_share", ref.missing_share},
          {"psi", number_or_null(psi)},
          {"ks", number_or_null(ks)},
          {"wasserstein", number_or_null(wasserstein)},
          {"mean", number_or_null(live_mean)},
          {"reference_mean", ref.mean},
          {"status", status_name(status)},
          {"bins", bs}};
}

}  // namespace loanrisk::monitor
