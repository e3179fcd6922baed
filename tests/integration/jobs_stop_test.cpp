// A tuning job started through the real server's API, with its real child process and a real
// study in SQLite: its log followed while it runs, stopped with a reason, shown as stopped (not
// failed) with no trial left RUNNING, audited, and resumed afterwards by `loanrisk tune` with the
// same study name.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "serve_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

class JobsStop : public ServeFixture {
 protected:
  static HttpReply call(const std::string& method, const std::string& target,
                        const std::string& body = "") {
    return http_call(port, method, target, body, "application/json", "Bearer t0ken");
  }
  static json get(const std::string& target) {
    const auto r = call("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
  /// GET target until done(answer) or the time is up (a failed assertion then).
  template <class Done>
  static json until(const std::string& target, Done done, std::chrono::seconds limit) {
    const auto end = Clock::now() + limit;
    json j = get(target);
    while (!done(j) && Clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      j = get(target);
    }
    EXPECT_TRUE(done(j)) << target << ": " << j.dump(2);
    return j;
  }
};

TEST_F(JobsStop, AStoppedStudyEndsCleanlyAndResumes) {
  auto r = call("POST", "/api/v1/admin/jobs",
                R"({"family":"xgboost","tune":true,"trials":200,"experiment":"stop-me"})");
  ASSERT_EQ(r.status, 202) << r.body;
  const json started = json::parse(r.body);
  const std::string id = started["id"], study = started["study"];
  const std::string job_path = "/api/v1/jobs/" + id;
  until(
      job_path, [](const json& j) { return j["trials_done"] >= 2 || j["state"] != "running"; },
      std::chrono::seconds(300));

  // The log while it runs: a line per finished trial, followed from the last answer's end.
  json log = get(job_path + "/log");
  const std::string text = log["text"];
  EXPECT_NE(text.find("[xgboost] study started: 200 trials\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[xgboost] trial #0 "), std::string::npos) << text;
  EXPECT_EQ(log["offset"], 0);
  const std::uint64_t next = log["next_offset"];
  log = until(
      job_path + "/log?offset=" + std::to_string(next),
      [](const json& j) { return !j["text"].get<std::string>().empty(); },
      std::chrono::seconds(120));
  EXPECT_EQ(log["offset"], next);
  EXPECT_NE(log["text"].get<std::string>().find("[xgboost] trial #"), std::string::npos);
  r = call("GET", job_path + "/log?offset=-1");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["problems"][0]["field"], "offset");

  // Stopping takes a reason; an unknown job is 404.
  r = call("POST", "/api/v1/admin/jobs/" + id + "/stop", "{}");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["problems"][0]["field"], "reason");
  r = call("POST", "/api/v1/admin/jobs/job-99/stop", R"({"reason":"x"})");
  ASSERT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(json::parse(r.body)["error"],
            "no job 'job-99' on this server; see GET /api/v1/jobs for the list");
  EXPECT_EQ(
      http_call(port, "POST", "/api/v1/admin/jobs/" + id + "/stop", R"({"reason":"x"})").status,
      401);
  r = call("POST", "/api/v1/admin/jobs/" + id + "/stop", R"({"reason":"enough trials"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(json::parse(r.body)["stop"]["reason"], "enough trials");
  EXPECT_EQ(json::parse(r.body)["stop"]["by"]["name"], "admin-token");

  // The study ends its trial in flight and exits: "stopped", exit code 128 + SIGTERM.
  const json job = until(
      job_path, [](const json& j) { return j["state"] != "running"; }, std::chrono::seconds(120));
  ASSERT_EQ(job["state"], "stopped") << job.dump(2);
  EXPECT_EQ(job["exit_code"], 143);
  r = call("POST", "/api/v1/admin/jobs/" + id + "/stop", R"({"reason":"again"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(get(job_path + "/log")["text"].get<std::string>().find("loanrisk: stopping"),
            std::string::npos);

  // Every trial of the study has ended: none RUNNING, at most the one in flight FAIL.
  const json a = get("/api/v1/studies/" + study);
  EXPECT_EQ(a["states"]["RUNNING"], 0) << a["states"].dump();
  EXPECT_LE(a["states"]["FAIL"], 1) << a["states"].dump();
  EXPECT_GE(a["states"]["COMPLETE"].get<int>() + a["states"]["PRUNED"].get<int>(), 2);
  EXPECT_EQ(a["n_trials"], job["trials_done"]);
  const int before = a["n_trials"];

  // The stop and the job's end are in the audit trail, the reason with the stop.
  json trail;
  for (int i = 0; i < 50; ++i) {
    trail = get("/api/v1/audit?limit=20")["events"];
    if (!trail.empty() && trail[0]["action"] == "job end") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool stop_seen = false, end_seen = false;
  for (const json& e : trail) {
    stop_seen |= e["action"] == "POST /api/v1/admin/jobs/{id}/stop" && e["status"] == 202 &&
                 e["detail"].get<std::string>().ends_with("; reason: enough trials");
    end_seen |= e["action"] == "job end" && e["outcome"] == "ok" &&
                e["detail"] == "stopped with exit code 143" &&
                e["target"] == id + ": tune xgboost in experiment stop-me";
  }
  EXPECT_TRUE(stop_seen) << trail.dump(2);
  EXPECT_TRUE(end_seen) << trail.dump(2);

  // `loanrisk tune` with the same study name resumes it where it stopped.
  const auto c = run_cli(*dir, "tune --data book.csv --model xgboost --study " + study +
                                   " --trials 2 --no-refit --quiet --store '" + store_uri + "'");
  ASSERT_EQ(c.code, 0) << c.out << c.err;
  const json resumed = get("/api/v1/studies/" + study);
  ASSERT_EQ(resumed["n_trials"], before + 2);
  EXPECT_EQ(resumed["states"]["RUNNING"], 0);
  const json& history = resumed["history"];
  for (std::size_t i = 0; i < history.size(); ++i) EXPECT_EQ(history[i]["number"], i);
}

}  // namespace
}  // namespace loanrisk::testing
