// `loanrisk serve` over real HTTP on 127.0.0.1: every route, every bad input, and a hot swap
// under concurrent load.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/serve/settings.hpp"
#include "serve_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

class Serve : public ServeFixture {};

std::string csv_of_book(const TempDir& dir, std::size_t rows) {
  std::istringstream in(slurp(dir / "book.csv"));
  std::string line, out;
  for (std::size_t i = 0; i <= rows && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

TEST_F(Serve, PredictMatchesTheCliOnTheSameRows) {
  const std::string csv = csv_of_book(*dir, 20);
  write_text(*dir / "rows.csv", csv);
  ASSERT_EQ(run_cli(*dir, "predict --model b1 --data rows.csv --out cli.csv").code, 0);
  const auto r = http_call(port, "POST", "/api/v1/score-csv", csv, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("x-rows-scored"), "20");
  // JSON predict on the same rows, built from the scored CSV's inputs.
  std::istringstream in(csv);
  std::string header, line;
  std::getline(in, header);
  json rows = json::array();
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, cell;
    std::getline(f, id, ',');
    std::vector<double> v;
    while (std::getline(f, cell, ',')) v.push_back(std::stod(cell));
    rows.push_back({{"customer_id", id},
                    {"credit_lines_outstanding", v[0]},
                    {"loan_amt_outstanding", v[1]},
                    {"total_debt_outstanding", v[2]},
                    {"income", v[3]},
                    {"years_employed", v[4]},
                    {"fico_score", v[5]}});
  }
  const auto p = http_call(port, "POST", "/api/v1/predict", rows.dump());
  ASSERT_EQ(p.status, 200) << p.body;
  const json body = json::parse(p.body);
  EXPECT_EQ(body["model"], json({{"name", "loan-default"}, {"version", "1"}}));
  std::istringstream cli(slurp(*dir / "cli.csv"));
  std::getline(cli, line);
  std::size_t i = 0;
  // customer_id,pd,grade,decision,expected_loss: one decision component answers both ways.
  while (std::getline(cli, line)) {
    std::vector<std::string> cells;
    std::istringstream f(line);
    for (std::string cell; std::getline(f, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 5u) << line;
    const json& pred = body["predictions"][i++];
    EXPECT_EQ(pred["customer_id"], cells[0]);
    EXPECT_EQ(pred["pd"].get<double>(), std::stod(cells[1]));
    EXPECT_EQ(pred["grade"], cells[2]);
    EXPECT_EQ(pred["decision"], cells[3]);
    EXPECT_NEAR(pred["expected_loss"].get<double>(), std::stod(cells[4]),
                1e-9 * std::max(1.0, std::stod(cells[4])));
  }
  EXPECT_EQ(i, 20u);
}

TEST_F(Serve, PredictGivesGradeExpectedLossAndReasons) {
  const auto r = http_call(port, "POST", "/api/v1/predict", kApplicant);
  ASSERT_EQ(r.status, 200) << r.body;
  const json p = json::parse(r.body)["predictions"][0];
  const double pd = p["pd"];
  EXPECT_DOUBLE_EQ(p["expected_loss"].get<double>(), pd * 0.9 * 5200);
  const auto& grades = ServeSettings::default_grades();
  EXPECT_EQ(p["grade"], grade_of(grades, pd).name);
  ASSERT_GE(p["reasons"].size(), 1u);
  ASSERT_LE(p["reasons"].size(), 4u);
  double previous = 1e9;
  for (const auto& reason : p["reasons"]) {
    EXPECT_GT(reason["contribution"].get<double>(), 0);
    EXPECT_LE(reason["contribution"].get<double>(), previous);
    previous = reason["contribution"];
    EXPECT_EQ(reason["code"].get<std::string>().substr(0, 1), "R");
    EXPECT_NE(reason["text"].get<std::string>().find(" ("), std::string::npos);
  }
  const auto fast = http_call(port, "POST", "/api/v1/predict?reasons=false", kApplicant);
  EXPECT_FALSE(json::parse(fast.body)["predictions"][0].contains("reasons"));
}

TEST_F(Serve, ExplainSumsToTheModelMargin) {
  const auto r = http_call(port, "POST", "/api/v1/explain", json::parse(kApplicant).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json e = json::parse(r.body)["explanations"][0];
  double sum = e["base_value"];
  for (const auto& [k, v] : e["contributions"].items()) sum += v.get<double>();
  EXPECT_NEAR(sum, e["margin"].get<double>(), 1e-9);
  // The margin the model itself gives (before any calibration of the bundle's PD).
  const Bundle b = Bundle::load(*dir / "b1");
  Frame f;
  const json a = json::parse(kApplicant);
  for (const auto& name : b.schema.feature_names()) f.set_column(name, {a[name].get<double>()});
  const double p = b.model->predict_proba(b.pipeline.transform(f))[0];
  EXPECT_NEAR(sum, std::log(p / (1 - p)), 1e-5);
  EXPECT_EQ(e["contributions"].size(), b.pipeline.feature_names().size());
}

TEST_F(Serve, InvocationsAcceptsEveryMlflowShape) {
  const json a = json::parse(kApplicant);
  json cols = json::array(), vals = json::array();
  for (const auto& [k, v] : a.items()) {
    cols.push_back(k);
    vals.push_back(v);
  }
  json columnar = json::object();
  for (const auto& [k, v] : a.items()) columnar[k] = json::array({v, v});
  const std::vector<std::pair<json, std::size_t>> payloads = {
      {{{"dataframe_split", {{"columns", cols}, {"data", json::array({vals})}}}}, 1},
      {{{"dataframe_records", json::array({a, a})}}, 2},
      {{{"instances", json::array({a})}}, 1},
      {{{"inputs", columnar}}, 2}};
  const double pd = json::parse(
      http_call(port, "POST", "/api/v1/predict", kApplicant).body)["predictions"][0]["pd"];
  for (const auto& [payload, n] : payloads) {
    const auto r = http_call(port, "POST", "/invocations", payload.dump());
    ASSERT_EQ(r.status, 200) << payload.dump() << " -> " << r.body;
    const json out = json::parse(r.body)["predictions"];
    ASSERT_EQ(out.size(), n);
    EXPECT_EQ(out[0].get<double>(), pd);
  }
  const auto csv = http_call(port, "POST", "/invocations", csv_of_book(*dir, 3), "text/csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(json::parse(csv.body)["predictions"].size(), 3u);
  // An id column is optional in MLflow's CSV (the model's inputs), and rows may be lists of
  // values in the signature's order.
  std::string no_id;
  std::istringstream lines(csv_of_book(*dir, 2));
  for (std::string line; std::getline(lines, line);) {
    no_id += line.substr(line.find(',') + 1) + "\n";
  }
  ASSERT_TRUE(no_id.starts_with("credit_lines_outstanding,")) << no_id;
  const auto csv_no_id = http_call(port, "POST", "/invocations", no_id, "text/csv");
  ASSERT_EQ(csv_no_id.status, 200) << no_id << " -> " << csv_no_id.body;
  EXPECT_EQ(json::parse(csv_no_id.body)["predictions"],
            json::parse(http_call(port, "POST", "/invocations", csv_of_book(*dir, 2), "text/csv")
                            .body)["predictions"]);
  json values = json::array();
  for (const auto& name : Bundle::load(*dir / "b1").schema.feature_names())
    values.push_back(a[name]);
  for (const char* key : {"instances", "inputs"}) {
    const auto r =
        http_call(port, "POST", "/invocations", json{{key, json::array({values, values})}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["predictions"], json::array({pd, pd}));
  }
}

// The errors of MLflow's scoring server: 415 as text for a content type it does not take (exact
// media type, charset utf-8 only, no other parameter), its envelope {"error_code", "message"} for
// every other refusal, and exactly one payload key.
TEST_F(Serve, InvocationsRefusesAsMlflowDoes) {
  const std::string body = std::string(R"({"dataframe_records":[)") + kApplicant + "]}";
  for (const char* ok :
       {"application/json", "application/json; charset=UTF-8", "application/json;charset=utf-8"}) {
    EXPECT_EQ(http_call(port, "POST", "/invocations", body, ok).status, 200) << ok;
  }
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"text/plain",
       "This predictor only supports the following content types: text/csv, "
       "application/json. Got 'text/plain'."},
      {"Application/JSON", "Got 'Application/JSON'."},
      {"application/json; charset=latin-1", "The scoring server only supports UTF-8"},
      {"application/json; format=pandas-split", "Unrecognized content type parameters: format."},
      {"application/x-www-form-urlencoded", "Got 'application/x-www-form-urlencoded'"}};
  for (const auto& [type, text] : refused) {
    const auto r = http_call(port, "POST", "/invocations", body, type);
    EXPECT_EQ(r.status, 415) << type;
    EXPECT_EQ(r.headers.at("content-type").substr(0, 10), "text/plain") << type;
    EXPECT_NE(r.body.find(text), std::string::npos) << type << " -> " << r.body;
  }
  const auto expect_bad_request = [&](const std::string& payload, const std::string& text) {
    const auto r = http_call(port, "POST", "/invocations", payload);
    EXPECT_EQ(r.status, 400) << payload << " -> " << r.body;
    const json e = json::parse(r.body);
    EXPECT_EQ(e["error_code"], "BAD_REQUEST") << r.body;
    EXPECT_NE(e["message"].get<std::string>().find(text), std::string::npos) << r.body;
  };
  expect_bad_request(R"({"rows":[]})",
                     "exactly one of the input fields dataframe_split, "
                     "dataframe_records, instances, inputs. Received "
                     "dictionary with input fields: [rows].");
  expect_bad_request(
      std::string(R"({"instances":[)") + kApplicant + R"(],"inputs":[)" + kApplicant + "]}",
      "Received dictionary with input fields: [inputs, instances].");
  expect_bad_request("[1, 2]", "Received a list.");
  expect_bad_request(R"({"instances": [[1, 2, 3]]})",
                     "Row 0 has 3 values; a row given as a list holds the model's 6 inputs in the "
                     "signature's order: credit_lines_outstanding, loan_amt_outstanding");
  expect_bad_request("{\"inputs\": ", "");
  // A bad applicant keeps the list of problems beside MLflow's envelope.
  json bad = json::parse(kApplicant);
  bad["fico_score"] = 2000;
  const auto r = http_call(port, "POST", "/invocations", json{{"instances", {bad}}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["problems"][0]["field"], "fico_score") << r.body;
  // params beside the one payload key are accepted, as MLflow does.
  EXPECT_EQ(http_call(port, "POST", "/invocations",
                      std::string(R"({"params":{"x":1},"dataframe_records":[)") + kApplicant + "]}")
                .status,
            200);
  for (const char* route : {"/ping", "/health"}) {
    const auto p = http_call(port, "GET", route);
    EXPECT_EQ(p.status, 200) << route;
    EXPECT_EQ(p.body, "\n");
    EXPECT_EQ(p.headers.at("content-type"), "application/json");
  }
}

TEST_F(Serve, ScoreCsvReportsRejectsPerLine) {
  const std::string csv = csv_of_book(*dir, 2) + "bad1,1,100,200,x,3,700,0\n";
  const auto r = http_call(port, "POST", "/api/v1/score-csv", csv, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("x-rows-rejected"), "1");
  EXPECT_EQ(r.headers.at("content-type"), "text/csv; charset=utf-8");
  std::istringstream in(r.body);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "line,customer_id,pd,grade,decision,expected_loss,error");
  std::getline(in, line);
  EXPECT_EQ(line.substr(0, 2), "2,");
  std::getline(in, line);
  std::getline(in, line);
  EXPECT_EQ(line.substr(0, 7), "4,,,,,,");
  EXPECT_NE(line.find("income"), std::string::npos) << line;
}

TEST_F(Serve, ModelHealthMetricsAndOpenApi) {
  auto r = http_call(port, "GET", "/api/v1/model");
  ASSERT_EQ(r.status, 200);
  const json m = json::parse(r.body);
  EXPECT_EQ(m["name"], "loan-default");
  EXPECT_EQ(m["alias"], "champion");
  EXPECT_EQ(m["grades"].size(), 10u);
  EXPECT_EQ(m["schema"]["columns"].size(), 8u);
  EXPECT_TRUE(m["metrics"].contains("test"));
  EXPECT_TRUE(m["lineage"].is_object());
  EXPECT_EQ(http_call(port, "GET", "/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/health").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/version").status, 200);
  EXPECT_EQ(json::parse(http_call(port, "GET", "/openapi.json").body)["openapi"], "3.0.3");
  http_call(port, "POST", "/api/v1/predict", kApplicant);
  r = http_call(port, "GET", "/metrics");
  EXPECT_NE(r.body.find("loanrisk_http_requests_total{route=\"/api/v1/predict\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(r.body.find("loanrisk_predicted_pd_bucket{le=\"+Inf\"}"), std::string::npos);
  EXPECT_NE(r.body.find("loanrisk_model_info{name=\"loan-default\",version=\""), std::string::npos);
  EXPECT_NE(r.body.find("loanrisk_http_request_duration_seconds_bucket{le=\"0.001\"}"),
            std::string::npos);
}

TEST_F(Serve, BadInputGetsClearErrors) {
  auto r = http_call(port, "POST", "/api/v1/predict", "{\"fico_score\": ");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"],
            "malformed JSON at byte 16: send a JSON object or array (e.g. {\"fico_score\": 640, "
            "...})");
  EXPECT_EQ(http_call(port, "POST", "/api/v1/predict", "{\"income\": NaN}").status, 400);
  json a = json::parse(kApplicant);
  a["income"] = "NaN";
  a["fico_score"] = 200;
  a["total_debt_outstanding"] = -1;
  r = http_call(port, "POST", "/api/v1/predict", a.dump());
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body)["problems"], json::parse(R"([
    {"row":0,"field":"total_debt_outstanding","value":-1,"rule":"must be between 0 and 100000000 USD"},
    {"row":0,"field":"income","value":"NaN","rule":"must be a number"},
    {"row":0,"field":"fico_score","value":200,"rule":"must be between 300 and 850 points"}])"));
  r = http_call(port, "POST", "/api/v1/predict", std::string(70000, ' '));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body)["error"],
            "request body is larger than the limit of 65536 bytes; send fewer applicants per "
            "request");
  r = http_call(port, "POST", "/api/v1/predict", json(std::vector<json>(51, a)).dump());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(http_call(port, "GET", "/api/v2/predict").status, 404);
  r = http_call(port, "DELETE", "/api/v1/model");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at("allow"), "GET, HEAD");
  const std::string garbage = raw_exchange(port, "NOT HTTP AT ALL\r\n\r\n", 5000);
  EXPECT_EQ(garbage.substr(0, 24), "HTTP/1.1 400 Bad Request");
  // A client that stalls mid-request is disconnected after request_timeout_seconds (1 s).
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(raw_exchange(port, "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\n", 5000), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(http_call(port, "GET", "/healthz").status, 200);  // still serving
}

