// The job runner with stand-in processes: the queue and its limits, each end reported once, the
// server's secrets kept from jobs, stopping a waiting or running job (SIGTERM, then SIGKILL after
// the grace period) by who started it or an admin, and the log a page follows.
#include "loanrisk/serve/jobs.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "http_refusal.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

TEST(JobRunner, UnknownJobIs404) {
  JobRunner jobs("sqlite:////nonexistent/store.db");
  try {
    jobs.status("job-9");
    FAIL() << "no error";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_STREQ(e.what(), "no job 'job-9' on this server; see GET /api/v1/jobs for the list");
  }
  EXPECT_TRUE(jobs.list().empty());
}

/// A stand-in for `loanrisk job run SPEC.json` that keeps the spec and waits until the test
/// writes the exit code to release-<job id>: the queue is then tested without timing guesses.
using testing::TempDir;
using testing::write_text;

class HeldJobs : public ::testing::Test {
 protected:
  void SetUp() override { script = held_script("fake-loanrisk", ""); }
  /// A stand-in that runs prelude (shell), keeps its environment and spec, then waits for its
  /// release file and exits with the code written there. The spec copy appears whole (written
  /// aside, then renamed), after the environment: spec_of() once read a file cp had only created.
  std::filesystem::path held_script(const std::string& name, const std::string& prelude) {
    const auto path = dir.path() / name;
    const std::string d = dir.path().string();
    write_text(path,
               "#!/bin/sh\n"
               "id=$(basename \"$(dirname \"$3\")\")\n" +
                   prelude + "env > \"" + d + "/env-$id\"\n" + "cp \"$3\" \"" + d +
                   "/spec-$id.json.tmp\"\n" + "mv \"" + d + "/spec-$id.json.tmp\" \"" + d +
                   "/spec-$id.json\"\n" + "while [ ! -f \"" + d +
                   "/release-$id\" ]; do sleep 0.02; done\n" + "exit $(cat \"" + d +
                   "/release-$id\")\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }
  void release(const std::string& id, int code) {
    write_text(dir.path() / ("release-" + id + ".tmp"), std::to_string(code));
    std::filesystem::rename(dir.path() / ("release-" + id + ".tmp"),
                            dir.path() / ("release-" + id));
  }
  /// Waits (up to 20 s) until the job is in state.
  json wait_for(JobRunner& jobs, const std::string& id, const std::string& state) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    json j = jobs.status(id);
    while (j["state"] != state && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      j = jobs.status(id);
    }
    EXPECT_EQ(j["state"], state) << j.dump();
    return j;
  }
  /// The spec a job was started with, once its process has copied it (up to 20 s).
  json spec_of(const std::string& id) {
    const auto file = dir.path() / ("spec-" + id + ".json");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!std::filesystem::exists(file) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return json::parse(read_file(file));
  }
  static JobRequest request() {
    JobRequest r;
    r.family = "logistic_regression";
    r.experiment = "web";
    r.data = "/data/book.csv";
    return r;
  }
  TempDir dir;
  std::filesystem::path script;
  std::mutex mutex;
  std::vector<std::pair<json, Identity>> ended;
};

TEST_F(HeldJobs, LimitsPerPersonAndServerQueueFirstComeFirstServedAndReportEachEndOnce) {
  const Identity ana{"ana", {Role::kAnalyst}, "user"}, bob{"bob", {Role::kAnalyst}, "oidc"},
      carol{"carol", {Role::kAdmin}, "user"}, oidc_ana{"ana", {Role::kAnalyst}, "oidc"};
  JobRunner jobs(
      "sqlite:////nonexistent/store.db",
      {.max_running = 2, .max_running_per_person = 1, .max_queued_per_person = 1},
      [this](const json& j, const Identity& who) {
        std::lock_guard lock(mutex);
        ended.emplace_back(j, who);
      },
      script.string());
  EXPECT_EQ(jobs.start(request(), ana)["state"], "running");
  const json queued = jobs.start(request(), ana);
  EXPECT_EQ(queued["id"], "job-2");
  EXPECT_EQ(queued["state"], "queued");
  EXPECT_TRUE(queued["started_ms"].is_null());
  EXPECT_EQ(queued["started_by"], (json{{"name", "ana"}, {"source", "user"}}));
  try {
    jobs.start(request(), ana);
    FAIL() << "a third job for ana was accepted";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 429);
    EXPECT_STREQ(e.what(),
                 "ana has 1 job running and 1 job waiting, the most one person may have (1 "
                 "running, 1 waiting; the server runs 2 at once, 1 now): wait for one to finish "
                 "and start again");
  }
  // The same name from another identity source is another person.
  EXPECT_EQ(jobs.start(request(), oidc_ana)["state"], "running");  // job-3: the server is full
  EXPECT_EQ(jobs.start(request(), carol)["state"], "queued");      // job-4
  EXPECT_EQ(jobs.start(request(), bob)["state"], "queued");        // job-5
  EXPECT_EQ(jobs.list().size(), 5u);
  EXPECT_EQ(jobs.list()[0]["id"], "job-5");

