#pragma once
// The learning curves of pruner_reference.py and the decisions Optuna's SuccessiveHalvingPruner
// made on them, pinned from that script (Optuna 3.1, Debian's python3-optuna).
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace loanrisk::testing {

/// Trials the reference runs, one after another.
inline constexpr int kReferenceTrials = 24;

/// Trial i's intermediate value at `step` (reported at 10, 20, ..., 100); NaN for trial 7 at 30.
inline double reference_curve(int i, std::int64_t step) {
  if (i == 7 && step == 30) return std::numeric_limits<double>::quiet_NaN();
  const double level = ((i * 37) % 23) / 23.0;
  const double speed = 10.0 + ((i * 11) % 7) * 10.0;
  const auto s = static_cast<double>(step);
  return level * s / (s + speed) + static_cast<double>((i * 5 + step) % 9) / 1000.0;
}

/// {(min_resource, reduction_factor), step each trial was pruned at (0: completed)}.
inline std::vector<std::pair<std::pair<int, int>, std::vector<std::int64_t>>>
optuna_pruned_steps() {
  return {
      {{1, 4},
       {0, 0, 10, 0, 10, 10, 70, 10, 0, 20, 10, 70, 10, 0, 70, 10, 0, 10, 0, 10, 10, 0, 10, 10}},
      {{10, 3},
       {0, 0, 10, 0, 10, 10, 90, 30, 0, 90, 10, 0, 10, 0, 90, 10, 0, 10, 0, 10, 10, 0, 10, 10}},
      {{25, 2},
       {0, 0, 30, 0, 30, 30, 0, 30, 0, 50, 30, 0, 30, 0, 100, 30, 0, 30, 0, 30, 30, 0, 30, 30}},
  };
}

}  // namespace loanrisk::testing
