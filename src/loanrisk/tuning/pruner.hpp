#pragma once
// Pruners stop unpromising trials early from their intermediate values (the running validation
// composite every few boosting rounds, or the running mean over CV folds), as Optuna's do.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loanrisk {

/// What a pruner knows of another trial: its intermediate values by step and whether it finished.
struct PrunerTrial {
  std::int64_t number = 0;
  bool complete = false;  ///< COMPLETE (the median pruner compares with those only).
  std::map<std::int64_t, double> intermediate;
};

/// Pruner settings (Optuna's defaults).
struct PrunerSettings {
  std::string kind = "median";  ///< "none", "median" or "successive_halving".
  int startup_trials = 5;       ///< median: no pruning until this many trials completed.
  int warmup_steps = 0;         ///< median: no pruning before this step.
  int min_resource = 1;         ///< successive halving: the first rung's step.
  int reduction_factor = 4;     ///< successive halving: keep the top 1/factor at each rung.
};

/// Decides whether a running trial stops (studies maximise).
class Pruner {
 public:
  virtual ~Pruner() = default;
  /// current holds the running trial's values so far (the last one at `step`); others are the
  /// study's other trials.
  virtual bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                            const std::vector<PrunerTrial>& others) const = 0;
};

/// Prunes when the trial's best value so far is below the median of completed trials at the step.
class MedianPruner final : public Pruner {
 public:
  /// Uses startup_trials and warmup_steps.
  explicit MedianPruner(PrunerSettings settings) : settings_(settings) {}
  bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                    const std::vector<PrunerTrial>& others) const override;

 private:
  PrunerSettings settings_;
};

/// Asynchronous successive halving: at rung k (step min_resource * factor^k) a trial continues
/// only when its value is in the top 1/factor of the trials that reached that rung.
class SuccessiveHalvingPruner final : public Pruner {
 public:
  /// Uses min_resource and reduction_factor.
  explicit SuccessiveHalvingPruner(PrunerSettings settings) : settings_(settings) {}
  bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                    const std::vector<PrunerTrial>& others) const override;

 private:
  PrunerSettings settings_;
};

/// The pruner the settings name (nullptr for "none"); UsageError listing the valid names.
std::unique_ptr<Pruner> make_pruner(const PrunerSettings& settings);

}  // namespace loanrisk
