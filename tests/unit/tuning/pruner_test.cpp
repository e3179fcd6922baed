// Median and successive-halving pruners on hand-made intermediate values.
#include <gtest/gtest.h>

#include <limits>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/pruner.hpp"
#include "support/test_support.hpp"
#include "unit/tuning/pruner_reference.hpp"

namespace loanrisk::testing {
namespace {

std::vector<PrunerTrial> completed(const std::vector<double>& at_step_1) {
  std::vector<PrunerTrial> out;
  std::int64_t n = 0;
  for (double v : at_step_1) out.push_back({n++, true, {{1, v}}, {}});
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
  with_running.push_back({9, false, {{1, 0.99}}, {}});
  EXPECT_FALSE(pruner.should_prune({{1, 0.1}}, 1, with_running));
}

TEST(MedianPruner, UsesTheBestValueSoFarAndHonoursWarmUp) {
  PrunerSettings s;
  s.startup_trials = 1;
  s.warmup_steps = 2;
  const MedianPruner pruner(s);
  std::vector<PrunerTrial> others{{0, true, {{1, 0.8}, {2, 0.8}}, {}}, {1, true, {{2, 0.6}}, {}}};
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
  for (int i = 0; i < 7; ++i) others.push_back({i, true, {{10, 0.1 * i}}, {}});  // 0 .. 0.6
  // 8 values at rung 10: the top 8 / 4 = 2 continue, i.e. >= 0.5.
  EXPECT_FALSE(pruner.should_prune({{10, 0.55}}, 10, others));
  EXPECT_TRUE(pruner.should_prune({{10, 0.45}}, 10, others));
  // A first report past the rung (rungs are 10, 40, 160) decides there too, as Optuna does.
  EXPECT_TRUE(pruner.should_prune({{20, 0.0}}, 20, others));
  // Between rungs a trial that passed rung 10 is not judged again.
  RungValues passed{{0, 0.55}};
  EXPECT_FALSE(pruner.should_prune({{10, 0.55}, {20, 0.0}}, 20, others, passed));
  // Alone at a rung: promoted only when best (Optuna's rule).
  EXPECT_FALSE(pruner.should_prune({{10, 0.55}, {40, 0.3}}, 40, others, passed));
  EXPECT_EQ(passed, (RungValues{{0, 0.55}, {1, 0.3}}));
}

TEST(SuccessiveHalving, DefaultsPruneWhenReportsAreEveryTenRounds) {
  // Defaults: rungs at 1, 4, 16, 64; reports at 10, 20, 30, ... reach them without equalling
  // them.
  PrunerSettings s;
  s.kind = "successive_halving";
  const SuccessiveHalvingPruner pruner(s);
  std::vector<PrunerTrial> others;
  for (int i = 0; i < 7; ++i) others.push_back({i, true, {{10, 0.1 * i}, {20, 0.1 * i}}, {}});
  RungValues rungs;
  EXPECT_TRUE(pruner.should_prune({{10, 0.45}}, 10, others, rungs));
  EXPECT_EQ(rungs, (RungValues{{0, 0.45}}));  // pruned at rung 0: never competes at rung 1
  rungs.clear();
  EXPECT_FALSE(pruner.should_prune({{10, 0.65}}, 10, others, rungs));
  EXPECT_EQ(rungs, (RungValues{{0, 0.65}, {1, 0.65}}));  // one report passed rungs 1 and 4
}

// Runs trials one after another as pruner_reference.py does; the step each was pruned at (0:
// completed).
std::vector<std::int64_t> replay(const PrunerSettings& settings) {
  const SuccessiveHalvingPruner pruner(settings);
  std::vector<PrunerTrial> study;
  std::vector<std::int64_t> pruned_at;
  for (int i = 0; i < kReferenceTrials; ++i) {
    PrunerTrial t{i, false, {}, {}};
    std::int64_t at = 0;
    for (std::int64_t step = 10; step <= 100 && at == 0; step += 10) {
      t.intermediate[step] = reference_curve(i, step);
      if (pruner.should_prune(t.intermediate, step, study, t.rungs)) at = step;
    }
    t.complete = at == 0;
    study.push_back(t);
    pruned_at.push_back(at);
  }
  return pruned_at;
}

TEST(SuccessiveHalving, MatchesOptunasDecisions) {
  for (const auto& [setting, pruned_at] : optuna_pruned_steps()) {
    SCOPED_TRACE("min_resource " + std::to_string(setting.first) + ", reduction factor " +
                 std::to_string(setting.second));
    PrunerSettings s;
    s.kind = "successive_halving";
    s.min_resource = setting.first;
    s.reduction_factor = setting.second;
    EXPECT_EQ(replay(s), pruned_at);
  }
}

TEST(Pruners, NanPrunesAndNeverEntersAComparison) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  PrunerSettings s;
  s.kind = "successive_halving";
  const SuccessiveHalvingPruner halving(s);
  // Between rungs 16 and 64, after passing the first three.
  RungValues passed{{0, 0.9}, {1, 0.9}, {2, 0.9}};
  EXPECT_TRUE(halving.should_prune({{10, 0.9}, {20, 0.9}, {30, nan}}, 30, {}, passed));
  EXPECT_EQ(passed.size(), 3u);
  // Other trials' NaN values are left out: 0.6 is the best of {0.6, 0.5}.
  std::vector<PrunerTrial> others{{0, false, {}, {{0, nan}}}, {1, false, {}, {{0, nan}}},
                                  {2, false, {}, {{0, nan}}}, {3, false, {}, {{0, nan}}},
                                  {4, false, {}, {{0, nan}}}, {5, false, {}, {{0, nan}}},
                                  {6, true, {}, {{0, 0.5}}}};
  EXPECT_FALSE(halving.should_prune({{10, 0.6}}, 10, others));
  EXPECT_TRUE(halving.should_prune({{10, 0.4}}, 10, others));

  PrunerSettings m;
  m.startup_trials = 1;
  m.warmup_steps = 50;
  const MedianPruner median(m);
  EXPECT_TRUE(median.should_prune({{10, nan}}, 10, completed({0.5})));  // even in warm-up
  m.warmup_steps = 0;
  const MedianPruner no_warmup(m);
  // Completed trials' NaN values do not count towards the median (0.5 alone).
  auto with_nan = completed({0.5, nan, nan});
  EXPECT_FALSE(no_warmup.should_prune({{1, 0.55}}, 1, with_nan));
  EXPECT_TRUE(no_warmup.should_prune({{1, 0.45}}, 1, with_nan));
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
