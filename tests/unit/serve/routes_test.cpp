// The one route table: dispatch, openapi.json, the token check and the metrics labels all read it.
#include "loanrisk/serve/routes.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tracking/users.hpp"
#include "loanrisk/tuning/search_space.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

HttpResponse echo_param(const RouteCall& call) {
  HttpResponse r;
  r.body = std::string(call.param);
  return r;
}

Route route(std::string method, std::string path, Access access = Access::Open) {
  return {std::move(method), std::move(path), access, echo_param, "a test route"};
}

TEST(RouteTable, TemplatesMatchSegmentBySegment) {
  const RouteTable t({route("GET", "/"), route("GET", "/runs"), route("POST", "/runs"),
                      route("GET", "/runs/{id}"), route("GET", "/runs/latest"),
                      route("GET", "/runs/{id}/metrics"), route("GET", "/app/{file...}")});
  auto r = t.resolve("GET", "/runs/abc");
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.route->path, "/runs/{id}");
  EXPECT_EQ(r.label, "/runs/{id}");
  EXPECT_EQ(r.param, "abc");
  const Identity nobody{"", {}, "anonymous"};
  EXPECT_EQ(r.route->handler({{}, "", "", r.param, nobody}).body, "abc");
  r = t.resolve("GET", "/runs/latest");  // a literal segment before a parameter
  EXPECT_EQ(r.label, "/runs/latest");
  EXPECT_EQ(r.param, "");
  r = t.resolve("GET", "/runs/x%2Fy/metrics");
  EXPECT_EQ(r.label, "/runs/{id}/metrics");
  EXPECT_EQ(r.param, "x%2Fy");  // as sent: the handler decodes if it wants to
  r = t.resolve("GET", "/app/vendor/echarts.min.js");  // {name...} takes the rest of the path
  EXPECT_EQ(r.label, "/app/{file}");
  EXPECT_EQ(r.route->path, "/app/{file...}");
  EXPECT_EQ(r.param, "vendor/echarts.min.js");
  EXPECT_EQ(t.resolve("GET", "/").label, "/");
  EXPECT_EQ(t.resolve("POST", "/runs").route->method, "POST");
  EXPECT_EQ(t.resolve("GET", "/runs").route->method, "GET");
  for (const char* none : {"", "runs", "*", "//", "/runs/", "/runs//metrics", "/runs/a/b", "/runsx",
                           "/run", "/Runs", "/app", "/app/", "/app//x", "/runs/a/metrics/"}) {
    r = t.resolve("GET", none);
    EXPECT_EQ(r.route, nullptr) << none;
    EXPECT_EQ(r.label, "") << none;
  }
}

TEST(RouteTable, AParameterThenTheRestOfThePath) {
  const RouteTable t({route("GET", "/runs/{id}"), route("GET", "/runs/{id}/files"),
                      route("GET", "/runs/{id}/files/{path...}"), route("GET", "/app/{file...}")});
  auto r = t.resolve("GET", "/runs/abc/files/bundle/report/report.html");
  ASSERT_NE(r.route, nullptr);
  EXPECT_EQ(r.label, "/runs/{id}/files/{path}");
  EXPECT_EQ(r.param, "abc");
  EXPECT_EQ(r.rest, "bundle/report/report.html");
  const Identity nobody{"", {}, "anonymous"};
  EXPECT_EQ(r.route->handler({{}, "", "", r.param, nobody, r.rest}).body, "abc");
  r = t.resolve("GET", "/runs/abc/files/../x");  // as sent: the handler checks what it reads
  EXPECT_EQ(r.rest, "../x");
  r = t.resolve("GET", "/runs/abc/files");
  EXPECT_EQ(r.label, "/runs/{id}/files");
  EXPECT_EQ(r.rest, "");
  // A {name...} alone is still the call's param, with no rest.
  r = t.resolve("GET", "/app/vendor/echarts.min.js");
  EXPECT_EQ(r.param, "vendor/echarts.min.js");
  EXPECT_EQ(r.rest, "");
  for (const char* none : {"/runs/abc/files/", "/runs/abc/files//x", "/runs//files/x"}) {
    EXPECT_EQ(t.resolve("GET", none).route, nullptr) << none;
  }
}

TEST(RouteTable, WrongMethodNamesTheAllowedOnesAndHeadIsGet) {
  const RouteTable t(
      {route("GET", "/a"), route("POST", "/b"), route("PUT", "/b"), route("DELETE", "/a")});
  auto r = t.resolve("POST", "/a");
  EXPECT_EQ(r.route, nullptr);
  EXPECT_EQ(r.label, "/a");
  EXPECT_EQ(r.allow, "GET, DELETE, HEAD");
  ASSERT_NE(t.resolve("HEAD", "/a").route, nullptr);
  EXPECT_EQ(t.resolve("HEAD", "/a").route->method, "GET");
  r = t.resolve("HEAD", "/b");
  EXPECT_EQ(r.route, nullptr);
  EXPECT_EQ(r.allow, "POST, PUT");
}

