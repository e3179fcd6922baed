#include "loanrisk/tuning/pruner.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>

#include "loanrisk/core/error.hpp"

namespace loanrisk {

namespace {

// The value a trial recorded at a rung; for trials stored before rung values were (no rung at
// all), the first intermediate value at or past the rung's step, as a report there would have.
std::optional<double> rung_value(const PrunerTrial& t, int rung, std::int64_t rung_step) {
  if (!t.rungs.empty()) {
    const auto it = t.rungs.find(rung);
    return it == t.rungs.end() ? std::nullopt : std::optional<double>(it->second);
  }
  const auto it = t.intermediate.lower_bound(rung_step);
  return it == t.intermediate.end() ? std::nullopt : std::optional<double>(it->second);
}

}  // namespace

bool MedianPruner::should_prune(const std::map<std::int64_t, double>& current, std::int64_t step,
                                const std::vector<PrunerTrial>& others,
                                RungValues& /*rungs*/) const {
  const auto mine = current.find(step);
  // A NaN objective never recovers into something comparable: stop before any comparison.
  if (mine != current.end() && std::isnan(mine->second)) return true;
  if (step < settings_.warmup_steps || current.empty()) return false;
  int completed = 0;
  std::vector<double> at_step;
  for (const auto& t : others) {
    if (!t.complete) continue;
    ++completed;
    const auto it = t.intermediate.find(step);
    if (it != t.intermediate.end() && !std::isnan(it->second)) at_step.push_back(it->second);
  }
  if (completed < settings_.startup_trials || at_step.empty()) return false;
  std::sort(at_step.begin(), at_step.end());
  const std::size_t n = at_step.size();
  const double median = n % 2 ? at_step[n / 2] : 0.5 * (at_step[n / 2 - 1] + at_step[n / 2]);
  double best = -std::numeric_limits<double>::infinity();
  for (const auto& [s, v] : current) {
    if (!std::isnan(v)) best = std::max(best, v);
  }
  return best < median;
}

bool SuccessiveHalvingPruner::should_prune(const std::map<std::int64_t, double>& current,
                                           std::int64_t step,
                                           const std::vector<PrunerTrial>& others,
                                           RungValues& rungs) const {
  const auto mine = current.find(step);
  if (mine == current.end()) return false;
  const double value = mine->second;
  // Stricter than Optuna, which waits for the next rung: a NaN never becomes comparable again.
  if (std::isnan(value)) return true;
  const auto factor = static_cast<std::int64_t>(std::max(settings_.reduction_factor, 2));
  int rung = 0;
  while (rungs.count(rung) != 0) ++rung;
  std::int64_t rung_step = std::max<std::int64_t>(settings_.min_resource, 1);
  for (int k = 0; k < rung; ++k) {
    if (rung_step > std::numeric_limits<std::int64_t>::max() / factor) return false;
    rung_step *= factor;
  }
  // Optuna's loop: every rung this report reaches, in order, until one is not passed.
  while (step >= rung_step) {
    rungs[rung] = value;
    std::vector<double> competing{value};
    for (const auto& t : others) {
      const auto v = rung_value(t, rung, rung_step);
      if (v && !std::isnan(*v)) competing.push_back(*v);
    }
    // The top competing.size() / factor continue; with fewer competitors than the factor, only
    // the best (Optuna cannot resume a trial once it has been pruned).
    const std::size_t kept =
        std::max<std::size_t>(competing.size() / static_cast<std::size_t>(factor), 1);
    std::nth_element(competing.begin(), competing.begin() + static_cast<std::ptrdiff_t>(kept - 1),
                     competing.end(), std::greater<>());
    if (value < competing[kept - 1]) return true;
    ++rung;
    if (rung_step > std::numeric_limits<std::int64_t>::max() / factor) return false;
    rung_step *= factor;
  }
  return false;
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