  // The job runs in the name of who started it.
  const json spec = spec_of("job-1");
  EXPECT_EQ(spec["tracking"]["run_as"], "ana");
  EXPECT_EQ(spec["kind"], "train");

  // job-1 ends: the first waiting job (ana's job-2, before carol's and bob's) takes the slot.
  release("job-1", 0);
  wait_for(jobs, "job-1", "succeeded");
  wait_for(jobs, "job-2", "running");
  EXPECT_EQ(jobs.status("job-4")["state"], "queued");
  // A failure frees a slot too, and carol's job comes before bob's.
  release("job-3", 3);
  const json failed = wait_for(jobs, "job-3", "failed");
  EXPECT_EQ(failed["exit_code"], 3);
  wait_for(jobs, "job-4", "running");
  EXPECT_EQ(jobs.status("job-5")["state"], "queued");
  for (const char* id : {"job-2", "job-4"}) release(id, 0);
  wait_for(jobs, "job-5", "running");
  release("job-5", 0);
  wait_for(jobs, "job-5", "succeeded");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (bool done = false; !done && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard lock(mutex);
    done = ended.size() >= 5;
  }

  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // a second report would show
  std::lock_guard lock(mutex);
  ASSERT_EQ(ended.size(), 5u);
  std::map<std::string, std::string> by_id;
  for (const auto& [j, who] : ended)
    by_id[j["id"]] = who.source + ":" + who.name + ":" + std::string(j["state"]);
  EXPECT_EQ(by_id, (std::map<std::string, std::string>{{"job-1", "user:ana:succeeded"},
                                                       {"job-2", "user:ana:succeeded"},
                                                       {"job-3", "oidc:ana:failed"},
                                                       {"job-4", "user:carol:succeeded"},
                                                       {"job-5", "oidc:bob:succeeded"}}));
}