TEST(RouteTable, RefusesATableThatCannotWork) {
  const auto refusal = [](std::vector<Route> routes) {
    try {
      const RouteTable t(std::move(routes));
    } catch (const InternalError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_EQ(refusal({route("GET", "/a"), route("GET", "/a")}),
            "route table: GET /a is listed twice");
  EXPECT_EQ(refusal({route("GET", "/a/{x}"), route("POST", "/a/{y}")}),
            "route table: /a/{x} and /a/{y} match the same paths");
  EXPECT_EQ(refusal({route("GET", "a")}), "route table: template 'a' must start with '/'");
  EXPECT_EQ(refusal({route("GET", "/a/")}), "route table: template '/a/' has an empty segment");
  EXPECT_EQ(refusal({route("GET", "/a//b")}), "route table: template '/a//b' has an empty segment");
  EXPECT_EQ(refusal({route("GET", "/{x...}/a")}),
            "route table: template '/{x...}/a': {x...} must be the last segment");
  EXPECT_EQ(refusal({route("GET", "/{x}/{y}")}),
            "route table: template '/{x}/{y}' has more than one parameter");
  EXPECT_EQ(refusal({route("GET", "/a{x}")}),
            "route table: template '/a{x}': a parameter is a whole segment, {name}");
  EXPECT_EQ(refusal({route("GET", "/{}")}),
            "route table: template '/{}': a parameter's name is lower-case letters, digits and "
            "'_'");
  EXPECT_EQ(refusal({route("get", "/a")}),
            "route table: method of get /a must be upper-case letters");
  Route no_handler = route("GET", "/a");
  no_handler.handler = nullptr;
  EXPECT_EQ(refusal({no_handler}), "route table: GET /a has no handler");
  Route no_summary = route("GET", "/a");
  no_summary.summary.clear();
  EXPECT_EQ(refusal({no_summary}), "route table: GET /a has no summary (openapi.json shows it)");
}

TEST(RouteTable, OpenApiDetailsForARouteNotInTheTableAreRefused) {
  // openapi.cpp keeps the detailed schema of GET /healthz; a table without that route is caught.
  try {
    openapi_document(RouteTable({route("GET", "/api/v1/model")}));
    FAIL() << "no error";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find(" which is not in the route table"), std::string::npos)
        << e.what();
  }
  // A route without details is still documented, with its summary.
  ModelHolder holder{"/nonexistent/bundle", ""};
  ServeMetrics metrics;
  ServeSettings s;
  s.log_level = "off";
  const ServeApi api(s, holder, metrics);
  std::vector<Route> routes = api.routes().routes();
  routes.push_back(route("GET", "/api/v1/new/{thing}", Access::Admin));
  const json doc = openapi_document(RouteTable(std::move(routes)));
  const json& op = doc["paths"]["/api/v1/new/{thing}"]["get"];
  EXPECT_EQ(op["summary"], "a test route");
  EXPECT_EQ(op["parameters"][0]["name"], "thing");
  EXPECT_TRUE(op["responses"].contains("401"));
  EXPECT_TRUE(op.contains("security"));
}

class ServerRoutes : public ::testing::Test {
 protected:
  testing::TempDir dir;
  ModelHolder holder{"/nonexistent/bundle", ""};
  ServeMetrics metrics;
  ServeApi api{settings(), holder, metrics};
  std::string run_id;

  void SetUp() override {
    auto store = open_store(settings().store);
    run_id = store
                 ->create_run(RunSpec{
                     .experiment = "serve-test", .name = "", .parent_run_id = "", .git_commit = ""})
                 .id;
    StudyStore studies(*store);
    studies.create_or_load({0, "study-1", "logistic_regression",
                            default_search_space("logistic_regression").to_json().dump(), "{}", "",
                            0});
  }

  ServeSettings settings() const {
    ServeSettings s;
    s.admin_token = "adm1n";
    s.log_level = "off";
    s.store = "sqlite:///" + (dir / "store.db").string();
    s.wrong_token_limit = 0;  // the matrix sends hundreds of wrong tokens; the limit's own test
    return s;
  }
  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "") {
    return api.handle({method, target, "application/json", "Bearer adm1n", body});
  }
  /// The times a request with this route label and status was counted in /metrics (in text, a
  /// /metrics answer taken earlier, when given).
  int counted(const std::string& label, int status, std::string text = "") {
    if (text.empty()) text = api.handle({"GET", "/metrics", "", "", ""}).body;
    const std::string line = "loanrisk_http_requests_total{route=\"" + label + "\",status=\"" +
                             std::to_string(status) + "\"} ";
    const auto at = text.find(line);
    return at == std::string::npos ? 0 : std::stoi(text.substr(at + line.size()));
  }
  /// A path the route's template matches, naming a run or study that exists.
  std::string example(const Route& r) const {
    std::string path = route_label(r.path);
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      const std::string name = path.substr(open, path.find('}') - open + 1);
      const std::string value = name == "{file}"     ? "main.js"
                                : name == "{name}"   ? "study-1"
                                : name == "{sha256}" ? std::string(64, 'a')
                                : name == "{path}"   ? "bundle/manifest.json"
                                : name == "{column}" ? "income"
                                : path.find("/promotions/") != std::string::npos ? "1"
                                                                                 : run_id;
      path.replace(open, name.size(), value);
    }
    return path;
  }
};

