// MLflow's REST API on the real `loanrisk serve`, over HTTP on 127.0.0.1: the calls a real
// `mlflow` client makes (tests/fixtures/mlflow_rest/, derived from MLflow's service.proto and
// REST stores) replayed with the answers they must get, the artifact proxy, who a run belongs to,
// hostile input, and the client's runs as loanrisk's CLI shows them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/tracking/users.hpp"
#include "server_process.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kAdmin = "Bearer t0ken";

std::string encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

/// The value at a dotted path ("runs.0.info.run_id"); null when absent.
json at(const json& j, const std::string& path) {
  const json* cur = &j;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const auto dot = path.find('.', pos);
    const std::string part = path.substr(pos, dot == std::string::npos ? dot : dot - pos);
    if (cur->is_array() && !part.empty() &&
        part.find_first_not_of("0123456789") == std::string::npos) {
      const std::size_t i = std::stoul(part);
      if (i >= cur->size()) return nullptr;
      cur = &(*cur)[i];
    } else if (cur->is_object() && cur->contains(part)) {
      cur = &(*cur)[part];
    } else {
      return nullptr;
    }
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return *cur;
}

class MlflowRest : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;
  static inline std::unique_ptr<ServerProcess> server;
  static inline std::string store_uri;
  static inline std::string analyst_token, viewer_token;
  static inline int port = 0;
  static inline std::map<std::string, std::string> saved;

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    ASSERT_EQ(run_cli(*dir, "synth --rows 2000 --seed 3 --out book.csv").code, 0);
    const auto t = run_cli(*dir, "train --no-track --data book.csv --seed 1 --out bundle");
    ASSERT_EQ(t.code, 0) << t.err;
    store_uri = "sqlite:///" + (*dir / "store/loanrisk.db").string();
    {
      auto store = open_store(store_uri);
      UserStore users(*store);
      analyst_token = users.add("nina", Role::kAnalyst, "test").token;
      viewer_token = users.add("vic", Role::kViewer, "test").token;
    }
    server = std::make_unique<ServerProcess>(
        *dir, "--model bundle --store '" + store_uri + "'",
        std::vector<std::pair<std::string, std::string>>{{"LOANRISK_ADMIN_TOKEN", "t0ken"}});
    port = server->port();
    ASSERT_GT(port, 0) << slurp(*dir / "serve.err");
  }

  static void TearDownTestSuite() {
    if (server) {
      EXPECT_EQ(server->stop(), 0);
    }
    server.reset();
    dir.reset();
  }

  static std::string substitute(std::string s) {
    for (const auto& [name, value] : saved) {
      const std::string key = "${" + name + "}";
      for (auto p = s.find(key); p != std::string::npos; p = s.find(key, p + value.size())) {
        s.replace(p, key.size(), value);
      }
    }
    return s;
  }

  static HttpReply post(const std::string& path, const json& body,
                        const std::string& auth = kAdmin) {
    return http_call(port, "POST", "/api/2.0/mlflow/" + path, body.dump(), "application/json",
                     auth);
  }

  /// Replays a fixture file: every call, its answer checked, its saved values kept.
  static void replay(const std::string& file) {
    const json fixture =
        json::parse(slurp(fs::path(LOANRISK_SOURCE_DIR) / "tests/fixtures/mlflow_rest" / file));
    for (const json& c : fixture["calls"]) {
      const json call = json::parse(substitute(c.dump()));
      SCOPED_TRACE(file + ": " + call["call"].get<std::string>());
      std::string target = call["path"];
      if (call.contains("query")) {
        std::string q;
        for (const auto& [k, v] : call["query"].items()) {
          for (const json& one : v.is_array() ? v : json::array({v})) {
            q += (q.empty() ? "?" : "&") + encode(k) + "=" + encode(one.get<std::string>());
          }
        }
        target += q;
      }
      const std::string auth = call.contains("token") ? call["token"].get<std::string>() : kAdmin;
      const HttpReply r =
          http_call(port, call["method"], target, call.contains("body") ? call["body"].dump() : "",
                    call.contains("body") ? "application/json" : "", auth);
      const json& expect = call["expect"];
      ASSERT_EQ(r.status, expect["status"].get<int>()) << r.body;
      const json answer = json::parse(r.body);
      if (expect.contains("error_code")) {
        EXPECT_EQ(answer["error_code"], expect["error_code"]) << r.body;
        EXPECT_TRUE(answer["message"].is_string()) << r.body;
        EXPECT_EQ(answer.size(), 2u) << "MLflow's envelope has error_code and message: " << r.body;
      }
      const json has = expect.value("has", json::array());
      for (const json& path : has) {
        EXPECT_FALSE(at(answer, path).is_null()) << path << " in " << r.body;
      }
      const json equals = expect.value("equals", json::object());
      for (const auto& [path, value] : equals.items()) {
        EXPECT_EQ(at(answer, path), value) << path << " in " << r.body;
      }
      const json count = expect.value("count", json::object());
      for (const auto& [path, n] : count.items()) {
        const json list = at(answer, path);
        EXPECT_EQ(list.is_null() ? 0u : list.size(), n.get<std::size_t>())
            << path << " in " << r.body;
      }
      const json save = call.value("save", json::object());
      for (const auto& [name, path] : save.items()) {
        saved[name] = at(answer, path).get<std::string>();
      }
    }
  }
};

