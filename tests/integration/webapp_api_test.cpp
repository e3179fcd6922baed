// The web app's JSON routes against a real `loanrisk serve` on 127.0.0.1: registry, promotion,
// runs, studies, background jobs, EDA and model card, with their bad-input answers.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "loanrisk/core/sha256.hpp"
#include "serve_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

class WebappApi : public ServeFixture {
 protected:
  static json get(const std::string& target, int want = 200) {
    // Job routes are admin-only (their records quote data paths and errors).
    const std::string auth = target.starts_with("/api/v1/jobs") ? "Bearer t0ken" : "";
    const auto r = http_call(port, "GET", target, "", "application/json", auth);
    EXPECT_EQ(r.status, want) << target << ": " << r.body;
    return json::parse(r.body);
  }
};

TEST_F(WebappApi, ServesTheAppShell) {
  const auto r = http_call(port, "GET", "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find(R"(<script type="module" src="/app/main.js">)"), std::string::npos);
  EXPECT_NE(r.headers.at("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(get("/app/nope.js", 404)["error"],
            "no file /app/nope.js in the web app; open / for the app");
  const json doc = get("/openapi.json");
  for (const char* path :
       {"/api/v1/models", "/api/v1/admin/promote", "/api/v1/runs/{id}", "/api/v1/studies/{name}",
        "/api/v1/admin/jobs", "/api/v1/jobs/{id}", "/api/v1/data", "/api/v1/data/profile",
        "/api/v1/activity", "/api/v1/model/card"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

TEST_F(WebappApi, ModelsAndPromotion) {
  json m = get("/api/v1/models");
  ASSERT_EQ(m["models"].size(), 1u);
  EXPECT_EQ(m["models"][0]["name"], "loan-default");
  EXPECT_EQ(m["models"][0]["aliases"]["champion"], 1);
  ASSERT_EQ(m["models"][0]["versions"].size(), 2u);
  EXPECT_TRUE(m["models"][0]["versions"][0]["metrics"]["test"].contains("auc_roc"));
  EXPECT_EQ(m["serving"]["version"], "1");

  auto r = http_call(port, "POST", "/api/v1/admin/promote", R"({"model":"loan-default"})");
  EXPECT_EQ(r.status, 401);
  r = http_call(port, "POST", "/api/v1/admin/promote", R"({"model":"loan-default","version":"2"})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 422) << r.body;
  json e = json::parse(r.body);
  EXPECT_EQ(e["error"], "invalid promotion: fix each listed field and resend");
  ASSERT_EQ(e["problems"].size(), 2u);
  EXPECT_EQ(e["problems"][0]["field"], "version");
  EXPECT_EQ(e["problems"][0]["rule"], "must be a version number >= 1");
  EXPECT_EQ(e["problems"][1]["field"], "reason");
  r = http_call(port, "POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":7,"reason":"x"})", "application/json",
                "Bearer t0ken");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("7"), std::string::npos) << r.body;

  // Champion is gated on validation evidence: no report, a red one, then a green one.
  r = http_call(port, "POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":2,"reason":"better on test"})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find(
                "@champion needs validation evidence: version 2 of 'loan-default' has no "
                "validation report attached"),
            std::string::npos)
      << r.body;
  const std::string store_flag = " --store '" + store_uri + "'";
  ASSERT_EQ(
      run_cli(*dir, "synth --rows 2000 --seed 21 --drift income_shock --out drifted.csv").code, 0);
  auto c = run_cli(
      *dir, "validate --model models:/loan-default/2 --data drifted.csv --out red" + store_flag);
  ASSERT_EQ(c.code, 4) << c.out << c.err;  // the drifted book's PSI is red
  ASSERT_EQ(run_cli(*dir, "models attach-report loan-default 2 red" + store_flag).code, 0);
  r = http_call(port, "POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":2,"reason":"better on test"})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("has a red validation report"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Stability of the inputs"), std::string::npos) << r.body;
  r = http_call(port, "POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":2,"reason":"x","override":"yes"})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["problems"][0]["field"], "override");
  // Gates loose enough for the synthetic holdout to pass every one.
  write_text(*dir / "loose.toml",
             "[validation]\njeffreys_amber = 1e-9\njeffreys_red = 1e-10\n"
             "hosmer_lemeshow_amber = 1e-9\nhosmer_lemeshow_red = 1e-10\nece_red = 0.5\n"
             "ece_amber = 0.4\nherfindahl_amber = 0.9\nherfindahl_red = 0.95\n"
             "auc_decline_amber = 1e-9\nauc_decline_red = 1e-10\n");
  c = run_cli(*dir,
              "validate --model models:/loan-default/2 --data book.csv --config loose.toml --out "
              "green" +
                  store_flag);
  ASSERT_EQ(c.code, 0) << c.out << c.err;
  c = run_cli(*dir, "models attach-report loan-default 2 green --json" + store_flag);
  ASSERT_EQ(c.code, 0) << c.err;
  const std::string green = json::parse(c.out)["sha256"];
  r = http_call(port, "POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":2,"reason":"better on test"})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 200) << r.body;
  e = json::parse(r.body);
  EXPECT_TRUE(e["moved"]);
  EXPECT_EQ(e["serving"]["version"], "2");
  r = http_call(port, "POST", "/api/v1/predict", kApplicant);
  EXPECT_EQ(json::parse(r.body)["model"]["version"], "2");
  m = get("/api/v1/models");
  const json last = m["models"][0]["history"].back();
  EXPECT_EQ(last["event"], "alias");
  EXPECT_EQ(last["version"], 2);
  EXPECT_EQ(last["previous_version"], 1);
  EXPECT_EQ(last["reason"], "better on test");
  EXPECT_EQ(last["report_sha256"], green);
  EXPECT_EQ(last["override_gate"], false);
  // Each version lists its reports, newest first; each report opens by its hash.
  const json reports = m["models"][0]["versions"][1]["reports"];
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0]["sha256"], green);
  EXPECT_EQ(reports[1]["status"], "red");
  r = http_call(port, "GET", "/api/v1/reports/" + green);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("PD model validation"), std::string::npos);
  EXPECT_EQ(get("/api/v1/reports/" + green + "?format=json")["model"]["source"],
            "models:/loan-default/2");
  EXPECT_NE(get("/api/v1/reports/" + std::string(64, 'e'), 404)["error"].get<std::string>().find(
                "is attached to any version"),
            std::string::npos);
  EXPECT_NE(get("/api/v1/reports/..%2f..%2fetc", 404)["error"].get<std::string>().find(
                "a report is named by its sha256"),
            std::string::npos);
  // Back to version 1 (no report): only with an override and its reason, kept in the history.
  r = http_call(port, "POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":1,"reason":"roll back","override":true})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(get("/api/v1/models")["models"][0]["history"].back()["override_gate"], true);
  move_champion(1, true);
}