TEST_F(ServerRoutes, EveryRouteReachesItsHandler) {
  // 45 of loanrisk's own, 66 of MLflow's REST API (30 under each of its two prefixes, and the
  // artifact proxy's 3 under each of its two).
  ASSERT_EQ(api.routes().routes().size(), 111u);
  for (const Route& r : api.routes().routes()) {
    const std::string target = example(r);
    const std::string label = route_label(r.path);
    const std::string body = r.method == "POST" ? "{}" : "";
    const std::string before = api.handle({"GET", "/metrics", "", "", ""}).body;
    const HttpResponse resp = call(r.method, target, body);
    SCOPED_TRACE(r.method + " " + target + " -> " + std::to_string(resp.status) + " " +
                 resp.body.substr(0, 200));
    // Every route answers something other than 404, but a job: starting one takes a child
    // process, so its routes answer the handler's own 404 for a job that does not exist.
    if (label == "/api/v1/jobs/{id}" || label == "/api/v1/jobs/{id}/log") {
      EXPECT_EQ(resp.status, 404);
      EXPECT_EQ(json::parse(resp.body)["error"],
                "no job '" + run_id + "' on this server; see GET /api/v1/jobs for the list");
    } else if (label == "/ping" || label == "/health") {  // MLflow's: 404 until a model loads
      EXPECT_EQ(resp.status, 404);
      EXPECT_EQ(resp.body, "\n");
    } else if (label == "/api/v1/reports/{sha256}") {  // the handler's own 404: no such report
      EXPECT_EQ(resp.status, 404);
      EXPECT_EQ(json::parse(resp.body)["error"],
                "no validation report " + std::string(64, 'a') + " is attached to any version");
    } else if (label.starts_with("/api/v1/runs/{id}/") && label != "/api/v1/runs/{id}/artifacts") {
      // The handlers' own 404s: the example run logged no bundle.
      EXPECT_EQ(resp.status, 404);
      EXPECT_NE(json::parse(resp.body)["error"].get<std::string>().find(
                    label.ends_with("{path}") ? "no artifact 'bundle/manifest.json' in this run"
                                              : "run " + run_id + " has no "),
                std::string::npos)
          << resp.body;
    } else {
      EXPECT_NE(resp.status, 404);
    }
    EXPECT_NE(resp.status, 405);
    EXPECT_EQ(resp.content_type.starts_with("text/plain; version=0.0.4"), label == "/metrics");
    // (4) the request is counted under the route's template.
    if (label == "/metrics") {
      EXPECT_GE(counted(label, resp.status), 1);
    } else {
      EXPECT_EQ(counted(label, resp.status) - counted(label, resp.status, before), 1);
    }
    if (r.method == "GET") {
      EXPECT_EQ(call("HEAD", target).status, resp.status);
    }
  }
}

TEST_F(ServerRoutes, AccessIsTheTables) {
  for (const Route& r : api.routes().routes()) {
    const std::string target = example(r);
    const HttpResponse resp = api.handle({r.method, target, "application/json", "", "{}"});
    SCOPED_TRACE(r.method + " " + target);
    if (r.access != Access::Open && r.access != Access::Predict) {
      EXPECT_EQ(resp.status, 401);
    } else {
      EXPECT_NE(resp.status, 401);
      EXPECT_NE(resp.status, 403);
    }
  }
}

