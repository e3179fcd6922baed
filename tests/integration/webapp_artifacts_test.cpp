// A run's artifacts, evaluation report and bundle through a real `loanrisk serve` on 127.0.0.1,
// and the registration of a run's bundle: who may read what, the types and file names answers
// carry, every path that tries to leave the run's folder refused, the bundle downloaded as a tar
// that the system's tar unpacks into a bundle the CLI scores with, and every copy and registration
// in the audit trail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

class WebappArtifacts : public ServeFixture {
 protected:
  static void SetUpTestSuite() {
    ServeFixture::SetUpTestSuite();
    auto store = open_store(store_uri);
    for (const loanrisk::Run& r : store->list_runs(std::nullopt)) {
      if (r.name == "b2") {
        trained = r.id;
        artifacts = r.artifact_dir;
      }
    }
    // A run without a bundle (a tuning trial's shape), and one still running.
    const loanrisk::Run trial = store->create_run({"serve", "trial-0", trained, ""});
    store->log_metric(trial.id, "auc_roc", 0.7);
    store->end_run(trial.id, RunStatus::kFinished);
    bare = trial.id;
    running = store->create_run({"serve", "busy", "", ""}).id;
    // Links planted in the trained run's folder: one out of it, one that stays inside.
    write_text(*dir / "secret.txt", "not for the web");
    std::filesystem::create_symlink(*dir / "secret.txt", artifacts / "leak.txt");
    std::filesystem::create_symlink(artifacts / "bundle" / "card.md", artifacts / "card-link.md");
    write_text(artifacts / "raw scores;\"x\".bin", std::string("\x00\x01\xff", 3));
  }
  static HttpReply get(const std::string& target, const std::string& token = "t0ken") {
    return http_call(port, "GET", target, "", "", token.empty() ? "" : "Bearer " + token);
  }
  static std::string error_of(const HttpReply& r) {
    return json::parse(r.body).value("error", "(no error) " + r.body);
  }
  static inline std::string trained, bare, running;
  static inline std::filesystem::path artifacts;
};