TEST_F(Serve, TransportSpeaksHttp1) {
  // HTTP/1.0 without keep-alive: answered in 1.0 and closed (raw_exchange reads to the close).
  std::string r = raw_exchange(port, "GET /healthz HTTP/1.0\r\n\r\n", 5000);
  EXPECT_EQ(r.substr(0, 17), "HTTP/1.0 200 OK\r\n");
  EXPECT_NE(r.find("\r\n\r\n{\"status\":\"ok\"}"), std::string::npos) << r;
  // Two pipelined requests, the second closing: two answers in order, then the close.
  r = raw_exchange(port,
                   "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                   5000);
  const auto second = r.find("HTTP/1.1 200 OK", 1);
  ASSERT_NE(second, std::string::npos) << r;
  EXPECT_NE(r.find("Connection: close", second), std::string::npos) << r;
  EXPECT_NE(r.find("\"status\":\"ready\"", second), std::string::npos) << r;
  // A large body (the session then gives back its buffers) with a request pipelined behind it:
  // both answered, in order.
  const std::string padded = std::string(kApplicant) + std::string(60000, ' ');
  r = raw_exchange(port,
                   "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Content-Length: " +
                       std::to_string(padded.size()) + "\r\n\r\n" + padded +
                       "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                   5000);
  EXPECT_EQ(r.substr(0, 17), "HTTP/1.1 200 OK\r\n") << r.substr(0, 300);
  EXPECT_NE(r.find("\"pd\":"), std::string::npos);
  EXPECT_NE(r.find("\"status\":\"ready\"", r.find("HTTP/1.1 200 OK", 1)), std::string::npos) << r;
  // A chunked body is put together before the route sees it.
  const std::string body = kApplicant;
  const std::string half = body.substr(0, body.size() / 2), rest = body.substr(body.size() / 2);
  std::ostringstream chunked;
  chunked << "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          << "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
          << std::hex << half.size() << "\r\n"
          << half << "\r\n"
          << rest.size() << "\r\n"
          << rest << "\r\n0\r\n\r\n";
  r = raw_exchange(port, chunked.str(), 5000);
  EXPECT_EQ(r.substr(0, 17), "HTTP/1.1 200 OK\r\n") << r;
  EXPECT_NE(r.find("\"pd\":"), std::string::npos) << r;
  // A chunk over the limit is refused as soon as its size line arrives, like a declared length
  // (the client sends no more: the server closes without reading the rest).
  std::ostringstream too_big;
  too_big << "POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
          << std::hex << 70000 << "\r\n";
  r = raw_exchange(port, too_big.str(), 5000);
  EXPECT_EQ(r.substr(0, 32), "HTTP/1.1 413 Payload Too Large\r\n") << r.substr(0, 200);
  // HEAD: the head of GET's answer and no body.
  r = raw_exchange(port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000);
  EXPECT_EQ(r.substr(0, 17), "HTTP/1.1 200 OK\r\n") << r;
  EXPECT_NE(r.find("Content-Length: "), std::string::npos) << r;
  EXPECT_EQ(r.substr(r.size() - 4), "\r\n\r\n") << r;
}

TEST_F(Serve, AdminNeedsTheTokenAndNeverLogsIt) {
  auto r = http_call(port, "POST", "/api/v1/admin/reload");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.at("www-authenticate"), "Bearer");
  r = http_call(port, "POST", "/api/v1/admin/reload", "", "", "Bearer wrong");
  EXPECT_EQ(r.status, 401);
  r = http_call(port, "POST", "/api/v1/admin/reload", "", "", "Bearer t0ken");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(slurp(*dir / "serve.err").find("t0ken"), std::string::npos);
  EXPECT_EQ(slurp(*dir / "serve.out").find("t0ken"), std::string::npos);
  EXPECT_NE(
      slurp(*dir / "serve.err").find("request method=POST path=/api/v1/admin/reload status=401"),
      std::string::npos);
}

TEST_F(Serve, HotSwapUnderLoadLosesNoRequest) {
  std::atomic<bool> done{false};
  std::atomic<int> ok{0}, failed{0};
  std::mutex seen_mutex;
  std::set<std::string> versions;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      while (!done) {
        try {
          const auto r = http_call(port, "POST", "/api/v1/predict", kApplicant);
          if (r.status != 200) {
            ++failed;
            continue;
          }
          ++ok;
          std::lock_guard lock(seen_mutex);
          versions.insert(json::parse(r.body)["model"]["version"].get<std::string>());
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  }
  move_champion(2, true);   // at once, through the admin endpoint
  move_champion(1, false);  // by the poller
  move_champion(2, false);
  // A broken version is refused and version 2 keeps serving.
  std::filesystem::create_directories(*dir / "broken");
  write_text(*dir / "broken" / "manifest.json", "{not json");
  {
    auto store = open_store(store_uri);
    ModelRegistry reg(*store);
    reg.register_version("loan-default", make_run(*store, *dir / "broken"), "broken");
    reg.set_alias("loan-default", "champion", 3, "oops", "", true);
  }
  const auto r = http_call(port, "POST", "/api/v1/admin/reload", "", "", "Bearer t0ken");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["model"]["version"], "2");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  done = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 20);
  EXPECT_EQ(versions, (std::set<std::string>{"1", "2"}));
  EXPECT_EQ(json::parse(http_call(port, "GET", "/api/v1/model").body)["version"], "2");
  const std::string metrics = http_call(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loanrisk_model_reload_failures_total "), std::string::npos);
  EXPECT_EQ(metrics.find("loanrisk_model_reload_failures_total 0\n"), std::string::npos);
  move_champion(1, true);  // leave the suite's other tests on version 1
}

}  // namespace
}  // namespace loanrisk::testing
