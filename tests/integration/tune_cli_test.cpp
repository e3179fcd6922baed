// `loanrisk tune` as a user runs it: studies that resume, survive SIGKILL, are shared by two
// processes (SQLite, and PostgreSQL under scripts/with-postgres.sh), refit and register the best
// trial, and write their analysis.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "integration/cli_runner.hpp"
#include "integration/tune_process.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "support/processes.hpp"

namespace loanrisk::testing {
namespace {

class TuneCli : public ::testing::Test {
 protected:
  TempDir dir;
  std::string store_uri;
  void SetUp() override {
    store_uri = "sqlite:///" + (dir / "store" / "loanrisk.db").string();
    auto r = run_cli(dir, "synth --rows 1500 --seed 7 --out book.csv");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  std::vector<TrialRecord> trials_of(const std::string& uri, const std::string& study) {
    auto store = open_store(uri);
    StudyStore studies(*store);
    const auto s = studies.find(study);
    return s ? studies.trials(s->id) : std::vector<TrialRecord>{};
  }
  std::vector<std::string> base_args(const std::string& uri, const std::string& study, int trials) {
    return {"--data",  "book.csv", "--study",    study,    "--trials", std::to_string(trials),
            "--store", uri,        "--no-refit", "--quiet"};
  }
};

// Every trial number appears once, from 0, and none is left RUNNING.
void expect_clean_numbers(const std::vector<TrialRecord>& trials, std::size_t expected) {
  ASSERT_EQ(trials.size(), expected);
  for (std::size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, static_cast<std::int64_t>(i));
    EXPECT_NE(trials[i].state, TrialState::kRunning) << "trial " << i;
  }
}

TEST_F(TuneCli, RunsResumesRefitsRegistersAndAnalyses) {
  auto r = run_cli(dir, "tune --data book.csv --study s --trials 3 --store '" + store_uri +
                            "' --out tuned --register pd --alias challenger --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("complete/pruned/fail"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("registered pd version 1 as @challenger"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "tuned" / "s" / "pipeline.json"));
  EXPECT_EQ(r.err, "");  // stderr is not a terminal: no progress lines
  r = run_cli(dir, "tune --data book.csv --study s --trials 2 --store '" + store_uri +
                       "' --no-refit --quiet --analysis a.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto trials = trials_of(store_uri, "s");
  expect_clean_numbers(trials, 5);
  const auto analysis = nlohmann::json::parse(slurp(dir / "a.json"));
  EXPECT_EQ(analysis["study"], "s");
  EXPECT_EQ(analysis["n_trials"], 5);
  EXPECT_EQ(analysis["history"].size(), 5u);
  EXPECT_EQ(analysis["importances"].size(), 6u);
  EXPECT_TRUE(analysis["parallel_coordinates"].is_array());
  // Trials are runs, children of the study's parent run.
  auto store = open_store(store_uri);
  const auto study = StudyStore(*store).find("s");
  ASSERT_TRUE(study.has_value());
  EXPECT_EQ(store->get_run(trials[0].run_id).parent_run_id, study->parent_run_id);
  // Analysis alone, from the store.
  r = run_cli(dir, "tune --study s --analysis b.json --store '" + store_uri + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir / "b.json"))["n_trials"], 5);
}

// `--model all` with two worker threads and 3-fold cross-validation, through the binary: one
// study per family, every trial numbered once, one comparison row and one analysis per family.
TEST_F(TuneCli, AllFamiliesWithWorkersAndCrossValidation) {
  auto r = run_cli(dir,
                   "tune --data book.csv --model all --trials 4 --workers 2 --cv-folds 3 "
                   "--pruner none --store '" +
                       store_uri + "' --out tuned --quiet --analysis all.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto analysis = nlohmann::json::parse(slurp(dir / "all.json"));
  for (const char* family :
       {"logistic_regression", "random_forest", "xgboost", "lightgbm", "scorecard"}) {
    SCOPED_TRACE(family);
    EXPECT_NE(r.out.find(family), std::string::npos) << r.out;
    expect_clean_numbers(trials_of(store_uri, std::string("tune-") + family), 4);
    ASSERT_TRUE(analysis.contains(family)) << analysis.dump();
    EXPECT_EQ(analysis[family]["n_trials"], 4);
    EXPECT_GT(analysis[family]["best"]["value"].get<double>(), 0.5);
    EXPECT_TRUE(std::filesystem::exists(dir / "tuned" / family / "pipeline.json"));
  }
  // With k-fold CV each completed trial reports one intermediate value per fold.
  for (const auto& t : trials_of(store_uri, "tune-xgboost")) {
    if (t.state == TrialState::kComplete) {
      EXPECT_EQ(t.intermediate.size(), 3u) << t.number;
    }
  }
  r = run_cli(
      dir, "tune --data book.csv --model all --trials 1 --register pd --store '" + store_uri + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--register is for one family"), std::string::npos) << r.err;
}

TEST_F(TuneCli, SigkillThenResumeLosesOnlyTheRunningTrials) {
  const pid_t pid = start_tune(dir, base_args(store_uri, "k", 200), "killed");
  std::size_t finished = 0;
  for (int i = 0; i < 600 && finished < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!std::filesystem::exists(dir / "store" / "loanrisk.db")) continue;
    try {
      finished = 0;
      for (const auto& t : trials_of(store_uri, "k")) finished += t.state != TrialState::kRunning;
    } catch (const std::exception&) {
      // the store may still be being created
    }
  }
  ASSERT_GE(finished, 3u);
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit_code(pid), 128 + SIGKILL);
  const auto before = trials_of(store_uri, "k");
  std::size_t running = 0;
  for (const auto& t : before) running += t.state == TrialState::kRunning;
  EXPECT_LE(running, 1u);
  const pid_t resume = start_tune(dir, base_args(store_uri, "k", 2), "resume");
  ASSERT_EQ(wait_exit_code(resume), 0) << slurp(dir / "resume.err");
  const auto after = trials_of(store_uri, "k");
  expect_clean_numbers(after, before.size() + 2);
  for (const auto& t : before) {
    if (t.state == TrialState::kRunning) {
      EXPECT_EQ(after[static_cast<std::size_t>(t.number)].state, TrialState::kFail);
    } else {
      EXPECT_EQ(after[static_cast<std::size_t>(t.number)].state, t.state);
    }
  }
}

TEST_F(TuneCli, TwoProcessesShareOneSqliteStudy) {
  const pid_t a = start_tune(dir, base_args(store_uri, "shared", 4), "a");
  const pid_t b = start_tune(dir, base_args(store_uri, "shared", 4), "b");
  EXPECT_EQ(wait_exit_code(a), 0) << slurp(dir / "a.err");
  EXPECT_EQ(wait_exit_code(b), 0) << slurp(dir / "b.err");
  expect_clean_numbers(trials_of(store_uri, "shared"), 8);
}

TEST_F(TuneCli, TwoProcessesShareOnePostgresStudy) {
  const char* pg = std::getenv("LOANRISK_TEST_PG_URI");
  if (pg == nullptr || *pg == '\0') {
    GTEST_SKIP() << "LOANRISK_TEST_PG_URI is not set: run under scripts/with-postgres.sh";
  }
  std::random_device rd;
  const std::string schema = "tune" + std::to_string(rd());
  auto admin = open_database(parse_store_uri(pg));
  admin->transaction(true, [&] { admin->execute_direct("CREATE SCHEMA " + schema); });
  const std::string uri = std::string(pg) + "?options=-csearch_path%3D" + schema;
  const pid_t a = start_tune(dir, base_args(uri, "shared", 4), "a");
  const pid_t b = start_tune(dir, base_args(uri, "shared", 4), "b");
  EXPECT_EQ(wait_exit_code(a), 0) << slurp(dir / "a.err");
  EXPECT_EQ(wait_exit_code(b), 0) << slurp(dir / "b.err");
  expect_clean_numbers(trials_of(uri, "shared"), 8);
  admin->transaction(true, [&] { admin->execute_direct("DROP SCHEMA " + schema + " CASCADE"); });
}

TEST_F(TuneCli, WrongUsageSaysWhatToDo) {
  auto r = run_cli(dir, "tune --data book.csv --alias challenger");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "error: --alias needs --register NAME: an alias points at a registered version\n");
  r = run_cli(dir, "tune --data book.csv --sampler grid --store '" + store_uri + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "error: unknown sampler 'grid'; samplers: tpe, random\n");
  r = run_cli(dir, "tune --study nope --analysis x.json --store '" + store_uri + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "error: no study 'nope' in " + store_uri + "; studies: (none)\n");
  r = run_cli(dir, "tune --store '" + store_uri + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("tune needs --data FILE"), std::string::npos) << r.err;
  r = run_cli(dir, "tune --data book.csv --trials 0 --store '" + store_uri + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "error: --trials must be >= 1 (got 0)\n");
}

}  // namespace
}  // namespace loanrisk::testing
