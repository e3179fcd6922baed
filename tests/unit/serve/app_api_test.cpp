// The web app's routes that need no store or model: embedded files, route templates, job requests.
#include "loanrisk/serve/app_api.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "loanrisk/core/files.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/jobs.hpp"
#include "loanrisk/serve/web_assets.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

TEST(WebAssets, IndexScriptsAndEchartsAreEmbedded) {
  const WebAsset* index = find_web_asset("/");
  ASSERT_NE(index, nullptr);
  EXPECT_NE(index->body.find("/app/main.js"), std::string_view::npos);
  EXPECT_EQ(index->sha256.size(), 64u);
  for (const char* path :
       {"/app/main.js", "/app/style.css", "/app/pages/predict.js", "/app/vendor/echarts.min.js"}) {
    const WebAsset* a = find_web_asset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_GT(a->body.size(), 100u) << path;
  }
  EXPECT_EQ(find_web_asset("/app/nope.js"), nullptr);
  EXPECT_EQ(find_web_asset("/index.html"), nullptr);
}

TEST(WebAssets, AcceptEncodingGzip) {
  for (const char* yes : {"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*", "GZIP",
                          " deflate , gzip ", "x-gzip", "gzip;q=0.001", "*;q=0.5, br"}) {
    EXPECT_TRUE(accepts_gzip(yes)) << yes;
  }
  for (const char* no :
       {"", "identity", "br", "deflate, br", "gzip;q=0", "gzip;q=0.000", "*, gzip;q=0", "*;q=0",
        "gzip;q=", "gzip;q=banana0", "gzipx", "gzip;q=0.0001"}) {
    EXPECT_FALSE(accepts_gzip(no)) << no;
  }
}

