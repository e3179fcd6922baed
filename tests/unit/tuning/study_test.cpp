// Studies with a made-up objective in a throwaway SQLite store: successive halving through the
// store decides as Optuna does, pruned trials carry no final metrics, NaN objectives never rank, a
// study asked to stop ends its trial in flight as FAIL and resumes where it stopped.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>

#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/study.hpp"
#include "support/test_support.hpp"
#include "unit/tuning/pruner_reference.hpp"

namespace loanrisk::testing {
namespace {

StudyRequest request(const TempDir& dir, const std::string& pruner, int trials) {
  StudyRequest r;
  r.store_uri = "sqlite:///" + (dir / "store.db").string();
  r.name = "curves";
  r.family = "xgboost";
  r.space = default_search_space("xgboost");
  r.settings.trials = trials;
  r.settings.pruner.kind = pruner;
  return r;
}

// Reports trial `number`'s reference curve every 10 steps up to 100, as a boosted model would.
TrialEvaluation curve_trial(std::int64_t number, const IntermediateReporter& report) {
  const int i = static_cast<int>(number);
  TrialEvaluation e;
  for (std::int64_t step = 10; step <= 100; step += 10) {
    e.value = reference_curve(i, step);
    if (!report(step, e.value)) {
      e.pruned = true;
      return e;
    }
  }
  e.auc_roc = 0.9;
  e.pr_auc = 0.8;
  e.f1 = 0.7;
  return e;
}

TEST(Study, SuccessiveHalvingWithDefaultsPrunesAsOptunaDoes) {
  TempDir dir;
  const auto out =
      run_study(request(dir, "successive_halving", kReferenceTrials),
                [](const ParamValues&, std::int64_t number, const IntermediateReporter& report) {
                  return curve_trial(number, report);
                });
  const std::vector<std::int64_t> expected = optuna_pruned_steps().at(0).second;  // defaults 1, 4
  ASSERT_EQ(out.trials.size(), expected.size());
  auto store = open_store(request(dir, "none", 0).store_uri);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("trial " + std::to_string(i));
    const TrialRecord& t = out.trials[i];
    EXPECT_EQ(t.state, expected[i] ? TrialState::kPruned : TrialState::kComplete);
    EXPECT_EQ(t.rungs.at(0), t.intermediate.at(0).second);  // rung 1 reached at step 10
    const RunRecord run = store->get_run_record(t.run_id);
    if (expected[i] != 0) {
      EXPECT_EQ(t.intermediate.back().first, expected[i]);
      // A pruned model was never finished: no final metrics, not zeros.
      EXPECT_EQ(run.metrics.count("validation_auc_roc"), 0u);
      EXPECT_EQ(run.metrics.count("validation_composite"), 0u);
      EXPECT_EQ(run.tags.at("loanrisk.pruned_at_step"), std::to_string(expected[i]));
    } else {
      EXPECT_EQ(t.intermediate.back().first, 100);
      EXPECT_EQ(run.metrics.at("validation_auc_roc"), 0.9);
    }
  }
}

TEST(Study, NanIntermediateValuesPruneAndNanObjectivesFail) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::string pruner : {"median", "successive_halving"}) {
    SCOPED_TRACE(pruner);
    TempDir dir;
    const auto out = run_study(request(dir, pruner, 3), [&](const ParamValues&, std::int64_t,
                                                            const IntermediateReporter& report) {
      TrialEvaluation e;
      e.value = nan;
      e.pruned = !report(10, nan);
      return e;
    });
    ASSERT_EQ(out.trials.size(), 3u);
    for (const auto& t : out.trials) {
      EXPECT_EQ(t.state, TrialState::kPruned);
      EXPECT_FALSE(t.value.has_value());
      EXPECT_TRUE(t.intermediate.empty());  // a NaN is not something to compete with
    }
    EXPECT_FALSE(out.best.has_value());
  }
  TempDir dir;
  const auto out = run_study(request(dir, "none", 2), [&](const ParamValues&, std::int64_t number,
                                                          const IntermediateReporter&) {
    TrialEvaluation e;
    e.value = number == 0 ? nan : 0.5;
    return e;
  });
  ASSERT_EQ(out.trials.size(), 2u);
  EXPECT_EQ(out.trials[0].state, TrialState::kFail);
  auto store = open_store(request(dir, "none", 0).store_uri);
  EXPECT_EQ(store->get_run_record(out.trials[0].run_id).tags.at("loanrisk.error"),
            "the objective value is NaN");
  ASSERT_TRUE(out.best.has_value());
  EXPECT_EQ(out.best->number, 1);
}