TEST_F(WebappArtifacts, ListedForAnyoneWithTheBundleAndReport) {
  const auto r = get("/api/v1/runs/" + trained + "/artifacts", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const json a = json::parse(r.body);
  EXPECT_EQ(a["run_id"], trained);
  EXPECT_EQ(a["report"], true);
  EXPECT_EQ(a["truncated"], false);
  std::map<std::string, json> files;
  for (const json& f : a["files"]) files[f["path"]] = f;
  for (const char* path :
       {"bundle/manifest.json", "bundle/metrics.json", "bundle/card.md",
        "bundle/report/report.html", "bundle/report/report.json", "card-link.md"}) {
    EXPECT_TRUE(files.contains(path)) << path << " in " << a.dump(1);
  }
  EXPECT_FALSE(files.contains("leak.txt"));  // a link out of the folder is not even listed
  EXPECT_EQ(files["bundle/report/report.html"]["viewable"], true);
  EXPECT_EQ(files["bundle/manifest.json"]["bytes"],
            std::filesystem::file_size(artifacts / "bundle" / "manifest.json"));
  EXPECT_GT(a["bundle"]["bytes"].get<std::int64_t>(), 1000);
  const json none = json::parse(get("/api/v1/runs/" + bare + "/artifacts", "").body);
  EXPECT_TRUE(none["files"].empty());
  EXPECT_TRUE(none["bundle"].is_null());
  EXPECT_EQ(none["report"], false);
  EXPECT_EQ(error_of(get("/api/v1/runs/" + std::string(32, 'f') + "/artifacts", ""))
                .rfind("no run '" + std::string(32, 'f') + "' in store ", 0),
            0u);
  EXPECT_EQ(get("/api/v1/runs/nope/artifacts", "").status, 404);
}

TEST_F(WebappArtifacts, TheEvaluationReportIsShownSandboxedAndDownloads) {
  auto r = get("/api/v1/runs/" + trained + "/report", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<h1>Model evaluation</h1>"), std::string::npos);
  EXPECT_EQ(r.headers.at("content-security-policy").rfind("sandbox; default-src 'none'", 0), 0u);
  EXPECT_EQ(r.headers.at("x-content-type-options"), "nosniff");
  EXPECT_FALSE(r.headers.contains("content-disposition"));
  r = get("/api/v1/runs/" + trained + "/report?format=json", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_TRUE(json::parse(r.body).contains("curves")) << r.body.substr(0, 300);
  r = get("/api/v1/runs/" + trained + "/report?download=1", "");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/octet-stream");
  EXPECT_EQ(r.headers.at("content-disposition"), "attachment; filename=\"b2-report.html\"");
  r = get("/api/v1/runs/" + bare + "/report", "");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r), "run " + bare +
                             " has no evaluation report: `train` writes one into its bundle, a "
                             "tuning trial keeps no bundle (the study's refit run, NAME-best, has "
                             "one)");
}

TEST_F(WebappArtifacts, FilesAreForModelPeopleWithTypesAndNames) {
  const std::string base = "/api/v1/runs/" + trained + "/artifacts/";
  auto r = get(base + "bundle/manifest.json", "");
  EXPECT_EQ(r.status, 401) << r.body;
  r = get(base + "bundle/manifest.json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.body, slurp(artifacts / "bundle" / "manifest.json"));
  EXPECT_EQ(r.headers.at("content-security-policy").rfind("sandbox;", 0), 0u);
  r = get(base + "bundle/report/report.html");
  EXPECT_EQ(r.headers.at("content-type"), "text/html; charset=utf-8");
  r = get(base + "card-link.md");  // a link that stays inside is followed
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.body, slurp(artifacts / "bundle" / "card.md"));
  r = get(base + "bundle/manifest.json?download=1");
  EXPECT_EQ(r.headers.at("content-type"), "application/octet-stream");
  EXPECT_EQ(r.headers.at("content-disposition"), "attachment; filename=\"b2-manifest.json\"");
  // A file of any other type is only ever a download, under a name with nothing but letters,
  // digits, '.', '-' and '_'.
  r = get(base + "raw%20scores%3B%22x%22.bin");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/octet-stream");
  EXPECT_EQ(r.headers.at("content-disposition"), "attachment; filename=\"b2-raw_scores__x_.bin\"");
  EXPECT_EQ(r.body, std::string("\x00\x01\xff", 3));
}

TEST_F(WebappArtifacts, NoPathLeavesTheRunsFolder) {
  const std::string base = "/api/v1/runs/" + trained + "/artifacts/";
  const auto refused = [&](const std::string& path, int status, const std::string& words) {
    const auto r = get(base + path);
    EXPECT_EQ(r.status, status) << path << ": " << r.body;
    EXPECT_NE(error_of(r).find(words), std::string::npos) << path << ": " << r.body;
    EXPECT_EQ(r.body.find("not for the web"), std::string::npos) << path;
  };
  refused("../../../../etc/passwd", 400, "'.' and '..' segments are refused");
  refused("bundle/..%2F..%2F..%2Fetc%2Fpasswd", 400, "'.' and '..' segments are refused");
  refused("%2e%2e/%2e%2e/secret.txt", 400, "'.' and '..' segments are refused");
  refused("%2Fetc%2Fpasswd", 400, "an absolute path is never served");
  refused("bundle/manifest.json%00.txt", 400, "it holds a NUL byte");
  refused("bundle/%FF%FE.json", 400, "it is not valid UTF-8");
  refused("bundle%5Cmanifest.json", 400, "'\\' is not a folder separator here");
  refused("bundle//manifest.json", 400, "it has an empty segment");
  refused("bundle/%zz", 400, "'%' must start an escape of two hex digits");
  refused("leak.txt", 404, "leads out of the run's artifact folder (a symbolic link)");
  refused("bundle", 404, "is a folder");
  refused("bundle/nothing.json", 404, "no artifact 'bundle/nothing.json' in this run");
  // The runs around the path: a malformed id, an unknown one.
  auto r = get("/api/v1/runs/..%2F..%2Fetc/artifacts/passwd");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(error_of(r).find("a run id is 32 lower-case hex digits"), std::string::npos);
  r = get("/api/v1/runs/" + std::string(32, 'e') + "/artifacts/bundle/manifest.json");
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(WebappArtifacts, TheBundleDownloadsAsATarTheCliScoresWith) {
  const std::string target = "/api/v1/runs/" + trained + "/bundle";
  EXPECT_EQ(get(target, "").status, 401);
  const auto r = get(target);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(r.headers.at("content-type"), "application/x-tar");
  EXPECT_EQ(r.headers.at("content-disposition"), "attachment; filename=\"b2-bundle.tar\"");
  write_text(*dir / "download.tar", r.body);
  std::filesystem::remove_all(*dir / "unpacked");
  std::filesystem::create_directories(*dir / "unpacked");
  ASSERT_EQ(run_shell(*dir, "tar -xf download.tar -C unpacked").code, 0);
  EXPECT_EQ(slurp(*dir / "unpacked/bundle/manifest.json"),
            slurp(artifacts / "bundle" / "manifest.json"));
  const auto scored =
      run_cli(*dir, "predict --model unpacked/bundle --data book.csv --out scored.csv");
  ASSERT_EQ(scored.code, 0) << scored.err;
  EXPECT_EQ(count_lines(*dir / "scored.csv"), 3001u);
  auto none = get("/api/v1/runs/" + bare + "/bundle");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(error_of(none).find("has no model bundle"), std::string::npos);
  // Every copy taken is in the audit trail, with who took it.
  const json trail = json::parse(get("/api/v1/audit?limit=20").body)["events"];
  bool recorded = false;
  for (const json& e : trail) {
    recorded |= e["action"] == "GET /api/v1/runs/{id}/bundle" && e["status"] == 200 &&
                e["who"] == "admin-token" &&
                e["detail"].get<std::string>().starts_with("bundle of run " + trained);
  }
  EXPECT_TRUE(recorded) << trail.dump(1);
}

TEST_F(WebappArtifacts, RegisterARunsBundle) {
  const auto post = [](const std::string& body, const std::string& token = "t0ken") {
    return http_call(port, "POST", "/api/v1/admin/register", body, "application/json",
                     token.empty() ? "" : "Bearer " + token);
  };
  const std::string good =
      R"({"run_id":")" + trained + R"(","name":"loan-default","reason":"from the web"})";
  EXPECT_EQ(post(good, "").status, 401);
  auto r = post(R"({"run_id":"x","name":"../bad","reason":3,"colour":"red"})");
  ASSERT_EQ(r.status, 422) << r.body;
  json e = json::parse(r.body);
  EXPECT_EQ(e["error"], "invalid registration: fix each listed field and resend");
  std::vector<std::string> fields;
  for (const json& p : e["problems"]) fields.push_back(p["field"]);
  EXPECT_EQ(fields, (std::vector<std::string>{"colour", "run_id", "name", "reason"}));
  EXPECT_EQ(e["problems"][2]["rule"],
            "must be a model name: 1 to 200 letters, digits, '_', '-' and '.' (not first)");
  EXPECT_EQ(post("[1]").status, 422);
  EXPECT_EQ(post("{").status, 400);
  r = post(R"({"run_id":")" + std::string(32, 'a') + R"(","name":"m"})");
  EXPECT_EQ(r.status, 404) << r.body;
  r = post(R"({"run_id":")" + bare + R"(","name":"m"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(error_of(r).find("has no model bundle to register"), std::string::npos);
  r = post(R"({"run_id":")" + running + R"(","name":"m"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(error_of(r).find("is RUNNING: only a FINISHED run's bundle can be registered"),
            std::string::npos);

  r = post(good);
  ASSERT_EQ(r.status, 201) << r.body;
  const json v = json::parse(r.body)["version"];
  EXPECT_EQ(v["name"], "loan-default");
  EXPECT_EQ(v["version"], 3);
  EXPECT_EQ(v["run_id"], trained);
  EXPECT_EQ(v["created_by"], "admin-token");
  const json m = json::parse(get("/api/v1/models", "").body)["models"][0];
  EXPECT_EQ(m["versions"].back()["version"], 3);
  EXPECT_EQ(m["history"].back()["event"], "register");
  EXPECT_EQ(m["history"].back()["reason"], "from the web");
  // A new name starts a new model; a blank reason gets one that says where it came from.
  r = post(R"({"run_id":")" + trained + R"(","name":"pd-retail","reason":" "})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["version"]["version"], 1);
  const json trail = json::parse(get("/api/v1/audit?limit=20").body)["events"];
  bool recorded = false;
  for (const json& a : trail) {
    recorded |= a["action"] == "POST /api/v1/admin/register" && a["status"] == 201 &&
                a["detail"] == "registered loan-default version 3 from run " + trained;
  }
  EXPECT_TRUE(recorded) << trail.dump(1);
}

}  // namespace
}  // namespace loanrisk::testing