TEST_F(MlflowRest, TrackingCallsAsTheClientSendsThem) {
  replay("tracking.json");
  // What the calls left, as loanrisk's own CLI lists it: the client's name, times and user.
  const auto r = run_cli(*dir, "runs list --json --store '" + store_uri + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const json runs = json::parse(r.out);
  const auto it = std::find_if(runs.begin(), runs.end(),
                               [](const json& x) { return x["run_id"] == saved["run_id"]; });
  ASSERT_NE(it, runs.end()) << r.out;
  EXPECT_EQ((*it)["name"], "lr-baseline");
  EXPECT_EQ((*it)["status"], "FINISHED");  // never reaped: the run belongs to the client
  EXPECT_EQ((*it)["start_ms"], 1700000000123);
  EXPECT_EQ((*it)["end_ms"], 1700000009000);
  EXPECT_EQ((*it)["user"], "ana");
  EXPECT_EQ((*it)["experiment"], "notebook pd");
  EXPECT_EQ((*it)["params"]["family"], "logistic_regression");
  EXPECT_DOUBLE_EQ((*it)["metrics"]["auc"].get<double>(), 0.83);
  EXPECT_DOUBLE_EQ((*it)["metrics"]["grad"].get<double>(), std::numeric_limits<double>::max());
  // The web app's run list shows it too.
  const HttpReply web = http_call(port, "GET", "/api/v1/runs/" + saved["run_id"]);
  EXPECT_EQ(web.status, 200) << web.body;
  // The run's artifact URI is a file:// URI for a client on this host.
  EXPECT_TRUE(saved["artifact_uri"].starts_with("file:///")) << saved["artifact_uri"];
  // Every write is in the audit trail, under who made it.
  const HttpReply audit = http_call(port, "GET", "/api/v1/audit?limit=5000", "", "", kAdmin);
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("POST /api/2.0/mlflow/runs/log-batch"), std::string::npos);
  EXPECT_NE(audit.body.find("started run " + saved["run_id"]), std::string::npos);
}

TEST_F(MlflowRest, ARunIsItsTokensPersonAndAViewerCannotWrite) {
  const HttpReply made =
      post("runs/create",
           {{"experiment_id", "0"}, {"user_id", "someone-else"}, {"start_time", 1700000000000}},
           "Bearer " + analyst_token);
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(json::parse(made.body)["run"]["info"]["user_id"], "nina");
  const HttpReply refused = post("runs/create", {{"experiment_id", "0"}}, "Bearer " + viewer_token);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(json::parse(refused.body)["error_code"], "PERMISSION_DENIED");
  EXPECT_EQ(post("runs/create", {{"experiment_id", "0"}}, "Bearer lr_wrong").status, 401);
}

