#pragma once
// Samplers propose the next trial's parameters from the finished ones. Both are seeded per trial
// number: the same seed and the same history give the same proposal, whatever thread asks.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loanrisk/tuning/search_space.hpp"

namespace loanrisk {

/// A finished trial as samplers see it (studies maximise value).
struct ObservedTrial {
  std::int64_t number = 0;
  ParamValues params;
  double value = 0;
};

/// Settings shared by the samplers (Optuna's defaults).
struct SamplerSettings {
  std::string kind = "tpe";  ///< "tpe" or "random".
  std::uint64_t seed = 42;
  int startup_trials = 10;    ///< TPE samples at random until this many trials completed.
  int ei_candidates = 24;     ///< candidates drawn from l(x) and ranked by l(x) / g(x).
  bool multivariate = false;  ///< one joint Parzen estimator instead of one per parameter.
};

/// Proposes parameters for a trial.
class Sampler {
 public:
  virtual ~Sampler() = default;
  /// Parameters for trial `number` given the completed trials (order does not matter).
  virtual ParamValues sample(const SearchSpace& space, const std::vector<ObservedTrial>& history,
                             std::int64_t number) const = 0;
};

/// Uniform sampling (log-uniform for log-scaled parameters).
class RandomSampler final : public Sampler {
 public:
  /// Seeds every trial's draw from seed and the trial number.
  explicit RandomSampler(std::uint64_t seed) : seed_(seed) {}
  ParamValues sample(const SearchSpace& space, const std::vector<ObservedTrial>& history,
                     std::int64_t number) const override;

 private:
  std::uint64_t seed_;
};

/// Tree-structured Parzen Estimator as Optuna defines it: split the history at gamma(n) =
/// min(ceil(0.1 n), 25) best trials, fit truncated-Gaussian Parzen estimators l(x) (good) and g(x)
/// (rest) with a uniform prior component and Optuna's weights, draw ei_candidates from l and keep
/// the one maximising log l - log g.
class TpeSampler final : public Sampler {
 public:
  /// Uses the settings' seed, start-up trials, candidates and multivariate flag.
  explicit TpeSampler(SamplerSettings settings) : settings_(std::move(settings)) {}
  ParamValues sample(const SearchSpace& space, const std::vector<ObservedTrial>& history,
                     std::int64_t number) const override;

 private:
  SamplerSettings settings_;
};

/// The sampler the settings name; UsageError listing "tpe, random" otherwise.
std::unique_ptr<Sampler> make_sampler(const SamplerSettings& settings);

/// Optuna's default TPE weights for n observations in trial order: all 1 below 25, else a linear
/// ramp from 1/n to 1 for the oldest n - 25 and 1 for the newest 25.
std::vector<double> tpe_default_weights(std::size_t n);
/// Optuna's default gamma: the number of "good" trials among n, min(ceil(0.1 n), 25).
std::size_t tpe_default_gamma(std::size_t n);

}  // namespace loanrisk
