// The web app's routes that need no store or model: embedded files, route templates, job and stop
// requests.
#include "loanrisk/serve/app_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
  EXPECT_EQ(t.resolve("GET", "/api/v1/jobs/job-3/log").label, "/api/v1/jobs/{id}/log");
  EXPECT_EQ(t.resolve("GET", "/api/v1/jobs/job-3/log").param, "job-3");
  ASSERT_NE(t.resolve("POST", "/api/v1/admin/jobs/job-3/stop").route, nullptr);
  EXPECT_EQ(t.resolve("POST", "/api/v1/admin/jobs/job-3/stop").route->access, Access::Analyst);
  EXPECT_EQ(t.resolve("GET", "/api/v1/admin/jobs/job-3/stop").allow, "POST");
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

TEST(StopRequest, AReasonIsRequiredAndNothingElse) {
  EXPECT_EQ(parse_stop_reason({{"reason", "wrong features"}}), "wrong features");
  const auto problems = [](const json& body) {
    try {
      parse_stop_reason(body);
    } catch (const HttpError& e) {
      EXPECT_EQ(e.status(), 422);
      return e.body();
    }
    ADD_FAILURE() << "no error for " << body.dump();
    return json();
  };
  const json b = problems({{"reason", "  "}, {"force", true}});
  EXPECT_EQ(b["error"], "invalid stop request: fix each listed field and resend");
  ASSERT_EQ(b["problems"].size(), 2u);
  EXPECT_EQ(b["problems"][0]["rule"], "is not a known field (known: reason)");
  EXPECT_EQ(b["problems"][1]["rule"],
            "must say why, in 1 to 1000 bytes (it is recorded in the audit trail)");
  EXPECT_EQ(problems(json::object())["problems"][0]["field"], "reason");
  EXPECT_EQ(problems({{"reason", std::string(1001, 'x')}})["problems"][0]["value"],
            "(a long text)");
  EXPECT_EQ(problems({{"reason", 7}})["problems"][0]["value"], 7);
  EXPECT_EQ(problems(json::array())["error"],
            "expected a JSON object like {\"reason\": \"why the job stops\"}");
}

}  // namespace
}  // namespace loanrisk
