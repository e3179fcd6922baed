// Several processes at once, and a process killed mid-write: real fork()ed children on a real
// store.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "support/processes.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

using StoreProcesses = StoreTest;

TEST_P(StoreProcesses, FourWritersOfAThousandMetricsEachNeverFail) {
  open();  // create and migrate the store before the writers race
  std::vector<pid_t> children;
  for (int w = 0; w < 4; ++w) {
    children.push_back(spawn([&, w] {
      auto store = open();
      const loanrisk::Run run = store->create_run({"load", "writer-" + std::to_string(w), "", ""});
      // One transaction per metric: the worst case for lock contention.
      for (int i = 0; i < 1000; ++i) store->log_metric(run.id, "loss", 1.0 / (i + 1), i);
      store->end_run(run.id, RunStatus::kFinished);
    }));
  }
  for (pid_t pid : children) EXPECT_EQ(wait_exit_code(pid), 0);
  auto store = open();
  const auto runs = store->list_runs(std::string("load"));
  ASSERT_EQ(runs.size(), 4u);
  std::int64_t total = 0;
  for (const loanrisk::Run& r : runs) {
    EXPECT_EQ(r.status, RunStatus::kFinished) << r.name;
    total += store->count_metric_rows(r.id);
    EXPECT_EQ(store->metric_history(r.id, "loss").back().value, 1.0 / 1000);
  }
  EXPECT_EQ(total, 4000);
}

TEST_P(StoreProcesses, SigkilledWriterLeavesAConsistentStoreAndIsMarkedKilled) {
  open();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = spawn([&] {
    ::close(fds[0]);
    auto store = open();
    const loanrisk::Run run = store->create_run({"crash", "doomed", "", ""});
    if (::write(fds[1], run.id.data(), run.id.size()) != 32) throw std::runtime_error("pipe");
    std::vector<MetricPoint> batch;
    for (int i = 0; i < 100; ++i) batch.push_back({"loss", i * 0.01, i, 0});
    for (;;) store->log_metrics(run.id, batch);  // until killed
  });
  ::close(fds[1]);
  char buf[32];
  ASSERT_EQ(::read(fds[0], buf, sizeof buf), 32);
  ::close(fds[0]);
  const std::string run_id(buf, sizeof buf);
  {
    auto watcher = open(false);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (watcher->count_metric_rows(run_id) < 500 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(watcher->count_metric_rows(run_id), 500);
    EXPECT_EQ(watcher->get_run(run_id).status, RunStatus::kRunning);  // alive so far
  }
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  EXPECT_EQ(wait_exit_code(child), 128 + SIGKILL);

  auto unreaped = open(false);
  EXPECT_EQ(unreaped->get_run(run_id).status, RunStatus::kRunning);
  unreaped.reset();
  auto store = open();  // opening reaps runs whose process is gone
  const loanrisk::Run run = store->get_run(run_id);
  EXPECT_EQ(run.status, RunStatus::kKilled);
  EXPECT_TRUE(run.end_ms.has_value());
  const std::int64_t rows = store->count_metric_rows(run_id);
  EXPECT_EQ(rows % 100, 0) << "a batch was half written";
  EXPECT_EQ(static_cast<std::int64_t>(store->metric_history(run_id, "loss").size()), rows);
  if (GetParam() == "sqlite") {
    std::string check;
    store->database().transaction(false, [&] {
      check = store->database().query("PRAGMA integrity_check", {}).at(0).text(0);
    });
    EXPECT_EQ(check, "ok");
  }
  EXPECT_EQ(store->reap_dead_runs(), 0);
  store->log_metric(run_id, "after", 1.0);  // the store stays writable
  EXPECT_EQ(store->count_metric_rows(run_id), rows + 1);
}

LOANRISK_INSTANTIATE_STORE_SUITE(StoreProcesses);

}  // namespace
}  // namespace loanrisk::testing
