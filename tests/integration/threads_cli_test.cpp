// One thread knob for every command that computes: --threads, [runtime] threads, else the CPUs the
// process may use (affinity mask, cgroup quota, cores a neighbour keeps busy, cores); recorded on
// tracked runs; and OpenMP told to wait passively where it shares cores, unless the user chose a
// wait policy.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/tracking/store.hpp"
#include "server_process.hpp"

namespace loanrisk::testing {
namespace {

class ThreadsCli : public ::testing::Test {
 protected:
  TempDir dir;
  std::string uri() const { return "sqlite:///" + (dir / "s.db").string(); }
  std::string store() const { return "--store '" + uri() + "'"; }
  void SetUp() override {
    ASSERT_EQ(run_cli(dir, "synth --rows 1500 --seed 3 --out book.csv").code, 0);
  }
  /// The tags of the newest run in the store.
  std::map<std::string, std::string> tags_of_newest_run() const {
    auto s = open_store(uri());
    const auto runs = s->list_runs(std::nullopt);
    EXPECT_FALSE(runs.empty());
    return runs.empty() ? std::map<std::string, std::string>{}
                        : s->get_run_record(runs.front().id).tags;
  }
};

TEST_F(ThreadsCli, BadThreadsAreUsageErrorsNamingTheFlagAndTheRange) {
  std::ofstream(dir / "runtime.toml") << "[runtime]\nthreads = 1\n";
  std::ofstream(dir / "job.json") << R"({"kind": "train", "data": "book.csv", "out": "j"})";
  const std::vector<std::string> commands = {
      "train --data book.csv --out b --no-track",
      "tune --data book.csv --trials 1 " + store(),
      "predict --model b --data book.csv --out p.csv",
      "evaluate --model b --data book.csv",
      "validate --model b --data book.csv --out v",
      "monitor --model b --data book.csv --out m",
      "serve --model b --port 0",
      "pipeline run --config runtime.toml",
      "job run job.json",
  };
  for (const std::string& command : commands) {
    for (const std::string bad : {"abc", "-1", "257", "1e9", "99999999999"}) {
      SCOPED_TRACE(command + " --threads=" + bad);
      const auto r = run_cli(dir, command + " --threads=" + bad);
      EXPECT_EQ(r.code, 2) << r.err;
      EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("use 1-256, or 0 for the CPUs this process may use"), std::string::npos)
          << r.err;
    }
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "b"));
  EXPECT_FALSE(std::filesystem::exists(dir / "j"));
}

TEST_F(ThreadsCli, BadRuntimeSectionIsAUsageErrorNamingTheKey) {
  std::ofstream(dir / "big.toml") << "[runtime]\nthreads = 1e9\n";
  auto r = run_cli(dir, "train --data book.csv --out b --no-track --config big.toml");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("big.toml:2:11: 'runtime.threads' must be an integer from 0 to 256"),
            std::string::npos)
      << r.err;
  std::ofstream(dir / "typo.toml") << "[runtime]\nthread = 2\n";
  r = run_cli(dir, "serve --model b --port 0 --config typo.toml");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown key 'thread' in [runtime]; known keys: threads"), std::string::npos)
      << r.err;
}

