#include <gtest/gtest.h>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/workflow/runtime_record.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(RuntimeRecord, WorkersSplitTheBudgetAndKeepOneThreadEach) {
  EXPECT_EQ(threads_per_worker(2, 2), 1);
  EXPECT_EQ(threads_per_worker(8, 2), 4);
  EXPECT_EQ(threads_per_worker(7, 2), 3);  // 2 x 3 <= 7
  EXPECT_EQ(threads_per_worker(1, 4), 1);  // never 0
  EXPECT_EQ(threads_per_worker(4, 1), 4);
  EXPECT_EQ(threads_per_worker(0, 0), 1);
}

TEST(RuntimeRecord, RunsAreTaggedWithTheBudgetTheyUsed) {
  testing::TempDir dir;
  auto store = open_store("sqlite:///" + (dir / "s.db").string());
  const loanrisk::Run run = store->create_run(RunSpec{});
  const ThreadBudget before = thread_budget();
  set_thread_budget(resolve_thread_budget(3, std::nullopt));
  tag_runtime(*store, run.id, 1);
  set_thread_budget(before);
  const auto tags = store->get_run_record(run.id).tags;
  EXPECT_EQ(tags.at("runtime.threads"), "3");
  EXPECT_EQ(tags.at("runtime.threads_source"), "flag");
  EXPECT_EQ(tags.at("runtime.model_threads"), "1");
  EXPECT_EQ(tags.at("runtime.cpus"), std::to_string(detect_cpu_budget().cpus));
  const std::string source = tags.at("runtime.cpu_source");
  EXPECT_TRUE(source == "affinity" || source == "cgroup" || source == "nproc") << source;
}

}  // namespace
}  // namespace loanrisk