TEST_F(HeldJobs, NoQueueMeansRefusedWhenFullAndTheDestructorStopsRunningJobs) {
  const Identity ana{"ana", {Role::kAnalyst}, "user"};
  // The server's secrets stay with the server: a job gets its environment without them.
  ::setenv("LOANRISK_ADMIN_TOKEN", "adm1n-secret", 1);
  ::setenv("LOANRISK_PREDICTION_LOG_SALT", "sa1t-secret", 1);
  ::setenv("LOANRISK_JOB_TEST_MARK", "kept", 1);
  {
    JobRunner jobs(
        "sqlite:////nonexistent/store.db",
        {.max_running = 1, .max_running_per_person = 1, .max_queued_per_person = 0},
        [this](const json& j, const Identity& who) { ended.emplace_back(j, who); },
        script.string());
    EXPECT_EQ(jobs.start(request(), ana)["state"], "running");
    EXPECT_EQ(spec_of("job-1")["tracking"]["run_as"], "ana");
    const std::string env = read_file(dir.path() / "env-job-1");
    EXPECT_NE(env.find("LOANRISK_JOB_TEST_MARK=kept"), std::string::npos) << env;
    EXPECT_EQ(env.find("secret"), std::string::npos) << env;
    try {
      jobs.start(request(), {"bob", {Role::kAnalyst}, "user"});
      FAIL() << "a job beyond the limits was accepted";
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 429);
      EXPECT_NE(std::string(e.what()).find("bob has 0 jobs running and 0 jobs waiting"),
                std::string::npos)
          << e.what();
    }
  }  // never released: the destructor must stop it (SIGTERM) and return
  for (const char* name :
       {"LOANRISK_ADMIN_TOKEN", "LOANRISK_PREDICTION_LOG_SALT", "LOANRISK_JOB_TEST_MARK"}) {
    ::unsetenv(name);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "release-job-1"));
  // The stopped job's end is in the report all the same: failed, by SIGTERM.
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].first["state"], "failed");
  EXPECT_EQ(ended[0].first["exit_code"], 128 + SIGTERM);
  EXPECT_EQ(ended[0].second.name, "ana");
}

TEST_F(HeldJobs, WhoStartedAJobOrAnAdminStopsItWaitingOrRunning) {
  const Identity ana{"ana", {Role::kAnalyst}, "user"}, bob{"bob", {Role::kAnalyst}, "user"},
      root{"root", {Role::kAdmin}, "user"};
  JobRunner jobs(
      "sqlite:////nonexistent/store.db",
      {.max_running = 1, .max_running_per_person = 1, .max_queued_per_person = 1},
      [this](const json& j, const Identity& who) {
        std::lock_guard lock(mutex);
        ended.emplace_back(j, who);
      },
      script.string());
  EXPECT_EQ(jobs.start(request(), ana)["state"], "running");
  EXPECT_EQ(jobs.start(request(), ana)["state"], "queued");
  spec_of("job-1");  // job-1's process is up
  EXPECT_EQ(refusal([&] { jobs.stop("job-1", bob, "mine now"); }),
            std::pair(403, std::string("only who started job-1 (ana) or an admin can stop it")));
  EXPECT_EQ(refusal([&] { jobs.stop("job-9", root, "x"); }),
            std::pair(404, std::string("no job 'job-9' on this server; see GET /api/v1/jobs for "
                                       "the list")));
  // A waiting job leaves the queue at once and never starts.
  const json queued = jobs.stop("job-2", ana, "wrong features");
  EXPECT_EQ(queued["state"], "stopped");
  EXPECT_EQ(queued["stop"]["by"], (json{{"name", "ana"}, {"source", "user"}}));
  EXPECT_EQ(queued["stop"]["reason"], "wrong features");
  EXPECT_TRUE(queued["exit_code"].is_null());
  EXPECT_TRUE(queued["started_ms"].is_null());
  // A running one gets SIGTERM (the stand-in ends by it) and is "stopped", not "failed".
  const json asked = jobs.stop("job-1", root, "the server is needed");
  EXPECT_EQ(asked["stop"]["by"]["name"], "root");
  const json stopped = wait_for(jobs, "job-1", "stopped");
  EXPECT_EQ(stopped["exit_code"], 128 + SIGTERM);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "spec-job-2.json"));
  EXPECT_EQ(refusal([&] { jobs.stop("job-1", ana, "again"); }),
            std::pair(409, std::string("job-1 has already ended (stopped): there is nothing to "
                                       "stop; start a new job to run it again")));
  // The slot is free again, and both ends were reported as stopped.
  EXPECT_EQ(jobs.start(request(), bob)["state"], "running");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (bool done = false; !done && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard lock(mutex);
    done = ended.size() >= 2;
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(ended.size(), 2u);
  for (const auto& [j, who] : ended) {
    EXPECT_EQ(j["state"], "stopped");
    EXPECT_EQ(who.name, "ana");  // an end is recorded in the name of who started the job
  }
}