// Every route as each role of a local user, as nobody and with a revoked token: 401 without an
// identity, 403 naming the roles needed when the role does not allow it, the handler otherwise.
TEST_F(ServerRoutes, LocalUsersGetWhatTheirRoleAllows) {
  ServeSettings s = settings();
  s.require_token_for_predict = true;
  s.api_token = "ap1";
  ServeApi guarded{s, holder, metrics};
  std::map<Role, std::string> tokens;
  std::string revoked;
  {
    auto store = open_store(s.store);
    UserStore users(*store);
    for (Role role :
         {Role::kViewer, Role::kOfficer, Role::kAnalyst, Role::kValidator, Role::kAdmin}) {
      tokens[role] = users.add(std::string(to_string(role)), role, "test").token;
    }
    revoked = users.add("gone", Role::kAdmin, "test").token;
    users.revoke("gone", "test");
  }
  // docs/security.md's table, written out here rather than taken from the server.
  using enum Role;
  const std::map<Access, std::set<Role>> may = {
      {Access::Predict, {kOfficer, kAnalyst, kValidator, kAdmin}},
      {Access::Analyst, {kAnalyst, kAdmin}},
      {Access::Promote, {kAnalyst, kValidator, kAdmin}},
      {Access::Artifacts, {kAnalyst, kValidator, kAdmin}},
      {Access::Validator, {kValidator, kAdmin}},
      {Access::Admin, {kAdmin}},
      {Access::Signed, {kViewer, kOfficer, kAnalyst, kValidator, kAdmin}}};
  const auto allowed = [&may](Access access, Role role) {
    return access == Access::Open || may.at(access).contains(role);
  };
  int checked = 0;
  for (const Route& r : guarded.routes().routes()) {
    const std::string target = example(r);
    const std::string body = r.method == "POST" ? "{}" : "";
    for (const auto& [role, token] : tokens) {
      const HttpResponse resp =
          guarded.handle({r.method, target, "application/json", "Bearer " + token, body});
      SCOPED_TRACE(r.method + " " + target + " as " + std::string(to_string(role)) + " -> " +
                   std::to_string(resp.status) + " " + resp.body.substr(0, 200));
      if (allowed(r.access, role)) {
        EXPECT_NE(resp.status, 401);
        EXPECT_NE(resp.status, 403);
      } else {
        EXPECT_EQ(resp.status, 403);
        // MLflow's routes answer in MLflow's envelope, {"error_code", "message"}.
        const json answer = json::parse(resp.body);
        EXPECT_NE(answer.value("error", answer.value("message", ""))
                      .find("has the role " + std::string(to_string(role)) + "; this route needs "),
                  std::string::npos);
      }
      ++checked;
    }
    if (r.access == Access::Open) continue;
    for (const std::string& auth : {std::string(), "Bearer " + revoked, std::string("Bearer lr_x"),
                                    "Bearer " + tokens[Role::kAdmin] + "x"}) {
      const HttpResponse resp = guarded.handle({r.method, target, "application/json", auth, body});
      EXPECT_EQ(resp.status, 401) << r.method << " " << target << " with '" << auth << "'";
    }
  }
  EXPECT_EQ(checked, 111 * 5);
  // The environment's tokens keep working for their routes.
  EXPECT_NE(guarded.handle({"POST", "/api/v1/admin/reload", "", "Bearer adm1n", ""}).status, 401);
  EXPECT_NE(
      guarded.handle({"POST", "/api/v1/predict", "application/json", "Bearer ap1", "{}"}).status,
      401);
}

TEST_F(ServerRoutes, WrongMethodOnEveryRouteIs405WithAllow) {
  // PATCH is no route's method. Allow lists the path's methods in the table's order, HEAD after
  // them when GET is one.
  std::map<std::string, std::string> allow;
  std::vector<const Route*> paths;  // one route per path template
  for (const Route& r : api.routes().routes()) {
    std::string& a = allow[route_label(r.path)];
    if (a.empty()) paths.push_back(&r);
    a += (a.empty() ? "" : ", ") + r.method;
  }
  for (auto& [label, a] : allow) {
    if (a.find("GET") != std::string::npos) a += ", HEAD";
  }
  EXPECT_EQ(allow["/api/v1/session"], "GET, POST, DELETE, HEAD");
  for (const Route* r : paths) {
    const HttpResponse resp = call("PATCH", example(*r));
    SCOPED_TRACE("PATCH " + example(*r));
    EXPECT_EQ(resp.status, 405);
    ASSERT_EQ(resp.headers.size(), 1u);
    EXPECT_EQ(resp.headers[0].first, "Allow");
    EXPECT_EQ(resp.headers[0].second, allow[route_label(r->path)]);
    EXPECT_EQ(counted(route_label(r->path), 405), 1);
  }
}