TEST(WebAssets, ContentTypes) {
  EXPECT_EQ(content_type_of("/"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_of("/app/main.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_of("/app/style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_of("/app/x.bin"), "application/octet-stream");
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(AppRoutes, StaticFilesWithEtagAndContentSecurityPolicy) {
  ModelHolder holder{"/nonexistent/bundle", ""};
  ServeMetrics metrics;
  ServeSettings s;
  s.log_level = "off";
  ServeApi api{s, holder, metrics};
  HttpResponse r = api.handle({"GET", "/", "", "", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.body, std::string(find_web_asset("/")->body));
  const std::string etag = header(r, "ETag");
  EXPECT_EQ(etag, "\"" + std::string(find_web_asset("/")->sha256) + "\"");
  EXPECT_NE(header(r, "Content-Security-Policy").find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
  r = api.handle({"GET", "/", "", "", "", etag});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  r = api.handle({"GET", "/app/vendor/echarts.min.js", "", "", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(r, "Content-Encoding"), "");
  EXPECT_EQ(header(r, "Vary"), "Accept-Encoding");
  const std::size_t plain = r.body.size();
  // A browser's Accept-Encoding gets the gzip variant, under its own ETag.
  HttpRequest gz{"GET", "/app/vendor/echarts.min.js", "", "", ""};
  gz.accept_encoding = "gzip, deflate, br";
  r = api.handle(gz);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Encoding"), "gzip");
  EXPECT_EQ(header(r, "Vary"), "Accept-Encoding");
  ASSERT_GT(r.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(r.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(r.body[1]), 0x8b);
  EXPECT_LT(r.body.size() * 2, plain);
  const std::string gz_etag = header(r, "ETag");
  EXPECT_EQ(gz_etag,
            "\"" + std::string(find_web_asset("/app/vendor/echarts.min.js")->sha256) + "-gzip\"");
  gz.if_none_match = gz_etag;
  EXPECT_EQ(api.handle(gz).status, 304);
  r = api.handle({"GET", "/app/missing.js", "", "", ""});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"],
            "no file /app/missing.js in the web app; open / for the app");
  r = api.handle({"POST", "/", "", "", ""});
  EXPECT_EQ(r.status, 405);
  r = api.handle({"POST", "/api/v1/admin/promote", "application/json", "", "{}"});
  EXPECT_EQ(r.status, 403);  // no admin token configured
}

TEST(AppRoutes, PrefixedPathsMatchTheirTemplates) {
  ModelHolder holder{"/nonexistent/bundle", ""};
  ServeMetrics metrics;
  ServeSettings s;
  s.log_level = "off";
  const ServeApi api{s, holder, metrics};
  const RouteTable& t = api.routes();
  EXPECT_EQ(t.resolve("GET", "/").label, "/");
  EXPECT_EQ(t.resolve("GET", "/app/pages/predict.js").label, "/app/{file}");
  EXPECT_EQ(t.resolve("GET", "/app/pages/predict.js").param, "pages/predict.js");
  EXPECT_EQ(t.resolve("GET", "/api/v1/jobs/job-3").label, "/api/v1/jobs/{id}");
  EXPECT_EQ(t.resolve("GET", "/api/v1/runs/0123").label, "/api/v1/runs/{id}");
  EXPECT_EQ(t.resolve("GET", "/api/v1/runs/0123").param, "0123");
  EXPECT_EQ(t.resolve("GET", "/api/v1/studies/tune-xgboost").label, "/api/v1/studies/{name}");
  EXPECT_EQ(t.resolve("POST", "/api/v1/predict").label, "/api/v1/predict");
  ASSERT_NE(t.resolve("POST", "/api/v1/admin/promote").route, nullptr);
  EXPECT_EQ(t.resolve("POST", "/api/v1/admin/promote").route->access, Access::Promote);
  EXPECT_EQ(t.resolve("POST", "/api/v1/admin/promotions/3/approve").route->access,
            Access::Validator);
  EXPECT_EQ(t.resolve("POST", "/api/v1/admin/promotions/3/reject").route->access, Access::Promote);
  EXPECT_EQ(t.resolve("POST", "/api/v1/predict").route->access, Access::Predict);
}

json problems_of(const json& body, const std::string& default_data = "") {
  try {
    parse_job_request(body, default_data);
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status(), 422);
    return e.body();
  }
  ADD_FAILURE() << "no error for " << body.dump();
  return json();
}

TEST(JobRequest, EveryProblemIsListed) {
  const json b = problems_of({{"family", "gbm"},
                              {"features", {"income", "income", "shoe_size"}},
                              {"tune", "yes"},
                              {"trials", 0},
                              {"experiment", "a/b"},
                              {"colour", 1}});
  EXPECT_EQ(b["error"], "invalid job request: 8 problems (fix each listed field and resend)");
  const auto& p = b["problems"];
  ASSERT_EQ(p.size(), 8u) << p.dump(1);
  EXPECT_EQ(p[0]["field"], "colour");
  EXPECT_EQ(p[0]["rule"],
            "is not a known field (known: data, experiment, family, features, trials, tune)");
  EXPECT_EQ(p[1]["field"], "family");
  EXPECT_EQ(p[1]["value"], "gbm");
  EXPECT_NE(p[1]["rule"].get<std::string>().find("must be one of"), std::string::npos);
  EXPECT_NE(p[1]["rule"].get<std::string>().find("xgboost"), std::string::npos);
  EXPECT_EQ(p[2]["rule"], "is listed twice");
  EXPECT_EQ(p[3]["value"], "shoe_size");
  EXPECT_EQ(p[4]["field"], "tune");
  EXPECT_EQ(p[4]["rule"], "must be true or false");
  EXPECT_EQ(p[5]["rule"], "must be an integer between 1 and 500");
  EXPECT_EQ(p[6]["rule"], "must be 1 to 100 characters: letters, digits, '_', '-', '.' and spaces");
  EXPECT_EQ(p[7]["field"], "data");
  EXPECT_EQ(p[7]["rule"],
            "must name a labelled loan CSV on the server (the served model's training data is "
            "not on this machine)");
}

TEST(JobRequest, MissingDataFileAndNotAnObject) {
  const json b = problems_of({{"family", "xgboost"}}, "/nonexistent/book.csv");
  ASSERT_EQ(b["problems"].size(), 1u);
  EXPECT_EQ(b["problems"][0]["rule"], "must be an existing file on the server");
  EXPECT_EQ(problems_of(json::array())["error"],
            "expected a JSON object like {\"family\": \"xgboost\", \"tune\": true, \"trials\": "
            "10}");
}

TEST(JobRequest, DefaultsAndValidRequest) {
  testing::TempDir dir;
  testing::write_text(dir / "book.csv", "x\n");
  const JobRequest r = parse_job_request({{"family", "xgboost"},
                                          {"tune", true},
                                          {"trials", 3},
                                          {"features", {"income", "fico_score"}}},
                                         (dir / "book.csv").string());
  EXPECT_EQ(r.family, "xgboost");
  EXPECT_TRUE(r.tune);
  EXPECT_EQ(r.trials, 3);
  EXPECT_EQ(r.experiment, "web-tuning");
  EXPECT_EQ(r.features, (std::vector<std::string>{"income", "fico_score"}));
  EXPECT_EQ(r.data, (dir / "book.csv").string());
}

TEST(JobRunner, UnknownJobIs404) {
  JobRunner jobs("sqlite:///nonexistent/store.db");
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
  void SetUp() override {
    script = dir.path() / "fake-loanrisk";
    write_text(script,
               "#!/bin/sh\n"
               "id=$(basename \"$(dirname \"$3\")\")\n"
               "env > \"" +
                   dir.path().string() +
                   "/env-$id\"\n"
                   "cp \"$3\" \"" +
                   dir.path().string() +
                   "/spec-$id.json\"\n"
                   "while [ ! -f \"" +
                   dir.path().string() +
                   "/release-$id\" ]; do sleep 0.02; done\n"
                   "exit $(cat \"" +
                   dir.path().string() + "/release-$id\")\n");
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
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
      "sqlite:///nonexistent/store.db",
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
        "sqlite:///nonexistent/store.db",
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

}  // namespace
}  // namespace loanrisk