TEST_F(HeldJobs, AJobThatIgnoresSigtermIsKilledWhenItsGraceRunsOut) {
  const Identity ana{"ana", {Role::kAnalyst}, "user"};
  const auto stubborn = held_script("stubborn-loanrisk", "trap '' TERM\n");
  JobRunner jobs("sqlite:////nonexistent/store.db",
                 {.max_running = 1, .max_running_per_person = 1, .stop_grace_seconds = 1}, {},
                 stubborn.string());
  jobs.start(request(), ana);
  spec_of("job-1");  // the trap is set
  EXPECT_EQ(jobs.stop("job-1", ana, "too slow")["state"], "running");
  // Asked again while it stops: nothing changes (the first reason stays).
  const json again = jobs.stop("job-1", ana, "still too slow");
  EXPECT_EQ(again["state"], "running");
  EXPECT_EQ(again["stop"]["reason"], "too slow");
  const json killed = wait_for(jobs, "job-1", "stopped");
  EXPECT_EQ(killed["exit_code"], 128 + SIGKILL);
  EXPECT_GE(
      killed["ended_ms"].get<std::int64_t>() - killed["stop"]["requested_ms"].get<std::int64_t>(),
      1000);
}

TEST_F(HeldJobs, TheLogKeepsStdoutAndStderrInOrderAndFollowsFromAnOffset) {
  const Identity ana{"ana", {Role::kAnalyst}, "user"};
  const auto more = dir.path() / "more";
  const auto talker = held_script("talking-loanrisk",
                                  "echo 'out 1'\necho 'err 1' >&2\nprintf '\\377\\376 bad\\n' >&2\n"
                                  "echo 'out 2'\nwhile [ ! -f '" +
                                      more.string() + "' ]; do sleep 0.02; done\necho 'out 3'\n");
  JobRunner jobs("sqlite:////nonexistent/store.db", {}, {}, talker.string());
  jobs.start(request(), ana);
  // The log until it ends with `ending` (up to 20 s), read from offset.
  const auto log_until = [&](std::optional<std::uint64_t> offset, const std::string& ending) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    json log = jobs.log("job-1", offset);
    while (!log["text"].get<std::string>().ends_with(ending) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      log = jobs.log("job-1", offset);
    }
    return log;
  };
  json log = log_until(std::nullopt, "out 2\n");
  // Bytes that are not UTF-8 are replaced, never sent as they are.
  const std::string first = "out 1\nerr 1\n\xEF\xBF\xBD\xEF\xBF\xBD bad\nout 2\n";
  EXPECT_EQ(log["text"], first);
  EXPECT_EQ(log["offset"], 0);
  EXPECT_EQ(log["size"], 6 + 6 + 7 + 6);  // the file holds the bytes as they were written
  EXPECT_EQ(log["next_offset"], log["size"]);
  EXPECT_EQ(log["state"], "running");
  // Followed from where the last answer ended: only what came since.
  const std::uint64_t next = log["next_offset"];
  EXPECT_EQ(jobs.log("job-1", next)["text"], "");
  write_text(more, "");
  log = log_until(next, "out 3\n");
  EXPECT_EQ(log["text"], "out 3\n");
  EXPECT_EQ(log["offset"], next);
  EXPECT_EQ(log["skipped"], 0);
  release("job-1", 0);
  const json job = wait_for(jobs, "job-1", "succeeded");
  EXPECT_EQ(job["stderr_tail"], first + "out 3\n");
  // An offset past the end is the end.
  log = jobs.log("job-1", 1'000'000);
  EXPECT_EQ(log["offset"], log["size"]);
  EXPECT_EQ(log["text"], "");
  EXPECT_EQ(log["state"], "succeeded");
  EXPECT_EQ(refusal([&] { jobs.log("job-2", std::nullopt); }).first, 404);
}

}  // namespace
}  // namespace loanrisk
