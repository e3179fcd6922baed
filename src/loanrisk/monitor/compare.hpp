#pragma once
// Comparison of live values with a reference: per feature (and for the score) the PSI on the
// reference bins, the KS statistic and the normalised Wasserstein distance, and the status.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/monitor/drift.hpp"
#include "loanrisk/monitor/reference.hpp"

namespace loanrisk::monitor {

/// One bin of the reference next to the live share.
struct BinShares {
  double lo = 0, hi = 0;           ///< the bin's edges (bin 0 and the last bin are open-ended).
  double reference = 0, live = 0;  ///< shares in [0, 1].
};

/// The drift of one feature or of the score.
struct FeatureDrift {
  std::string name;
  std::size_t count = 0;    ///< finite live values compared.
  std::size_t missing = 0;  ///< live rows without a finite value (a PSI bin of their own).
  double psi = 0;           ///< NaN while count + missing < kMinRows.
  double ks = 0;            ///< against the reference's quantile sketch; NaN when no value.
  double wasserstein = 0;   ///< W1 / reference std (W1 itself when the std is 0).
  double live_mean = 0;
  Status status = Status::Insufficient;
  std::vector<BinShares> bins;

  /// {"name", "count", "missing_share", "reference_missing_share", "psi", "ks", "wasserstein",
  /// "mean", "reference_mean", "status", "bins"}; NaN as null.
  nlohmann::json to_json(const FeatureReference& ref) const;
};

/// Bins of a reference with shares from live bin counts (live 0 when there is no live row).
std::vector<BinShares> bin_shares(const FeatureReference& ref,
                                  const std::vector<std::size_t>& live);

/// Live counts per reference bin of the finite values.
std::vector<std::size_t> bin_counts(const FeatureReference& ref, const std::vector<double>& values);

/// Compares live values with one feature's reference.
FeatureDrift compare_feature(const FeatureReference& ref, const std::vector<double>& values);

}  // namespace loanrisk::monitor
