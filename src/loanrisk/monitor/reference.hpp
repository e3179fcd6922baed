#pragma once
// The training distribution a bundle carries in reference.json: per raw input feature and for the
// calibrated score, the EDA's quantile bins and shares plus a quantile sketch (for KS and
// Wasserstein) and the mean and standard deviation. Format in docs/monitoring.md.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/eda/reference.hpp"

namespace loanrisk::monitor {

/// Points of the quantile sketch: the percentiles 0, 1, ..., 100.
inline constexpr std::size_t kSketchPoints = 101;
/// Quantile bins per feature (the EDA's default).
inline constexpr std::size_t kReferenceBins = 10;

/// The reference of one feature (or of the score).
struct FeatureReference {
  eda::ReferenceDistribution bins;  ///< quantile edges and shares, as the EDA writes them.
  std::vector<double> quantiles;    ///< kSketchPoints evenly spaced quantiles.
  double mean = 0, std = 0;         ///< population standard deviation of the training values.
  double missing_share = 0;         ///< training rows without a (finite) value; PSI bins them.

  const std::string& name() const { return bins.feature; }
};

/// Every monitored feature and the score.
struct ModelReference {
  std::vector<FeatureReference> features;  ///< raw input features, in schema order.
  FeatureReference score;                  ///< the calibrated PD.
  std::size_t rows = 0;                    ///< training rows it was computed on.

  /// The reference.json document.
  nlohmann::json to_json() const;
  /// Parses reference.json; InputError naming `source` and the field at fault.
  static ModelReference from_json(const nlohmann::json& j, const std::string& source);
};

/// The reference of one column of values (non-finite values are missing: counted in
/// missing_share, left out of the bins and the sketch).
FeatureReference feature_reference(const std::string& name, const std::vector<double>& values,
                                   std::size_t bins = kReferenceBins);

/// The reference of the named columns of a frame and of the scores of its rows.
ModelReference build_reference(const Frame& frame, const std::vector<std::string>& features,
                               const std::vector<double>& scores);

}  // namespace loanrisk::monitor
