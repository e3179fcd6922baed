#pragma once
// Private to the tuning layer: the Parzen estimator behind TpeSampler, a weighted mixture of
// truncated Gaussians (numeric dimensions, in the sampler's internal scale) and smoothed
// categorical kernels, with a prior component, over one or several dimensions.
#include <cstddef>
#include <vector>

#include "loanrisk/core/rng.hpp"

namespace loanrisk::tuning {

/// One dimension in internal scale: numeric in [low, high], or categorical with n_choices.
struct Dimension {
  bool categorical = false;
  double low = 0, high = 1;
  std::size_t n_choices = 0;
};

/// A mixture whose k-th component has one kernel per dimension; the last component is the prior.
class ParzenEstimator {
 public:
  /// observations[i][d] is observation i in dimension d (a category index for categorical ones);
  /// weights (one per observation, any scale) are normalised with the prior's weight 1.
  /// univariate_bandwidth chooses Optuna's neighbour-gap rule (one dimension) over its
  /// multivariate Scott-like rule.
  ParzenEstimator(const std::vector<Dimension>& dims,
                  const std::vector<std::vector<double>>& observations,
                  const std::vector<double>& weights, bool univariate_bandwidth);

  /// Draws one point.
  std::vector<double> sample(Rng& rng) const;
  /// The log density at x.
  double log_pdf(const std::vector<double>& x) const;

 private:
  std::vector<Dimension> dims_;
  std::vector<double> log_weights_;                          // per component
  std::vector<double> weights_;                              // per component, normalised
  std::vector<std::vector<double>> mus_;                     // [component][dim] (numeric)
  std::vector<std::vector<double>> sigmas_;                  // [component][dim] (numeric)
  std::vector<std::vector<std::vector<double>>> cat_probs_;  // [component][dim][choice]
};

}  // namespace loanrisk::tuning