TEST(Study, AStopEndsTheTrialInFlightAsFailAndTheStudyResumes) {
  TempDir dir;
  std::atomic<bool> stop{false};
  StudyRequest req = request(dir, "none", 10);
  req.should_stop = [&] { return stop.load(); };
  // Trials 0 and 1 complete; trial 2 is asked to stop at its third report (step 30).
  const auto out =
      run_study(req, [&](const ParamValues&, std::int64_t number, const IntermediateReporter& rep) {
        TrialEvaluation e;
        for (std::int64_t step = 10; step <= 50; step += 10) {
          if (number == 2 && step == 30) stop = true;
          e.value = 0.5 + 0.01 * static_cast<double>(number);
          if (!rep(step, e.value)) {
            e.pruned = true;
            return e;
          }
        }
        return e;
      });
  EXPECT_TRUE(out.stopped);
  ASSERT_EQ(out.trials.size(), 3u);
  EXPECT_EQ(out.trials[0].state, TrialState::kComplete);
  EXPECT_EQ(out.trials[1].state, TrialState::kComplete);
  const TrialRecord& interrupted = out.trials[2];
  EXPECT_EQ(interrupted.state, TrialState::kFail);  // as Optuna records a trial Ctrl-C ended
  EXPECT_FALSE(interrupted.value.has_value());
  EXPECT_EQ(interrupted.intermediate.back().first, 30);  // what it reported is kept
  auto store = open_store(req.store_uri);
  const RunRecord run = store->get_run_record(interrupted.run_id);
  EXPECT_EQ(run.run.status, RunStatus::kKilled);
  EXPECT_EQ(run.tags.at("loanrisk.error"), "stopped: the study was asked to stop at step 30");
  EXPECT_EQ(run.tags.at("loanrisk.trial_state"), "FAIL");
  EXPECT_EQ(store->get_run(out.study.parent_run_id).status, RunStatus::kKilled);

  // The same study again: it resumes at trial 3 and ends as any study does.
  stop = false;
  req.settings.trials = 2;
  const auto resumed =
      run_study(req, [](const ParamValues&, std::int64_t, const IntermediateReporter&) {
        TrialEvaluation e;
        e.value = 0.9;
        return e;
      });
  EXPECT_FALSE(resumed.created);
  EXPECT_FALSE(resumed.stopped);
  EXPECT_EQ(resumed.orphans_failed, 0);  // nothing was left RUNNING
  ASSERT_EQ(resumed.trials.size(), 5u);
  EXPECT_EQ(resumed.trials[3].number, 3);
  EXPECT_EQ(resumed.trials[4].state, TrialState::kComplete);
  EXPECT_EQ(resumed.best->number, 3);
  EXPECT_EQ(store->get_run(out.study.parent_run_id).status, RunStatus::kFinished);

  // Asked before the first trial: none starts.
  stop = true;
  const auto none =
      run_study(req, [](const ParamValues&, std::int64_t, const IntermediateReporter&) {
        ADD_FAILURE() << "a trial started after the stop";
        return TrialEvaluation{};
      });
  EXPECT_TRUE(none.stopped);
  EXPECT_EQ(none.trials.size(), 5u);
}

}  // namespace
}  // namespace loanrisk::testing
