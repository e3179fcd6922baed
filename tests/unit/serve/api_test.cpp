// The routes without a socket and without a model: dispatch, auth, errors and metrics.
#include "loanrisk/serve/api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loanrisk {
namespace {

using nlohmann::json;

class ApiWithoutModel : public ::testing::Test {
 protected:
  ModelHolder holder{"/nonexistent/bundle", ""};
  ServeMetrics metrics;
  ServeApi api{settings(), holder, metrics};

  static ServeSettings settings() {
    ServeSettings s;
    s.admin_token = "adm1n";
    s.log_level = "off";
    return s;
  }
  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& auth = "") {
    return api.handle({method, target, "application/json", auth, body});
  }
};

TEST_F(ApiWithoutModel, UnknownRouteAndWrongMethod) {
  auto r = call("GET", "/nope?x=1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"], "no route /nope; see GET /openapi.json for the API");
  r = call("GET", "/api/v1/predict");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(json::parse(r.body)["error"], "method GET is not allowed on /api/v1/predict; use POST");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

TEST_F(ApiWithoutModel, HealthAndReadiness) {
  EXPECT_EQ(call("GET", "/healthz").body, R"({"status":"ok"})");
  // MLflow's liveness routes say 404 until a model is loaded (mlflow/pyfunc/scoring_server).
  for (const char* route : {"/ping", "/health"}) {
    const auto r = call("GET", route);
    EXPECT_EQ(r.status, 404) << route;
    EXPECT_EQ(r.body, "\n") << route;
    EXPECT_EQ(r.content_type, "application/json") << route;
  }
  const auto r = call("GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, R"({"status":"no model loaded"})");
  const auto p = call("POST", "/api/v1/predict", "{}");
  EXPECT_EQ(p.status, 503);
  EXPECT_EQ(json::parse(p.body)["error"], "no model is loaded yet; see GET /readyz");
}

TEST_F(ApiWithoutModel, AdminNeedsTheBearerToken) {
  auto r = call("POST", "/api/v1/admin/reload");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"],
            "missing or wrong bearer token: send 'Authorization: Bearer <token>'");
  EXPECT_EQ(r.headers.at(0).first, "WWW-Authenticate");
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", "Bearer adm1x").status, 401);
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", "Basic adm1n").status, 401);
  r = call("POST", "/api/v1/admin/reload", "", "Bearer adm1n");
  EXPECT_EQ(r.status, 409);  // authorised, but the bundle path does not exist
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find(
                "candidate model refused, the current model keeps serving: "),
            std::string::npos);
  EXPECT_EQ(holder.failures(), 1u);
}

TEST_F(ApiWithoutModel, AdminDisabledWithoutAToken) {
  ServeSettings s;
  s.log_level = "off";
  ServeApi open(s, holder, metrics);
  const auto r = open.handle({"POST", "/api/v1/admin/reload", "", "Bearer x", ""});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json::parse(r.body)["error"],
            "admin endpoints are disabled: start the server with LOANRISK_ADMIN_TOKEN set");
}

TEST_F(ApiWithoutModel, PredictionTokenWhenConfigured) {
  ServeSettings s;
  s.log_level = "off";
  s.require_token_for_predict = true;
  s.api_token = "p4ss";
  ServeApi guarded(s, holder, metrics);
  EXPECT_EQ(guarded.handle({"POST", "/api/v1/predict", "", "", "{}"}).status, 401);
  EXPECT_EQ(guarded.handle({"POST", "/invocations", "", "Bearer nope", "{}"}).status, 401);
  // The right token passes auth and meets the missing model.
  EXPECT_EQ(guarded.handle({"POST", "/api/v1/predict", "", "Bearer p4ss", "{}"}).status, 503);
  EXPECT_EQ(guarded.handle({"GET", "/healthz", "", "", ""}).status, 200);  // open routes stay open
}

TEST_F(ApiWithoutModel, MetricsCountRequestsByRouteAndStatus) {
  call("GET", "/healthz");
  call("GET", "/healthz");
  call("GET", "/missing");
  const auto r = call("GET", "/metrics");
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("loanrisk_http_requests_total{route=\"/healthz\",status=\"200\"} 2\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("loanrisk_http_requests_total{route=\"other\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("loanrisk_http_request_duration_seconds_count 3\n"), std::string::npos);
  EXPECT_NE(r.body.find("loanrisk_model_reload_failures_total 0\n"), std::string::npos);
}

// Today's tally starts empty (no rate from no decisions: the page says so), counts what it is
// told, and says from when it counts.
TEST_F(ApiWithoutModel, ActivityCountsTodaysRowsAndDecisions) {
  json a = json::parse(call("GET", "/api/v1/activity").body);
  EXPECT_EQ(a["scored"], 0);
  EXPECT_EQ(a["decided"], 0);
  EXPECT_TRUE(a["approval_rate"].is_null());
  EXPECT_TRUE(a["threshold"].is_null());  // no model loaded
  EXPECT_EQ(a["since"].get<std::string>().substr(0, 10), a["day"]);
  metrics.observe_scored(1, 0, 0);  // an /invocations row: scored, no decision
  metrics.observe_scored(2, 1, 1);
  a = json::parse(call("GET", "/api/v1/activity").body);
  EXPECT_EQ(a["scored"], 3);
  EXPECT_EQ(a["decided"], 2);
  EXPECT_EQ(a["approved"], 1);
  EXPECT_EQ(a["declined"], 1);
  EXPECT_DOUBLE_EQ(a["approval_rate"].get<double>(), 0.5);
  const std::string text = call("GET", "/metrics").body;
  EXPECT_NE(text.find("loanrisk_decisions_total{decision=\"approve\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("loanrisk_decisions_total{decision=\"decline\"} 1\n"), std::string::npos);
}

TEST_F(ApiWithoutModel, OpenApiListsEveryRoute) {
  const json doc = json::parse(call("GET", "/openapi.json").body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const char* p : {"/api/v1/predict", "/api/v1/explain", "/invocations", "/api/v1/score-csv",
                        "/api/v1/model", "/api/v1/admin/reload", "/healthz", "/readyz", "/metrics",
                        "/openapi.json", "/ping", "/health", "/version"}) {
    EXPECT_TRUE(doc["paths"].contains(p)) << p;
  }
}

TEST(ServeHelpers, ConstantTimeEqualAndLabels) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_EQ(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace loanrisk
