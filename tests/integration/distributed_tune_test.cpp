// A study shared by many `loanrisk tune` processes through PostgreSQL, as the Kubernetes Indexed
// Job in deploy/k8s/tune-job.yaml runs it (docs/scaling.md): 8 workers x 25 trials give 200
// trials with unique consecutive numbers, each sampler decision saw every trial finished before
// it, a worker killed mid-trial leaves one FAIL and no gap, and the best trial is refit once.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "integration/cli_runner.hpp"
#include "integration/tune_process.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "support/processes.hpp"

namespace loanrisk::testing {
namespace {

class DistributedTune : public ::testing::Test {
 protected:
  TempDir dir;
  std::string uri, schema;
  std::unique_ptr<Database> admin;

  void SetUp() override {
    const char* pg = std::getenv("LOANRISK_TEST_PG_URI");
    if (pg == nullptr || *pg == '\0') {
      GTEST_SKIP() << "LOANRISK_TEST_PG_URI is not set: run under scripts/with-postgres.sh (as "
                      "scripts/test.sh does) to test a study shared through PostgreSQL";
    }
    std::random_device rd;
    schema = "dist" + std::to_string(rd());
    admin = open_database(parse_store_uri(pg));
    admin->transaction(true, [&] { admin->execute_direct("CREATE SCHEMA " + schema); });
    uri = std::string(pg) + "?options=-csearch_path%3D" + schema;
    auto r = run_cli(dir, "synth --rows 1200 --seed 11 --out book.csv");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  void TearDown() override {
    if (admin) {
      admin->transaction(true,
                         [&] { admin->execute_direct("DROP SCHEMA " + schema + " CASCADE"); });
    }
  }

  std::vector<std::string> worker_args(const std::string& study, int index) const {
    return {"--data",
            "book.csv",
            "--model",
            "logistic_regression",
            "--study",
            study,
            "--store",
            uri,
            "--pruner",
            "none",
            "--quiet",
            "--out",
            "tuned-" + std::to_string(index)};
  }

  std::vector<TrialRecord> trials_of(Store& store, const std::string& study) {
    StudyStore studies(store);
    const auto s = studies.find(study);
    return s ? studies.trials(s->id) : std::vector<TrialRecord>{};
  }

  // The refit runs of a study (named STUDY-best) and the workers that say they did not refit.
  void expect_one_refit(Store& store, const std::string& study, int workers) {
    int refits = 0;
    for (const auto& run : store.list_runs(std::string("tuning"))) {
      refits += run.name == study + "-best";
    }
    EXPECT_EQ(refits, 1);
    int declined = 0;
    for (int i = 0; i < workers; ++i) {
      declined += slurp(dir / ("w" + std::to_string(i) + ".out")).find("not refit here") !=
                  std::string::npos;
    }
    EXPECT_EQ(declined, workers - 1);
  }
};

std::set<std::int64_t> numbers_in(const std::string& list) {
  std::set<std::int64_t> out;
  std::stringstream in(list);
  for (std::string n; std::getline(in, n, ',');) out.insert(std::stoll(n));
  return out;
}

TEST_F(DistributedTune, EightWorkersOfTwentyFiveTrialsShareOneStudy) {
  std::vector<pid_t> workers;
  for (int i = 0; i < 8; ++i) {
    auto args = worker_args("book", i);
    for (const char* a : {"--trials", "25", "--study-trials", "200"}) args.emplace_back(a);
    workers.push_back(start_tune(dir, args, "w" + std::to_string(i)));
  }
  for (std::size_t i = 0; i < workers.size(); ++i) {
    EXPECT_EQ(wait_exit_code(workers[i]), 0) << slurp(dir / ("w" + std::to_string(i) + ".err"));
  }
  auto store = open_store(uri);
  const auto trials = trials_of(*store, "book");
  ASSERT_EQ(trials.size(), 200u);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, static_cast<std::int64_t>(i));
    EXPECT_EQ(trials[i].state, TrialState::kComplete) << "trial " << i;
  }
  // Every trial's sampler saw every COMPLETE trial that had finished before the trial began (a
  // second of slack: a finish is stamped just before its transaction commits).
  for (const auto& t : trials) {
    const auto tags = store->get_run_record(t.run_id).tags;
    const std::set<std::int64_t> seen = numbers_in(tags.at("loanrisk.sampler_history"));
    for (const auto& u : trials) {
      if (u.ended_ms && *u.ended_ms + 1000 < t.started_ms) {
        EXPECT_TRUE(seen.count(u.number)) << "trial " << t.number << " did not see " << u.number;
      }
    }
    for (const std::int64_t n : seen) EXPECT_LT(n, 200);
  }
  expect_one_refit(*store, "book", 8);
}

TEST_F(DistributedTune, AWorkerKilledMidTrialLeavesOneFailAndNoGap) {
  constexpr int kWorkers = 4;
  std::vector<pid_t> workers;
  for (int i = 0; i < kWorkers; ++i) {
    auto args = worker_args("killed", i);
    for (const char* a : {"--study-trials", "40"}) args.emplace_back(a);
    workers.push_back(start_tune(dir, args, "w" + std::to_string(i)));
  }
  // Freeze worker 0, and kill it only while it holds a RUNNING trial: mid-trial for certain.
  auto store = open_store(uri);
  std::int64_t killed_trial = -1;
  for (int attempt = 0; attempt < 3000 && killed_trial < 0; ++attempt) {
    ::kill(workers[0], SIGSTOP);
    store->database().transaction(false, [&] {
      const auto rows = store->database().query(
          "SELECT number FROM lr_trials WHERE owner_pid = ? AND state = 'RUNNING' AND run_id <> ''",
          {std::int64_t{workers[0]}});
      if (!rows.empty()) killed_trial = rows[0].integer(0);
    });
    if (killed_trial >= 0) break;
    ::kill(workers[0], SIGCONT);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(killed_trial, 0) << "worker 0 never held a running trial";
  ::kill(workers[0], SIGKILL);
  EXPECT_EQ(wait_exit_code(workers[0]), 128 + SIGKILL);
  for (int i = 1; i < kWorkers; ++i) {
    EXPECT_EQ(wait_exit_code(workers[i]), 0) << slurp(dir / ("w" + std::to_string(i) + ".err"));
  }
  const auto trials = trials_of(*store, "killed");
  ASSERT_EQ(trials.size(), 40u);  // the others took the killed worker's share
  int failed = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, static_cast<std::int64_t>(i));
    EXPECT_NE(trials[i].state, TrialState::kRunning) << "trial " << i;
    failed += trials[i].state == TrialState::kFail;
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(trials[static_cast<std::size_t>(killed_trial)].state, TrialState::kFail);
  EXPECT_EQ(store->get_run(trials[static_cast<std::size_t>(killed_trial)].run_id).status,
            RunStatus::kKilled);
  // Worker 0 never wrote its output; of the three others exactly one refit.
  int refits = 0;
  for (const auto& run : store->list_runs(std::string("tuning"))) {
    refits += run.name == "killed-best";
  }
  EXPECT_EQ(refits, 1);
}

}  // namespace
}  // namespace loanrisk::testing
