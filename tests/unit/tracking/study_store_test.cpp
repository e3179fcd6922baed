// Studies and trials in the store, run unchanged against SQLite and PostgreSQL: creation races,
// trial numbers allocated by several processes at once, intermediate values, and the repair of
// trials whose process was killed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "loanrisk/tracking/study_store.hpp"
#include "support/processes.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

using StudyStore_ = StoreTest;

StudyInfo wanted(const std::string& name, const std::string& parent) {
  return StudyInfo{0, name, "xgboost", R"({"space":1})", R"({"seed":1})", parent, 0};
}

TEST_P(StudyStore_, CreatesOnceThenLoadsByName) {
  auto store = open();
  StudyStore studies(*store);
  const loanrisk::Run parent = store->create_run({"tuning", "study-a", "", ""});
  auto [a, created] = studies.create_or_load(wanted("a", parent.id));
  EXPECT_TRUE(created);
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.family, "xgboost");
  EXPECT_EQ(a.space_json, R"({"space":1})");
  EXPECT_EQ(a.parent_run_id, parent.id);
  auto [again, created_again] = studies.create_or_load(wanted("a", "other"));
  EXPECT_FALSE(created_again);
  EXPECT_EQ(again.id, a.id);
  EXPECT_EQ(again.parent_run_id, parent.id);
  EXPECT_FALSE(studies.find("b").has_value());
  ASSERT_EQ(studies.list().size(), 1u);
  EXPECT_THROW_MSG(studies.create_or_load(wanted("", parent.id)), UsageError, "study name");
}

TEST_P(StudyStore_, TrialsKeepParamsStateValueAndIntermediateValues) {
  auto store = open();
  StudyStore studies(*store);
  const StudyInfo s = studies.create_or_load(wanted("s", "")).first;
  EXPECT_EQ(studies.allocate_trial(s.id), 0);
  EXPECT_EQ(studies.allocate_trial(s.id), 1);
  studies.set_trial_params(s.id, 0, {{"max_depth", 4}, {"learning_rate", 0.123456789}}, "r0");
  studies.report(s.id, 0, 10, 0.5);
  studies.report(s.id, 0, 20, 0.75);
  studies.report(s.id, 0, 20, 0.8);  // reported again: the last value wins
  studies.finish_trial(s.id, 0, TrialState::kComplete, 0.9);
  studies.finish_trial(s.id, 1, TrialState::kPruned, std::nullopt);
  const auto trials = studies.trials(s.id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].state, TrialState::kComplete);
  EXPECT_EQ(trials[0].params.at("learning_rate"), 0.123456789);
  EXPECT_EQ(trials[0].params.at("max_depth"), 4);
  EXPECT_EQ(trials[0].value, 0.9);
  EXPECT_EQ(trials[0].run_id, "r0");
  EXPECT_TRUE(trials[0].ended_ms.has_value());
  EXPECT_EQ(trials[0].intermediate,
            (std::vector<std::pair<std::int64_t, double>>{{10, 0.5}, {20, 0.8}}));
  EXPECT_EQ(trials[1].state, TrialState::kPruned);
  EXPECT_FALSE(trials[1].value.has_value());
  EXPECT_TRUE(trials[1].params.empty());
  EXPECT_THROW_MSG(studies.finish_trial(s.id, 1, TrialState::kComplete, std::nullopt),
                   InternalError, "a COMPLETE trial needs a value");
}

TEST_P(StudyStore_, FourProcessesAllocateDistinctConsecutiveTrialNumbers) {
  std::int64_t study_id = 0;
  {
    auto store = open();
    study_id = StudyStore(*store).create_or_load(wanted("shared", "")).first.id;
  }
  std::vector<pid_t> children;
  for (int w = 0; w < 4; ++w) {
    children.push_back(spawn([&] {
      auto store = open();
      StudyStore studies(*store);
      for (int i = 0; i < 25; ++i) {
        const std::int64_t n = studies.allocate_trial(study_id);
        studies.finish_trial(study_id, n, TrialState::kComplete, static_cast<double>(n));
      }
    }));
  }
  for (pid_t pid : children) EXPECT_EQ(wait_exit_code(pid), 0);
  auto store = open();
  const auto trials = StudyStore(*store).trials(study_id);
  ASSERT_EQ(trials.size(), 100u);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, static_cast<std::int64_t>(i));
    EXPECT_EQ(trials[i].state, TrialState::kComplete);
  }
}

TEST_P(StudyStore_, FourProcessesCreatingOneStudyGetOneCreator) {
  open();  // create and migrate the store before the creators race
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::vector<pid_t> children;
  for (int w = 0; w < 4; ++w) {
    children.push_back(spawn([&, w] {
      auto store = open();
      const bool created =
          StudyStore(*store).create_or_load(wanted("race", "parent-" + std::to_string(w))).second;
      const char c = created ? '1' : '0';
      if (::write(fds[1], &c, 1) != 1) throw std::runtime_error("pipe write failed");
    }));
  }
  for (pid_t pid : children) EXPECT_EQ(wait_exit_code(pid), 0);
  char buf[4] = {};
  ASSERT_EQ(::read(fds[0], buf, 4), 4);
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(std::count(buf, buf + 4, '1'), 1);
  auto store = open();
  EXPECT_EQ(StudyStore(*store).list().size(), 1u);
}

