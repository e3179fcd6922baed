#pragma once
// Pruners stop unpromising trials early from their intermediate values (the running validation
// composite every few boosting rounds, or the running mean over CV folds), as Optuna's do.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loanrisk {

/// A trial's values at successive-halving rungs (rung number to value). They are recorded when the
/// pruner decides, not derived from the intermediate values afterwards: a trial pruned at the
/// first of two rungs one report reaches never competes at the second (Optuna's system attrs).
using RungValues = std::map<int, double>;

/// What a pruner knows of another trial: its intermediate values by step and whether it finished.
struct PrunerTrial {
  std::int64_t number = 0;
  bool complete = false;  ///< COMPLETE (the median pruner compares with those only).
  std::map<std::int64_t, double> intermediate;
  RungValues rungs;  ///< empty for trials recorded before rungs were stored (then derived).
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
  /// study's other trials; rungs holds the running trial's rung values, and the pruner adds the
  /// ones it decides at (the caller keeps them for the other trials). A NaN value at `step`
  /// prunes; NaN values of other trials are ignored.
  virtual bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                            const std::vector<PrunerTrial>& others, RungValues& rungs) const = 0;
  /// The same for a trial that has no rung value yet.
  bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                    const std::vector<PrunerTrial>& others) const {
    RungValues rungs;
    return should_prune(current, step, others, rungs);
  }
};

/// Prunes when the trial's best value so far is below the median of completed trials at the step.
class MedianPruner final : public Pruner {
 public:
  /// Uses startup_trials and warmup_steps.
  explicit MedianPruner(PrunerSettings settings) : settings_(settings) {}
  using Pruner::should_prune;
  bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                    const std::vector<PrunerTrial>& others, RungValues& rungs) const override;

 private:
  PrunerSettings settings_;
};

/// Asynchronous successive halving as Optuna's SuccessiveHalvingPruner: rung k is at step
/// min_resource * factor^k; the first report at or past a rung the trial has not passed yet
/// records its value there, and the trial continues only when that value is in the top 1/factor
/// of the values recorded at the rung (alone or among fewer than factor: only when best). One
/// report can pass several rungs.
class SuccessiveHalvingPruner final : public Pruner {
 public:
  /// Uses min_resource and reduction_factor.
  explicit SuccessiveHalvingPruner(PrunerSettings settings) : settings_(settings) {}
  using Pruner::should_prune;
  bool should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                    const std::vector<PrunerTrial>& others, RungValues& rungs) const override;

 private:
  PrunerSettings settings_;
};

/// The pruner the settings name (nullptr for "none"); UsageError listing the valid names.
std::unique_ptr<Pruner> make_pruner(const PrunerSettings& settings);

}  // namespace loanrisk