TEST_F(MlflowRest, ArtifactProxyAndRegistry) {
  const HttpReply made = post("runs/create", {{"experiment_id", "0"}, {"run_name", "bundle run"}});
  ASSERT_EQ(made.status, 200) << made.body;
  const json info = json::parse(made.body)["run"]["info"];
  const std::string id = info["run_id"];
  const std::string base = "/api/2.0/mlflow-artifacts/artifacts/0/" + id + "/artifacts";
  // Upload the bundle file by file, as HttpArtifactRepository.log_artifacts does.
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(*dir / "bundle")) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), *dir / "bundle").generic_string();
    const HttpReply put = http_call(port, "PUT", base + "/bundle/" + rel, slurp(e.path()),
                                    "application/octet-stream", kAdmin);
    ASSERT_EQ(put.status, 200) << rel << ": " << put.body;
    EXPECT_EQ(put.body, "{}");
    ++files;
  }
  ASSERT_GT(files, 3);
  const HttpReply got = http_call(port, "GET", base + "/bundle/manifest.json", "", "", kAdmin);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, slurp(*dir / "bundle/manifest.json"));
  const HttpReply list = http_call(
      port, "GET", "/api/2.0/mlflow-artifacts/artifacts?path=" + encode("0/" + id + "/artifacts"));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(json::parse(list.body)["files"][0], (json{{"path", "bundle"}, {"is_dir", true}}));
  const HttpReply inner = http_call(
      port, "GET",
      "/api/2.0/mlflow-artifacts/artifacts?path=" + encode("0/" + id + "/artifacts/bundle"));
  bool manifest = false;
  const json entries = json::parse(inner.body);
  for (const json& f : entries["files"]) {
    if (f["path"] == "manifest.json") {
      manifest = true;
      EXPECT_EQ(f["file_size"], fs::file_size(*dir / "bundle/manifest.json"));
    }
  }
  EXPECT_TRUE(manifest) << inner.body;
  // Paths that leave the run's folder, or name another run, are refused.
  for (const std::string& bad :
       {base + "/..%2F..%2Fescape", base + "/a/../../x", base + "/%00", base + "/%ff",
        "/api/2.0/mlflow-artifacts/artifacts/0/" + id + "/other/x",
        "/api/2.0/mlflow-artifacts/artifacts/7/" + id + "/artifacts/x",
        std::string("/api/2.0/mlflow-artifacts/artifacts/0/nothex/artifacts/x")}) {
    const HttpReply r = http_call(port, "PUT", bad, "x", "application/octet-stream", kAdmin);
    SCOPED_TRACE(bad + " -> " + r.body);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << r.status;
    EXPECT_TRUE(json::parse(r.body).contains("error_code"));
  }
  EXPECT_FALSE(fs::exists(*dir / "store/artifacts/escape"));
  EXPECT_EQ(http_call(port, "PUT", base + "/x.txt", "x", "text/plain", "").status, 401);
  EXPECT_EQ(post("runs/update", {{"run_id", id}, {"status", "FINISHED"}}).status, 200);
  saved["bundle_run_id"] = id;
  saved["bundle_artifact_uri"] = info["artifact_uri"].get<std::string>();
  replay("registry.json");
}

TEST_F(MlflowRest, HostileInputGetsMlflowsInvalidParameterValue) {
  const HttpReply made = post("runs/create", {{"experiment_id", "0"}});
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string id = json::parse(made.body)["run"]["info"]["run_id"];
  const std::vector<std::string> bodies = {
      std::string(200, '[') + std::string(200, ']'),
      "{\"run_id\": \"" + id + "\", \"key\": \"k\", \"value\": \"\xff\xfe\"}",
      "{\"run_id\": \"" + id + "\", \"key\": \"k\", \"value\": \"" + std::string(6001, 'v') + "\"}",
      "{\"run_id\": \"" + id + "\", \"key\": \"a/../b\", \"value\": \"v\"}",
      "{\"run_id\": \"" + id + "\", \"key\": \"" + std::string(251, 'k') + "\", \"value\": \"v\"}",
      "{\"run_id\": 17, \"key\": \"k\", \"value\": \"v\"}",
      "[1, 2]",
      "not json",
      "{\"run_id\": \"" + id + "\", \"key\": \"k\", \"value\": 1e999}"};
  for (const std::string& body : bodies) {
    const HttpReply r = http_call(port, "POST", "/api/2.0/mlflow/runs/log-parameter", body,
                                  "application/json", kAdmin);
    SCOPED_TRACE(body.substr(0, 80) + " -> " + r.body.substr(0, 200));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(json::parse(r.body)["error_code"], "INVALID_PARAMETER_VALUE");
  }
  json batch = {{"run_id", id}, {"metrics", json::array()}};
  for (int i = 0; i < 1001; ++i)
    batch["metrics"].push_back({{"key", "m"}, {"value", i}, {"timestamp", 1}, {"step", i}});
  EXPECT_EQ(post("runs/log-batch", batch).status, 400);
  const HttpReply tag =
      post("runs/set-tag", {{"run_id", id}, {"key", "k"}, {"value", std::string(8001, 't')}});
  EXPECT_EQ(tag.status, 400);
  const HttpReply huge = http_call(port, "POST", "/api/2.0/mlflow/runs/log-parameter",
                                   std::string(9u << 20, ' '), "application/json", kAdmin);
  EXPECT_EQ(huge.status, 413);
  // The server is still answering.
  EXPECT_EQ(http_call(port, "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace loanrisk::testing