TEST_P(StudyStore_, TrialsOfAKilledProcessBecomeFailOnRepair) {
  std::int64_t study_id = 0;
  std::string run_id;
  {
    auto store = open();
    study_id = StudyStore(*store).create_or_load(wanted("killed", "")).first.id;
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = spawn([&] {
    auto store = open();
    StudyStore studies(*store);
    const std::int64_t n = studies.allocate_trial(study_id);
    const loanrisk::Run run = store->create_run({"tuning", "trial", "", ""});
    studies.set_trial_params(study_id, n, {{"max_depth", 3}}, run.id);
    const std::string id = run.id + "\n";
    if (::write(fds[1], id.data(), id.size()) < 0) ::_exit(2);
    ::pause();  // killed here, mid-trial
  });
  char buf[64] = {};
  ASSERT_EQ(::read(fds[0], buf, 33), 33);
  run_id.assign(buf, 32);
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_exit_code(child), 128 + SIGKILL);
  ::close(fds[0]);
  ::close(fds[1]);

  auto store = open(false);
  StudyStore studies(*store);
  EXPECT_EQ(studies.trials(study_id)[0].state, TrialState::kRunning);
  EXPECT_EQ(studies.fail_orphaned_trials(study_id), 1);
  EXPECT_EQ(studies.fail_orphaned_trials(study_id), 0);
  EXPECT_EQ(studies.trials(study_id)[0].state, TrialState::kFail);
  EXPECT_EQ(store->get_run(run_id).status, RunStatus::kKilled);
  // This process's own running trials are left alone.
  const std::int64_t mine = studies.allocate_trial(study_id);
  EXPECT_EQ(mine, 1);
  EXPECT_EQ(studies.fail_orphaned_trials(study_id), 0);
}

// A study shared by processes on many hosts: numbers stop at the study's budget, a trial whose
// owner (on another host: its pid means nothing here) stopped beating is failed by anyone after
// the grace period, a beating one is not, and a trial's refit is claimed once.
TEST_P(StudyStore_, ABudgetHeartbeatsAndOneRefitClaimServeASharedStudy) {
  auto store = open();
  StudyStore studies(*store);
  const std::int64_t id = studies.create_or_load(wanted("shared", "")).first.id;
  EXPECT_EQ(studies.allocate_trial(id, 3), 0);
  EXPECT_EQ(studies.allocate_trial(id, 3), 1);
  const loanrisk::Run run = store->create_run({"tuning", "trial", "", ""});
  studies.set_trial_params(id, 1, {{"C", 1}}, run.id);
  EXPECT_EQ(studies.allocate_trial(id, 3), 2);
  EXPECT_EQ(studies.allocate_trial(id, 3), std::nullopt);
  EXPECT_EQ(studies.allocate_trial(id, 0), 3);  // no budget
  EXPECT_EQ(studies.count_trials(id), (std::pair<std::int64_t, std::int64_t>{4, 4}));
  // Trials 0 and 1 belong to a pod elsewhere that last beat ten minutes ago; 2 and 3 beat now.
  store->database().transaction(true, [&] {
    store->database().exec(
        "UPDATE lr_trials SET owner_host = 'pod-7', owner_pid = 1, heartbeat = ? WHERE study_id = "
        "? AND number < 2",
        {now_ms() - 600'000, id});
  });
  studies.heartbeat(id, {2, 3});
  EXPECT_EQ(studies.fail_orphaned_trials(id), 0);  // another host: no pid to look at
  EXPECT_EQ(studies.fail_stale_trials(id, 60'000), 2);
  EXPECT_EQ(studies.fail_stale_trials(id, 60'000), 0);
  const auto trials = studies.trials(id);
  EXPECT_EQ(trials[0].state, TrialState::kFail);
  EXPECT_EQ(trials[1].state, TrialState::kFail);
  EXPECT_EQ(trials[2].state, TrialState::kRunning);
  EXPECT_EQ(store->get_run(run.id).status, RunStatus::kKilled);
  EXPECT_NE(store->get_run_record(run.id).tags.at("loanrisk.error").find("no heartbeat"),
            std::string::npos);
  EXPECT_EQ(studies.count_trials(id), (std::pair<std::int64_t, std::int64_t>{4, 2}));
  EXPECT_TRUE(studies.claim_refit(id, 2, "pod-1:10"));
  EXPECT_FALSE(studies.claim_refit(id, 2, "pod-2:11"));
  EXPECT_TRUE(studies.claim_refit(id, 3, "pod-2:11"));  // a new best is refit again
}

LOANRISK_INSTANTIATE_STORE_SUITE(StudyStore_);

}  // namespace
}  // namespace loanrisk::testing