TEST_F(WebappApi, RunsAndStudies) {
  const json runs = get("/api/v1/runs");
  ASSERT_EQ(runs["runs"].size(), 2u);
  EXPECT_EQ(runs["runs"][0]["experiment"], "serve");
  const std::string id = runs["runs"][0]["run_id"];
  const json one = get("/api/v1/runs/" + id);
  EXPECT_EQ(one["run_id"], id);
  EXPECT_TRUE(one["history"].is_object());
  EXPECT_EQ(get("/api/v1/runs?experiment=nope", 400)["error"].is_string(), true);
  EXPECT_EQ(get("/api/v1/runs/xyz", 404)["error"],
            "no run 'xyz': a run id is 32 lower-case hex digits");
  EXPECT_TRUE(get("/api/v1/studies")["studies"].empty());
  EXPECT_EQ(get("/api/v1/studies/no%20such", 404)["error"],
            "no study 'no such'; see GET /api/v1/studies for the list");
}

TEST_F(WebappApi, DataAndCard) {
  const json d = get("/api/v1/data");
  EXPECT_EQ(d["source"], "eda");
  EXPECT_EQ(d["report"]["format"], "loanrisk-eda/1");
  EXPECT_EQ(d["report"]["overview"]["rows_valid"], 3000);
  const json c = get("/api/v1/model/card");
  EXPECT_EQ(c["model"]["version"], "1");
  EXPECT_EQ(c["markdown"].get<std::string>().rfind("#", 0), 0u);
}