TEST_F(ThreadsCli, OneCpuUnderTasksetIsRecordedOnTheRun) {
  const auto r = run_shell(dir, "taskset -c 0 '" + std::string(LOANRISK_BINARY) +
                                    "' train --data book.csv --out b " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto tags = tags_of_newest_run();
  EXPECT_EQ(tags.at("runtime.threads"), "1");
  EXPECT_EQ(tags.at("runtime.cpus"), "1");
  EXPECT_EQ(tags.at("runtime.cpu_source"), "affinity");
  EXPECT_EQ(tags.at("runtime.threads_source"), "affinity");
}

TEST_F(ThreadsCli, ACoreANeighbourKeepsBusyIsLeftOutOfTheBudget) {
  const CpuBudget here = detect_cpu_budget();
  if (here.nproc < 2) GTEST_SKIP() << "one core: nothing to leave out";
  // A CPU-bound neighbour, running before loanrisk starts and stopped after it.
  const auto r = run_shell(
      dir, "sh -c 'while :; do :; done' & n=$!; '" + std::string(LOANRISK_BINARY) +
               "' train --data book.csv --out b " + store() + "; rc=$?; kill $n; exit $rc");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto tags = tags_of_newest_run();
  EXPECT_LE(std::stoi(tags.at("runtime.cpus")), here.nproc - 1);
  EXPECT_EQ(tags.at("runtime.threads"), tags.at("runtime.cpus"));
  if (here.affinity >= here.nproc && !here.quota) {
    EXPECT_EQ(tags.at("runtime.cpu_source"), "load");
    EXPECT_EQ(tags.at("runtime.threads_source"), "load");
  }
}

TEST_F(ThreadsCli, FlagBeatsConfigBeatsTheMachine) {
  std::ofstream(dir / "two.toml") << "[runtime]\nthreads = 2\n";
  auto r = run_cli(dir, "train --data book.csv --out b1 --config two.toml " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  auto tags = tags_of_newest_run();
  EXPECT_EQ(tags.at("runtime.threads"), "2");
  EXPECT_EQ(tags.at("runtime.threads_source"), "config");
  r = run_cli(dir, "train --data book.csv --out b2 --config two.toml --threads 3 " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  tags = tags_of_newest_run();
  EXPECT_EQ(tags.at("runtime.threads"), "3");
  EXPECT_EQ(tags.at("runtime.threads_source"), "flag");
  // 0 is "not set": the config's count.
  r = run_cli(dir, "train --data book.csv --out b3 --config two.toml --threads 0 " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(tags_of_newest_run().at("runtime.threads_source"), "config");
}

TEST_F(ThreadsCli, TuningWorkersSplitTheBudget) {
  const auto r = run_cli(dir,
                         "tune --data book.csv --model xgboost --trials 2 --workers 2 --threads 4 "
                         "--no-refit --quiet --study s " +
                             store());
  ASSERT_EQ(r.code, 0) << r.err;
  auto s = open_store(uri());
  std::map<std::string, std::string> parent;
  for (const auto& run : s->list_runs(std::nullopt)) {
    const auto record = s->get_run_record(run.id);
    if (record.tags.count("loanrisk.study_role")) parent = record.tags;
  }
  EXPECT_EQ(parent.at("runtime.threads"), "4");
  EXPECT_EQ(parent.at("runtime.model_threads"), "2");  // two workers x two threads
}

/// The environment a process started with, as /proc/PID/environ holds it.
std::string environ_of(pid_t pid) {
  std::string text = slurp("/proc/" + std::to_string(pid) + "/environ");
  for (char& c : text) {
    if (c == '\0') c = '\n';
  }
  return "\n" + text;
}

TEST_F(ThreadsCli, OpenMpWaitsPassivelyWhereCoresAreNotAllItsOwnUnlessTheUserChose) {
  ASSERT_EQ(run_cli(dir, "train --data book.csv --out b --no-track").code, 0);
  const CpuBudget here = detect_cpu_budget();
  if (here.nproc > 1) {
    // One CPU of several (taskset on the shell that execs the server): passive, set before
    // libgomp was loaded, so the binary re-executed itself with it.
    ServerProcess server(dir, "--model b --threads 1", {},
                         "unset OMP_WAIT_POLICY; taskset -pc 0 $$ >/dev/null; ");
    ASSERT_GT(server.port(), 0) << server.err();
    EXPECT_NE(environ_of(server.pid()).find("\nOMP_WAIT_POLICY=passive\n"), std::string::npos);
    const std::string metrics = http_call(server.port(), "GET", "/metrics").body;
    EXPECT_NE(metrics.find("loanrisk_threads{source=\"flag\"} 1\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("loanrisk_cpus{source=\"affinity\"} 1\n"), std::string::npos) << metrics;
    EXPECT_EQ(server.stop(), 0);
    EXPECT_NE(server.err().find("threads: 1 (flag;"), std::string::npos) << server.err();
    EXPECT_NE(server.err().find("1 request threads, OpenMP wait policy passive"), std::string::npos)
        << server.err();
  }
  {
    // Every core of the machine its own: libgomp's default (a short spin, then sleep).
    ServerProcess server(dir, "--model b --threads 1", {}, "unset OMP_WAIT_POLICY; ");
    ASSERT_GT(server.port(), 0) << server.err();
    const bool passive =
        environ_of(server.pid()).find("\nOMP_WAIT_POLICY=passive\n") != std::string::npos;
    EXPECT_EQ(server.stop(), 0);
    // The server's own reading (other tests running beside it keep cores busy at times): passive
    // exactly when it found fewer CPUs than the machine has.
    const std::string log = server.err();
    const std::string key = "CPUs this process may use: ";
    const std::size_t at = log.find(key);
    ASSERT_NE(at, std::string::npos) << log;
    const int cpus = std::stoi(log.substr(at + key.size()));
    EXPECT_EQ(passive, cpus < here.nproc) << log;
  }
  ServerProcess server(dir, "--model b", {{"OMP_WAIT_POLICY", "active"}});
  ASSERT_GT(server.port(), 0) << server.err();
  const std::string env = environ_of(server.pid());
  EXPECT_NE(env.find("\nOMP_WAIT_POLICY=active\n"), std::string::npos);
  EXPECT_EQ(env.find("OMP_WAIT_POLICY=passive"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk::testing
