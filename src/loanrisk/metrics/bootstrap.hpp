#pragma once
// Bootstrap confidence intervals of the headline metrics: rows resampled with replacement (seeded,
// portable RNG), each resample scored at the same threshold, percentile intervals.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// A metric on the full set and its percentile interval over resamples.
struct MetricInterval {
  double estimate = 0;
  double lower = 0;           ///< (1 - level) / 2 percentile
  double upper = 0;           ///< (1 + level) / 2 percentile
  std::size_t resamples = 0;  ///< resamples where the metric was defined (both classes present)
};

/// Options of bootstrap_intervals.
struct BootstrapOptions {
  std::size_t resamples = 1000;
  std::uint64_t seed = 42;
  double level = 0.95;
};

/// Intervals for auc_roc, pr_auc, f1, recall, precision, accuracy, brier, log_loss and ks at
/// threshold. InputError as evaluate_classification; UsageError for 0 resamples or a level
/// outside (0, 1).
std::map<std::string, MetricInterval> bootstrap_intervals(const std::vector<double>& y,
                                                          const std::vector<double>& p,
                                                          double threshold,
                                                          const BootstrapOptions& options = {});

/// {"metric": {"estimate", "lower", "upper", "resamples"}, ...}; NaN written as null.
nlohmann::json to_json(const std::map<std::string, MetricInterval>& intervals);

}  // namespace loanrisk