// A client guessing tokens is answered 429 (Retry-After) for any credential once past the limit;
// what needs no credential, and other addresses, go on as before.
TEST_F(ServerRoutes, WrongTokensArePerAddressLimited) {
  ServeSettings s = settings();
  s.wrong_token_limit = 3;
  ServeApi limited{s, holder, metrics};
  const auto from = [&](const std::string& client, const std::string& auth,
                        const std::string& method = "POST",
                        const std::string& target = "/api/v1/admin/reload") {
    HttpRequest r{method, target, "application/json", auth, ""};
    r.client = client;
    return limited.handle(r);
  };
  for (const char* wrong : {"Bearer nope", "Bearer lr_0123456789abcdef_x", "Bearer adm1nx"}) {
    EXPECT_EQ(from("10.0.0.7:4000", wrong).status, 401) << wrong;
  }
  const HttpResponse refused = from("10.0.0.7:4001", "Bearer adm1n");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(json::parse(refused.body)["error"].get<std::string>().rfind(
                "too many wrong tokens from this address: wait ", 0),
            0u)
      << refused.body;
  bool retry_after = false;
  for (const auto& [k, v] : refused.headers) retry_after |= k == "Retry-After" && std::stoi(v) > 0;
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(from("10.0.0.7:4002", "", "GET", "/api/v1/models").status, 200);
  EXPECT_NE(from("10.0.0.8:4000", "Bearer adm1n").status, 429);
}

TEST_F(ServerRoutes, OpenApiListsExactlyTheTablesRoutes) {
  std::set<std::string> table, documented;
  for (const Route& r : api.routes().routes()) table.insert(r.method + " " + route_label(r.path));
  const HttpResponse resp = call("GET", "/openapi.json");
  ASSERT_EQ(resp.status, 200);
  const json doc = json::parse(resp.body);
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
      const Route* r = api.routes().resolve(upper, path).route;
      ASSERT_NE(r, nullptr) << upper << " " << path;
      EXPECT_EQ(operation["summary"], r->summary);
      EXPECT_EQ(operation.contains("security"), r->access != Access::Open) << path;
    }
  }
  EXPECT_EQ(documented, table);
}

TEST_F(ServerRoutes, OpenApiApplicantIsTheLoanSchema) {
  const json doc = json::parse(call("GET", "/openapi.json").body);
  const json& applicant = doc["components"]["schemas"]["Applicant"];
  const Schema schema = Schema::loan_default();
  const std::vector<std::string> features = schema.feature_names();
  EXPECT_EQ(applicant["required"].get<std::vector<std::string>>(), features);
  EXPECT_EQ(applicant["properties"].size(), features.size() + 1);  // and customer_id
  EXPECT_EQ(applicant["properties"]["customer_id"]["type"], "string");
  for (const std::string& name : features) {
    const ColumnSpec& c = *schema.find(name);
    const json& p = applicant["properties"][name];
    SCOPED_TRACE(name);
    EXPECT_EQ(p["type"], c.type == ColumnType::Integer ? "integer" : "number");
    EXPECT_EQ(p["minimum"].get<double>(), c.min);
    EXPECT_EQ(p["maximum"].get<double>(), c.max);
  }
  EXPECT_EQ(applicant["properties"]["fico_score"]["maximum"], 850);
}

TEST_F(ServerRoutes, APathNotInTheTableIs404JsonNeverMetrics) {
  // Near misses of real routes, and a template's parameter left empty (no route either).
  const std::vector<std::string> targets = {
      "/metricsx",        "/metrics/",        "//metrics",
      "/api/v1/predictx", "/api/v1/runs/",    "/api/v1/runs/a/b",
      "/api/v1/jobs/",    "/api/v1/studies/", "/app/",
      "/app//main.js",    "/api/v1/model/x",  "/nope?x=1",
      "/healthz/",        "/API/v1/predict",  "*"};
  int answered = 0;
  for (const std::string& target : targets) {
    for (const char* method : {"GET", "POST", "HEAD"}) {
      const HttpResponse r = call(method, target);
      ++answered;
      EXPECT_EQ(r.status, 404) << method << " " << target;
      EXPECT_EQ(r.content_type, "application/json") << method << " " << target;
      const std::string path = target.substr(0, target.find('?'));
      EXPECT_EQ(json::parse(r.body).value("error", ""),
                "no route " + path + "; see GET /openapi.json for the API")
          << method << " " << target;
    }
  }
  const std::string text = call("GET", "/metrics").body;
  EXPECT_NE(text.find("loanrisk_http_requests_total{route=\"other\",status=\"404\"} " +
                      std::to_string(answered) + "\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace loanrisk
