#include <gtest/gtest.h>
#include <sched.h>

#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(CgroupCpuMax, QuotaOverPeriodInCpus) {
  EXPECT_DOUBLE_EQ(*parse_cgroup_cpu_max("150000 100000\n"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_cgroup_cpu_max("200000 100000"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_cgroup_cpu_max("50000 100000\n"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_cgroup_cpu_max("  400000   100000  \n"), 4.0);
}

TEST(CgroupCpuMax, NoLimitAndNonsenseAreNoQuota) {
  EXPECT_FALSE(parse_cgroup_cpu_max("max 100000\n"));
  EXPECT_FALSE(parse_cgroup_cpu_max("max"));
  EXPECT_FALSE(parse_cgroup_cpu_max(""));
  EXPECT_FALSE(parse_cgroup_cpu_max("150000"));
  EXPECT_FALSE(parse_cgroup_cpu_max("150000 100000 7"));
  EXPECT_FALSE(parse_cgroup_cpu_max("0 100000"));
  EXPECT_FALSE(parse_cgroup_cpu_max("-5 100000"));
  EXPECT_FALSE(parse_cgroup_cpu_max("150000 0"));
  EXPECT_FALSE(parse_cgroup_cpu_max("1.5e5 100000"));
  EXPECT_FALSE(parse_cgroup_cpu_max("99999999999999999999999 100000"));
}

TEST(CgroupCpuMax, QuotaRoundsUpToWholeThreads) {
  EXPECT_EQ(threads_for_quota(1.5), 2);
  EXPECT_EQ(threads_for_quota(2.0), 2);
  EXPECT_EQ(threads_for_quota(0.5), 1);
  EXPECT_EQ(threads_for_quota(0.01), 1);
  EXPECT_EQ(threads_for_quota(2.0000001), 3);
  EXPECT_EQ(threads_for_quota(0), 1);
}

TEST(ProcSelfCgroup, UnifiedLineGivesThePath) {
  EXPECT_EQ(*parse_proc_self_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n"),
            "/user.slice/user-1000.slice/session-3.scope");
  EXPECT_EQ(*parse_proc_self_cgroup("0::/\n"), "/");
  // A hybrid host: v1 controllers first, the unified line last.
  EXPECT_EQ(*parse_proc_self_cgroup("4:memory:/docker/abc\n1:cpu:/docker/abc\n0::/docker/abc"),
            "/docker/abc");
}

TEST(ProcSelfCgroup, NoUnifiedLineGivesNothing) {
  EXPECT_FALSE(parse_proc_self_cgroup(""));
  EXPECT_FALSE(parse_proc_self_cgroup("4:memory:/docker/abc\n1:cpu,cpuacct:/docker/abc\n"));
  EXPECT_FALSE(parse_proc_self_cgroup("0::relative\n"));
  EXPECT_FALSE(parse_proc_self_cgroup("10::/not-the-unified-one\n"));
}

TEST(ProcSelfCgroup, LineageWalksUpToTheRoot) {
  EXPECT_EQ(cgroup_lineage("/a/b/c"), (std::vector<std::string>{"/a/b/c", "/a/b", "/a", "/"}));
  EXPECT_EQ(cgroup_lineage("/a/"), (std::vector<std::string>{"/a", "/"}));
  EXPECT_EQ(cgroup_lineage("/"), (std::vector<std::string>{"/"}));
  EXPECT_TRUE(cgroup_lineage("").empty());
  EXPECT_TRUE(cgroup_lineage("a/b").empty());
}

TEST(CgroupQuota, TightestQuotaOnTheWayToTheRootWins) {
  testing::TempDir dir;
  const auto root = dir / "cgroup";
  std::filesystem::create_directories(root / "kubepods/pod1/ctr");
  testing::write_text(dir / "self", "0::/kubepods/pod1/ctr\n");
  testing::write_text(root / "kubepods/pod1/ctr/cpu.max", "max 100000\n");
  testing::write_text(root / "kubepods/pod1/cpu.max", "150000 100000\n");
  testing::write_text(root / "kubepods/cpu.max", "400000 100000\n");
  EXPECT_DOUBLE_EQ(*read_cgroup_quota(dir / "self", root), 1.5);
  testing::write_text(root / "kubepods/pod1/ctr/cpu.max", "50000 100000\n");
  EXPECT_DOUBLE_EQ(*read_cgroup_quota(dir / "self", root), 0.5);
}

TEST(CgroupQuota, NoFilesOrNoLimitGiveNoQuota) {
  testing::TempDir dir;
  const auto root = dir / "cgroup";
  std::filesystem::create_directories(root / "a");
  EXPECT_FALSE(read_cgroup_quota(dir / "missing", root));
  testing::write_text(dir / "self", "0::/a\n");
  EXPECT_FALSE(read_cgroup_quota(dir / "self", root));  // no cpu.max anywhere
  testing::write_text(root / "a/cpu.max", "max 100000\n");
  EXPECT_FALSE(read_cgroup_quota(dir / "self", root));
  testing::write_text(dir / "self", "1:cpu:/a\n");  // cgroup v1 only
  testing::write_text(root / "a/cpu.max", "100000 100000\n");
  EXPECT_FALSE(read_cgroup_quota(dir / "self", root));
}

TEST(CgroupV1, TheCpuControllersLineGivesThePath) {
  EXPECT_EQ(*parse_proc_self_cgroup_v1_cpu("12:memory:/x\n4:cpu,cpuacct:/docker/abc\n"),
            "/docker/abc");
  EXPECT_EQ(*parse_proc_self_cgroup_v1_cpu("3:cpuacct,cpu:/k/p\n"), "/k/p");
  EXPECT_FALSE(parse_proc_self_cgroup_v1_cpu("5:cpuset:/a\n6:cpuacct:/b\n"));  // not "cpu"
  EXPECT_FALSE(parse_proc_self_cgroup_v1_cpu("0::/unified\n"));
  EXPECT_FALSE(parse_proc_self_cgroup_v1_cpu("4:cpu:relative\n"));
  EXPECT_FALSE(parse_proc_self_cgroup_v1_cpu("garbage"));
  EXPECT_FALSE(parse_proc_self_cgroup_v1_cpu(""));
}

TEST(CgroupV1, QuotaOverPeriodAndMinusOneIsNoLimit) {
  EXPECT_DOUBLE_EQ(*parse_cgroup_v1_quota("150000\n", "100000\n"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_cgroup_v1_quota("50000", "100000"), 0.5);
  EXPECT_FALSE(parse_cgroup_v1_quota("-1\n", "100000\n"));
  EXPECT_FALSE(parse_cgroup_v1_quota("", "100000"));
  EXPECT_FALSE(parse_cgroup_v1_quota("100000", "0"));
  EXPECT_FALSE(parse_cgroup_v1_quota("1e5", "100000"));
}

TEST(CgroupV1, QuotaUnderTheCpuMountOnTheWayToTheRoot) {
  testing::TempDir dir;
  const auto root = dir / "cgroup";
  std::filesystem::create_directories(root / "cpu,cpuacct/kubepods/pod1");
  testing::write_text(dir / "self", "7:memory:/kubepods/pod1\n4:cpu,cpuacct:/kubepods/pod1\n");
  testing::write_text(root / "cpu,cpuacct/kubepods/pod1/cpu.cfs_quota_us", "-1\n");
  testing::write_text(root / "cpu,cpuacct/kubepods/pod1/cpu.cfs_period_us", "100000\n");
  EXPECT_FALSE(read_cgroup_quota(dir / "self", root));
  testing::write_text(root / "cpu,cpuacct/kubepods/cpu.cfs_quota_us", "250000\n");
  testing::write_text(root / "cpu,cpuacct/kubepods/cpu.cfs_period_us", "100000\n");
  EXPECT_DOUBLE_EQ(*read_cgroup_quota(dir / "self", root), 2.5);
  // Inside a container the mount's root is the container's group, and the host path is absent.
  testing::TempDir inside;
  std::filesystem::create_directories(inside / "cgroup/cpu");
  testing::write_text(inside / "self", "4:cpu,cpuacct:/docker/0123abcd\n");
  testing::write_text(inside / "cgroup/cpu/cpu.cfs_quota_us", "100000\n");
  testing::write_text(inside / "cgroup/cpu/cpu.cfs_period_us", "100000\n");
  EXPECT_DOUBLE_EQ(*read_cgroup_quota(inside / "self", inside / "cgroup"), 1.0);
}

TEST(CgroupV1, AHybridLayoutTakesTheTighterOfBoth) {
  testing::TempDir dir;
  const auto root = dir / "cgroup";
  std::filesystem::create_directories(root / "cpu/a");
  std::filesystem::create_directories(root / "a");
  testing::write_text(dir / "self", "0::/a\n2:cpu:/a\n");
  testing::write_text(root / "a/cpu.max", "300000 100000\n");
  testing::write_text(root / "cpu/a/cpu.cfs_quota_us", "200000\n");
  testing::write_text(root / "cpu/a/cpu.cfs_period_us", "100000\n");
  EXPECT_DOUBLE_EQ(*read_cgroup_quota(dir / "self", root), 2.0);
}

TEST(CpuBounds, MinimumWinsAndNamesItsSource) {
  auto b = combine_cpu_bounds(8, std::nullopt, 8);
  EXPECT_EQ(b.cpus, 8);
  EXPECT_EQ(b.source, "nproc");
  b = combine_cpu_bounds(1, std::nullopt, 8);
  EXPECT_EQ(b.cpus, 1);
  EXPECT_EQ(b.source, "affinity");
  b = combine_cpu_bounds(8, 1.5, 8);
  EXPECT_EQ(b.cpus, 2);
  EXPECT_EQ(b.source, "cgroup");
  b = combine_cpu_bounds(2, 1.5, 8);  // a tie: the affinity mask is named
  EXPECT_EQ(b.cpus, 2);
  EXPECT_EQ(b.source, "affinity");
  b = combine_cpu_bounds(4, 16.0, 8);  // a quota above the cores does not raise the count
  EXPECT_EQ(b.cpus, 4);
  EXPECT_EQ(b.source, "affinity");
  b = combine_cpu_bounds(0, 0.25, 0);
  EXPECT_EQ(b.cpus, 1);
  EXPECT_EQ(b.source, "cgroup");
  EXPECT_EQ(combine_cpu_bounds(0, std::nullopt, 0).cpus, 1);
}

TEST(CpuBounds, CoresANeighbourKeepsBusyAreNotCounted) {
  auto b = combine_cpu_bounds(2, std::nullopt, 2, 1);  // a neighbour on one of two cores
  EXPECT_EQ(b.cpus, 1);
  EXPECT_EQ(b.source, "load");
  EXPECT_EQ(b.busy, 1);
  b = combine_cpu_bounds(8, std::nullopt, 8, 20);  // more busy tasks than cores: one thread
  EXPECT_EQ(b.cpus, 1);
  EXPECT_EQ(b.source, "load");
  b = combine_cpu_bounds(2, std::nullopt, 64, 10);  // the mask is tighter than what is free
  EXPECT_EQ(b.cpus, 2);
  EXPECT_EQ(b.source, "affinity");
  b = combine_cpu_bounds(1, std::nullopt, 2, 1);  // a tie: the affinity mask is named
  EXPECT_EQ(b.source, "affinity");
  b = combine_cpu_bounds(8, std::nullopt, 8, 0);
  EXPECT_EQ(b.cpus, 8);
  EXPECT_EQ(b.source, "nproc");
  EXPECT_EQ(combine_cpu_bounds(8, std::nullopt, 8, -3).cpus, 8);  // nonsense counts nothing
}

TEST(CpuBounds, ProcsRunningIsReadFromProcStat) {
  const std::string stat =
      "cpu  4261296 552652 504780 969634 10968 0 10757 9071 0 0\n"
      "cpu0 2130648 276326 252390 484817 5484 0 5378 4535 0 0\n"
      "intr 1 2 3\nctxt 99\nbtime 1765000000\nprocesses 10185\n"
      "procs_running 3\nprocs_blocked 0\nsoftirq 1 2 3\n";
  EXPECT_EQ(parse_procs_running(stat), 3);
  EXPECT_EQ(parse_procs_running("procs_running 1\n"), 1);
  EXPECT_FALSE(parse_procs_running(""));
  EXPECT_FALSE(parse_procs_running("procs_blocked 2\n"));
  EXPECT_FALSE(parse_procs_running("procs_running x\n"));
  EXPECT_FALSE(parse_procs_running("procs_running -2\n"));
  EXPECT_FALSE(parse_procs_running("procs_running 99999999999999999999\n"));
  EXPECT_FALSE(parse_procs_running("xprocs_running 4\n"));
  // This machine's own file parses (the reader itself is running).
  std::ifstream in("/proc/stat");
  if (in) {
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto running = parse_procs_running(text);
    ASSERT_TRUE(running.has_value());
    EXPECT_GE(*running, 1);
  }
  EXPECT_GE(read_busy_cpus(), 0);
}

TEST(CpuBounds, ThisProcessIsBoundedByItsAffinityMask) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  const CpuBudget b = detect_cpu_budget();
  EXPECT_GE(b.cpus, 1);
  EXPECT_EQ(b.affinity, CPU_COUNT(&set));
  EXPECT_LE(b.cpus, CPU_COUNT(&set));
  EXPECT_LE(b.cpus, static_cast<int>(std::thread::hardware_concurrency()));
}

TEST(ThreadBudgetTest, FlagBeatsConfigBeatsTheMachine) {
  const int cpus = detect_cpu_budget().cpus;
  EXPECT_EQ(resolve_thread_budget(3, 5).threads, 3);
  EXPECT_EQ(resolve_thread_budget(3, 5).source, "flag");
  EXPECT_EQ(resolve_thread_budget(std::nullopt, 5).threads, 5);
  EXPECT_EQ(resolve_thread_budget(0, 5).source, "config");  // 0 means "not set"
  const ThreadBudget automatic = resolve_thread_budget(0, 0);
  EXPECT_EQ(automatic.threads, cpus);
  EXPECT_EQ(automatic.source, automatic.cpus.source);
  EXPECT_EQ(resolve_thread_budget(std::nullopt, std::nullopt).threads, cpus);
}

TEST(ThreadBudgetTest, OutOfRangeIsAUsageErrorNamingTheSetting) {
  EXPECT_THROW_MSG(resolve_thread_budget(-1, std::nullopt), UsageError,
                   "--threads -1 is out of range: use 1-256, or 0 for the CPUs");
  EXPECT_THROW_MSG(resolve_thread_budget(std::nullopt, 257), UsageError,
                   "[runtime] threads 257 is out of range");
}

TEST(ThreadBudgetTest, TheSetBudgetIsTheProcessOne) {
  const ThreadBudget before = thread_budget();
  set_thread_budget(resolve_thread_budget(3, std::nullopt));
  EXPECT_EQ(thread_budget().threads, 3);
  EXPECT_EQ(thread_budget().source, "flag");
  set_thread_budget(before);
  EXPECT_EQ(thread_budget().threads, before.threads);
}

}  // namespace
}  // namespace loanrisk
