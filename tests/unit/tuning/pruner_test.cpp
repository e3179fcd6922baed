// Median and successive-halving pruners on hand-made intermediate values.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/pruner.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

std::vector<PrunerTrial> completed(const std::vector<double>& at_step_1) {
  std::vector<PrunerTrial> out;
  std::int64_t n = 0;
  for (double v : at_step_1) out.push_back({n++, true, {{1, v}}});
  return out;
}

TEST(MedianPruner, PrunesBelowTheMedianOfCompletedTrialsOnly) {
  PrunerSettings s;
  s.startup_trials = 3;
  const MedianPruner pruner(s);
  const auto others = completed({0.5, 0.7, 0.9});  // median 0.7
  EXPECT_TRUE(pruner.should_prune({{1, 0.69}}, 1, others));
  EXPECT_FALSE(pruner.should_prune({{1, 0.7}}, 1, others));
  // Running or pruned trials do not count towards the median nor the start-up trials.
  auto with_running = completed({0.5, 0.7});
  with_running.push_back({9, false, {{1, 0.99}}});
  EXPECT_FALSE(pruner.should_prune({{1, 0.1}}, 1, with_running));
}

TEST(MedianPruner, UsesTheBestValueSoFarAndHonoursWarmUp) {
  PrunerSettings s;
  s.startup_trials = 1;
  s.warmup_steps = 2;
  const MedianPruner pruner(s);
  std::vector<PrunerTrial> others{{0, true, {{1, 0.8}, {2, 0.8}}}, {1, true, {{2, 0.6}}}};
  EXPECT_FALSE(pruner.should_prune({{1, 0.1}}, 1, others));             // warm-up
  EXPECT_FALSE(pruner.should_prune({{1, 0.75}, {2, 0.5}}, 2, others));  // best 0.75 >= 0.7
  EXPECT_TRUE(pruner.should_prune({{1, 0.65}, {2, 0.5}}, 2, others));
}

TEST(SuccessiveHalving, KeepsTheTopQuarterAtEachRung) {
  PrunerSettings s;
  s.kind = "successive_halving";
  s.min_resource = 10;
  s.reduction_factor = 4;
  const SuccessiveHalvingPruner pruner(s);
  std::vector<PrunerTrial> others;
  for (int i = 0; i < 7; ++i) others.push_back({i, true, {{10, 0.1 * i}}});  // 0 .. 0.6
  // 8 values at rung 10: the top 8 / 4 = 2 continue, i.e. >= 0.5.
  EXPECT_FALSE(pruner.should_prune({{10, 0.55}}, 10, others));
  EXPECT_TRUE(pruner.should_prune({{10, 0.45}}, 10, others));
  // Not a rung (rungs are 10, 40, 160): never prunes.
  EXPECT_FALSE(pruner.should_prune({{20, 0.0}}, 20, others));
  // Alone at a rung: promoted only when best (Optuna's rule).
  EXPECT_FALSE(pruner.should_prune({{40, 0.3}}, 40, others));
}

TEST(Pruners, FactoryKnowsNoneMedianAndSuccessiveHalving) {
  PrunerSettings s;
  s.kind = "none";
  EXPECT_EQ(make_pruner(s), nullptr);
  s.kind = "hyperband";
  EXPECT_THROW_MSG(make_pruner(s), UsageError,
                   "unknown pruner 'hyperband'; pruners: none, median, successive_halving");
}

}  // namespace
}  // namespace loanrisk::testing