// The Data page's upload: any file of the schema profiled as the training data is, and every bad
// body a clear 4xx.
TEST_F(WebappApi, ProfilesAnUploadedFile) {
  const std::string book = slurp(*dir / "book.csv");
  std::string head;  // the header and 200 rows
  std::size_t end = 0;
  for (int line = 0; line <= 200; ++line) end = book.find('\n', end) + 1;
  head = book.substr(0, end);
  const auto post = [](const std::string& body) {
    return http_call(port, "POST", "/api/v1/data/profile", body, "text/csv");
  };
  auto r = post(head);
  ASSERT_EQ(r.status, 200) << r.body;
  json d = json::parse(r.body);
  EXPECT_EQ(d["source"], "upload");
  EXPECT_EQ(d["model"]["version"], "1");
  EXPECT_EQ(d["report"]["overview"]["rows_valid"], 200);
  EXPECT_EQ(d["report"]["overview"]["sha256"], sha256_hex(head));
  EXPECT_EQ(d["report"]["features"].size(), 10u);

  // A bad row and bytes that are not UTF-8 are reported, not fatal; the answer is valid JSON.
  std::string hostile = head + "\xff\xfe-id,2,x\xc3,3,4,5,600,0\n";
  r = post(hostile);
  ASSERT_EQ(r.status, 200) << r.body;
  d = json::parse(r.body);
  EXPECT_EQ(d["report"]["overview"]["rejects"], 1);
  EXPECT_EQ(d["report"]["overview"]["rows_valid"], 200);

  // Without outcomes: the message says why the column is needed and where such a file goes.
  const std::string header = head.substr(0, head.find('\n'));
  const std::string no_default = header.substr(0, header.rfind(',')) + "\nC1,1,2,3,4,5,600\n";
  r = post(no_default);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("needs the 'default' column (0 or 1)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Batch page"), std::string::npos) << r.body;

  r = post("");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("send the CSV file itself"), std::string::npos) << r.body;
  r = post(header + "\nC1,x,y,z,w,v,u,t\n");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("no valid row"), std::string::npos) << r.body;
  r = post(std::string("\x89PNG\r\n\x1a\n\0\0binary", 16));
  EXPECT_EQ(r.status, 422) << r.body;
  r = post(std::string(70'000, 'a'));  // over the fixture's 64 KiB body limit
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(http_call(port, "GET", "/readyz").status, 200);
}

// The Overview's counts: every scored row, decisions only where one is made, what-if probes not
// at all; the approval rate is over decisions and absent before the first.
TEST_F(WebappApi, CountsTodaysScoringsAndDecisions) {
  const json before = get("/api/v1/activity");
  EXPECT_EQ(before["day"], before["since"].get<std::string>().substr(0, 10));
  const auto decided = [](const json& a) { return a["decided"].get<std::int64_t>(); };
  const auto scored = [](const json& a) { return a["scored"].get<std::int64_t>(); };
  ASSERT_EQ(http_call(port, "POST", "/api/v1/predict", kApplicant).status, 200);
  ASSERT_EQ(http_call(port, "POST", "/api/v1/predict?probe=true", kApplicant).status, 200);
  const std::string book = slurp(*dir / "book.csv");
  std::size_t end = 0;
  for (int line = 0; line <= 20; ++line) end = book.find('\n', end) + 1;
  const auto csv = http_call(port, "POST", "/api/v1/score-csv", book.substr(0, end), "text/csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  const auto mlflow = http_call(port, "POST", "/invocations",
                                std::string(R"({"dataframe_records":[)") + kApplicant + "]}");
  ASSERT_EQ(mlflow.status, 200) << mlflow.body;
  const json after = get("/api/v1/activity");
  // Other tests of the suite may have scored before; the deltas are this test's own.
  EXPECT_EQ(scored(after) - scored(before), 1 + 20 + 1);
  EXPECT_EQ(decided(after) - decided(before), 1 + 20);
  EXPECT_EQ(after["approved"].get<std::int64_t>() + after["declined"].get<std::int64_t>(),
            decided(after));
  EXPECT_DOUBLE_EQ(after["approval_rate"].get<double>(),
                   after["approved"].get<double>() / after["decided"].get<double>());
  const std::string metrics = http_call(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loanrisk_decisions_total{decision=\"approve\"} "), std::string::npos);
}

TEST_F(WebappApi, BackgroundTrainingJob) {
  auto r = http_call(port, "POST", "/api/v1/admin/jobs", R"({"family":"gbm","trials":0})",
                     "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body)["problems"].size(), 2u);
  EXPECT_EQ(get("/api/v1/jobs/job-99", 404)["error"],
            "no job 'job-99' on this server; see GET /api/v1/jobs for the list");
  const json meta = get("/api/v1/jobs");
  EXPECT_EQ(meta["default_data"], (dir->path() / "book.csv").string());
  EXPECT_EQ(meta["features"].size(), 10u);

  r = http_call(port, "POST", "/api/v1/admin/jobs",
                R"({"family":"logistic_regression","experiment":"from-web",)"
                R"("features":["income","fico_score","debt_to_income_ratio"]})",
                "application/json", "Bearer t0ken");
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = json::parse(r.body)["id"];
  json job;
  const auto start = std::chrono::steady_clock::now();
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    job = get("/api/v1/jobs/" + id);
    ASSERT_LT(std::chrono::steady_clock::now() - start, std::chrono::minutes(5));
  } while (job["state"] == "running");
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  EXPECT_EQ(job["exit_code"], 0);
  const json runs = get("/api/v1/runs?experiment=from-web");
  ASSERT_EQ(runs["runs"].size(), 1u);
  EXPECT_EQ(runs["runs"][0]["status"], "FINISHED");
  EXPECT_EQ(runs["runs"][0]["tags"]["loanrisk.family"], "logistic_regression");
  // The job ran in the name of who started it (here the environment's admin token), not as the
  // server's operating-system user.
  EXPECT_EQ(runs["runs"][0]["user"], "admin-token");
  EXPECT_EQ(job["started_by"], (json{{"name", "admin-token"}, {"source", "admin-token"}}));

  // Its start and its end are in the audit trail, newest first; the end arrives from the
  // server's monitor within a moment of the job's exit.
  json trail;
  for (int i = 0; i < 50; ++i) {
    const auto a = http_call(port, "GET", "/api/v1/audit?limit=10", "", "", "Bearer t0ken");
    ASSERT_EQ(a.status, 200) << a.body;
    trail = json::parse(a.body)["events"];
    if (!trail.empty() && trail[0]["action"] == "job end") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(trail.size(), 2u) << trail.dump(2);
  EXPECT_EQ(trail[0]["action"], "job end");
  EXPECT_EQ(trail[0]["who"], "admin-token");
  EXPECT_EQ(trail[0]["outcome"], "ok");
  EXPECT_EQ(trail[0]["target"], id + ": train logistic_regression in experiment from-web");
  bool started = false;
  for (const json& e : trail) {
    started |= e["action"] == "POST /api/v1/admin/jobs" && e["status"] == 202 &&
               e["detail"] == id + ": train logistic_regression in experiment from-web: running";
  }
  EXPECT_TRUE(started) << trail.dump(2);
}

TEST_F(WebappApi, AuditTrailForAdmins) {
  EXPECT_EQ(http_call(port, "GET", "/api/v1/audit").status, 401);
  // Something to find: a refused promotion (no token) and an accepted reload.
  EXPECT_EQ(http_call(port, "POST", "/api/v1/admin/reload").status, 401);
  ASSERT_EQ(http_call(port, "POST", "/api/v1/admin/reload", "", "", "Bearer t0ken").status, 200);
  const auto page = [](const std::string& query, int want = 200) {
    const auto r = http_call(port, "GET", "/api/v1/audit" + query, "", "", "Bearer t0ken");
    EXPECT_EQ(r.status, want) << query << ": " << r.body;
    return r;
  };
  const json refused = json::parse(page("?outcome=refused").body)["events"];
  ASSERT_FALSE(refused.empty());
  for (const json& e : refused) EXPECT_EQ(e["outcome"], "refused");
  const json mine = json::parse(page("?who=admin-token&limit=1").body);
  ASSERT_EQ(mine["events"].size(), 1u);
  EXPECT_EQ(mine["events"][0]["action"], "POST /api/v1/admin/reload");
  // The next page starts below the last event shown.
  const json next = json::parse(
      page("?who=admin-token&limit=1&before=" + mine["next_before"].dump()).body)["events"];
  for (const json& e : next) EXPECT_LT(e["id"], mine["events"][0]["id"]);
  // An export: JSON lines, oldest first, each the shape of `loanrisk audit export`.
  const auto lines = page("?format=jsonl");
  EXPECT_EQ(lines.headers.at("content-type"), "application/x-ndjson");
  std::int64_t last = 0;
  int n = 0;
  for (std::size_t at = 0; at < lines.body.size();) {
    const auto nl = lines.body.find('\n', at);
    const json e = json::parse(lines.body.substr(at, nl - at));
    EXPECT_GT(e["id"].get<std::int64_t>(), last);
    last = e["id"];
    ++n;
    at = nl + 1;
  }
  EXPECT_GE(n, 2);
  // Bad queries: 422 naming each field.
  const json bad = json::parse(
      page("?since=yesterday&outcome=maybe&limit=0&before=x&format=xml", 422).body)["problems"];
  std::set<std::string> fields;
  for (const json& p : bad) fields.insert(p["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"since", "outcome", "limit", "before", "format"}));
  page("?limit=5001", 422);
  page("?who=%FF%FE", 200);  // bytes that are not UTF-8 find nobody, and break nothing
}

}  // namespace
}  // namespace loanrisk::testing
