#include "loanrisk/tuning/pruner.hpp"

#include <algorithm>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

bool MedianPruner::should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                                const std::vector<PrunerTrial>& others) const {
  if (step < settings_.warmup_steps || current.empty()) return false;
  int completed = 0;
  std::vector<double> at_step;
  for (const auto& t : others) {
    if (!t.complete) continue;
    ++completed;
    const auto it = t.intermediate.find(step);
    if (it != t.intermediate.end()) at_step.push_back(it->second);
  }
  if (completed < settings_.startup_trials || at_step.empty()) return false;
  std::sort(at_step.begin(), at_step.end());
  const std::size_t n = at_step.size();
  const double median = n % 2 ? at_step[n / 2] : 0.5 * (at_step[n / 2 - 1] + at_step[n / 2]);
  double best = current.begin()->second;
  for (const auto& [s, v] : current) best = std::max(best, v);
  return best < median;
}

bool SuccessiveHalvingPruner::should_prune(const std::map<std::int64_t, double>& current,
                                           std::int64_t step,
                                           const std::vector<PrunerTrial>& others) const {
  // Only a step that is a rung boundary decides anything.
  std::int64_t rung_step = std::max(settings_.min_resource, 1);
  while (rung_step < step) rung_step *= std::max(settings_.reduction_factor, 2);
  if (rung_step != step) return false;
  const auto mine = current.find(step);
  if (mine == current.end()) return false;
  std::vector<double> competing{mine->second};
  for (const auto& t : others) {
    const auto it = t.intermediate.find(step);
    if (it != t.intermediate.end()) competing.push_back(it->second);
  }
  std::sort(competing.begin(), competing.end());
  std::size_t promotable =
      competing.size() / static_cast<std::size_t>(std::max(settings_.reduction_factor, 2));
  promotable = promotable == 0 ? 0 : promotable - 1;
  return mine->second < competing[competing.size() - 1 - promotable];
}

std::unique_ptr<Pruner> make_pruner(const PrunerSettings& settings) {
  if (settings.kind == "none") return nullptr;
  if (settings.kind == "median") return std::make_unique<MedianPruner>(settings);
  if (settings.kind == "successive_halving") {
    return std::make_unique<SuccessiveHalvingPruner>(settings);
  }
  throw UsageError("unknown pruner '" + settings.kind +
                   "'; pruners: none, median, successive_halving");
}

}  // namespace loanrisk
