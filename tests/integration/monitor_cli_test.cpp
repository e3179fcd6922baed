// `loanrisk monitor` and the server's monitoring as a user runs them: a trained bundle carries
// reference.json; the same-distribution book is green, a drifted book is red with exit code 4; a
// live server logs predictions that `monitor --log` reads back, serves /api/v1/monitoring and
// exports PSI; a full disk under the prediction log never fails a prediction.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

using Server = ServerProcess;

/// The first `rows` data lines of a CSV with its header.
std::string head_csv(const std::filesystem::path& file, std::size_t rows) {
  std::ifstream in(file);
  std::string line, out;
  for (std::size_t i = 0; i <= rows && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

/// Value of an unlabelled Prometheus sample ("" when absent).
std::string metric(const std::string& text, const std::string& name) {
  const std::regex re("\n" + std::regex_replace(name, std::regex(R"([{}"])"), R"(\$&)") +
                      " ([^\n]+)");
  std::smatch m;
  return std::regex_search(text, m, re) ? m[1].str() : "";
}

/// Waits up to 10 s for a metric to reach a value.
bool wait_metric(int port, const std::string& name, const std::string& want) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    if (metric(http_call(port, "GET", "/metrics").body, name) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string today_log_name() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "predictions-%Y%m%d-1.jsonl", &tm);
  return buf;
}

class MonitorCli : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    ASSERT_EQ(run_cli(*dir, "synth --rows 6000 --seed 1 --out train.csv").code, 0);
    const auto r = run_cli(*dir, "train --no-track --data train.csv --out bundle");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() { dir.reset(); }
};

TEST_F(MonitorCli, TrainingWritesTheReferenceOfEveryInputAndTheScore) {
  const auto ref = nlohmann::json::parse(slurp(*dir / "bundle/reference.json"));
  ASSERT_EQ(ref["features"].size(), 6u);
  EXPECT_EQ(ref["features"][0]["feature"], "credit_lines_outstanding");
  EXPECT_EQ(ref["score"]["feature"], "score");
  EXPECT_EQ(ref["score"]["quantiles"].size(), 101u);
  EXPECT_NEAR(ref["rows"].get<double>(), 3600, 10);  // the 60% training split
}

TEST_F(MonitorCli, SameDistributionIsGreenWithPerformanceByWindow) {
  ASSERT_EQ(run_cli(*dir, "synth --rows 4000 --seed 2 --out same.csv").code, 0);
  const auto r =
      run_cli(*dir, "monitor --model bundle --data same.csv --out same --window-rows 1000");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(slurp(*dir / "same/report.json"));
  EXPECT_EQ(j["status"], "green");
  EXPECT_EQ(j["rows"], 4000);
  for (const auto& f : j["features"]) EXPECT_EQ(f["status"], "green") << f["name"];
  EXPECT_EQ(j["score"]["status"], "green") << j["score"]["psi"];
  ASSERT_TRUE(j["performance"].is_object());
  ASSERT_EQ(j["performance"]["windows"].size(), 4u);
  EXPECT_EQ(j["performance"]["windows"][0]["window"], "rows 1-1000");
  EXPECT_GT(j["performance"]["windows"][0]["auc_roc"].get<double>(), 0.9);
  EXPECT_TRUE(j["performance"]["training"]["auc_roc"].is_number());
  const std::string html = slurp(*dir / "same/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
}

TEST_F(MonitorCli, EachDriftKindIsRedOnItsFeatureAndExitsFour) {
  const std::map<std::string, std::string> own = {{"income_shock", "income"},
                                                  {"fico_shift", "fico_score"},
                                                  {"debt_growth", "total_debt_outstanding"}};
  for (const auto& [kind, feature] : own) {
    ASSERT_EQ(
        run_cli(*dir, "synth --rows 4000 --seed 3 --drift " + kind + " --out " + kind + ".csv")
            .code,
        0);
    const auto r = run_cli(*dir, "monitor --model bundle --data " + kind + ".csv --out " + kind);
    EXPECT_EQ(r.code, 4) << kind << r.out << r.err;
    EXPECT_NE(r.out.find("overall red"), std::string::npos) << r.out;
    const auto j = nlohmann::json::parse(slurp(*dir / kind / "report.json"));
    EXPECT_EQ(j["status"], "red");
    for (const auto& f : j["features"]) {
      EXPECT_EQ(f["status"], f["name"] == feature ? "red" : "green")
          << kind << ": " << f["name"] << " psi " << f["psi"];
    }
  }
}

TEST_F(MonitorCli, ABundleWithoutReferenceAndBadFlagsAreRefusedClearly) {
  std::filesystem::copy(*dir / "bundle", *dir / "old", std::filesystem::copy_options::recursive);
  std::filesystem::remove(*dir / "old/reference.json");
  ASSERT_EQ(run_cli(*dir, "synth --rows 200 --seed 4 --out small.csv").code, 0);
  expect_cli_error(*dir, "monitor --model old --data small.csv --out o", 3,
                   "has no reference.json (it predates monitoring): retrain to add a reference");
  expect_cli_error(*dir, "monitor --model bundle --data small.csv --log logs --out o", 2,
                   "exactly one of --data FILE");
  expect_cli_error(*dir, "monitor --model bundle --data small.csv --window month --out o", 2,
                   "needs timestamps");
  expect_cli_error(*dir, "monitor --model bundle --log nowhere --out o", 3,
                   "prediction log folder 'nowhere' does not exist");
  expect_cli_error(*dir, "monitor --model bundle --log nowhere --since yesterday --out o", 2,
                   "--since 'yesterday' is not a UTC time");
  EXPECT_EQ(run_cli(*dir, "synth --rows 10 --drift rates_up --out x.csv").code, 2);
}

TEST_F(MonitorCli, ALiveServerLogsPredictionsThatMonitorReadsBack) {
  ASSERT_EQ(run_cli(*dir, "synth --rows 400 --seed 5 --out live.csv").code, 0);
  write_text(*dir / "live.toml",
             "[serve]\ndrift_window = 1000\n[serve.prediction_log]\nmax_file_bytes = 65536\n");
  Server server(*dir, "--model bundle --config live.toml --prediction-log plog");
  ASSERT_GT(server.port(), 0) << server.err();
  const auto before =
      nlohmann::json::parse(http_call(server.port(), "GET", "/api/v1/monitoring").body);
  EXPECT_EQ(before["count"], 0);
  EXPECT_EQ(before["score"]["status"], "insufficient");
  EXPECT_EQ(before["score"]["psi"], nullptr);
  const auto scored = http_call(server.port(), "POST", "/api/v1/score-csv",
                                head_csv(*dir / "live.csv", 400), "text/csv");
  ASSERT_EQ(scored.status, 200) << scored.body;
  const auto one = http_call(server.port(), "POST", "/api/v1/predict",
                             R"({"customer_id":"x1","credit_lines_outstanding":3,)"
                             R"("loan_amt_outstanding":5200,"total_debt_outstanding":21000,)"
                             R"("income":40000,"years_employed":2,"fico_score":590})");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_TRUE(wait_metric(server.port(), "loanrisk_prediction_log_written_total", "401"));
  const auto j = nlohmann::json::parse(http_call(server.port(), "GET", "/api/v1/monitoring").body);
  EXPECT_EQ(j["window_size"], 1000);
  EXPECT_EQ(j["count"], 401);
  EXPECT_EQ(j["thresholds"]["red"], 0.25);
  ASSERT_EQ(j["features"].size(), 6u);
  for (const auto& f : j["features"]) {
    EXPECT_TRUE(f["psi"].is_number()) << f["name"];
    EXPECT_EQ(f["bins"][0].size(), 4u);
  }
  EXPECT_TRUE(j["score"]["psi"].is_number());
  const std::string metrics = http_call(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("loanrisk_psi{feature=\"score\"} "), std::string::npos);
  EXPECT_NE(metrics.find("loanrisk_psi{feature=\"fico_score\"} "), std::string::npos);
  EXPECT_EQ(metric(metrics, "loanrisk_prediction_log_errors_total"), "0");
  // The window's drill-down and the trend by day read the same rows as the window and the log.
  EXPECT_EQ(j["prediction_log"], true);
  const auto fico =
      nlohmann::json::parse(http_call(server.port(), "GET", "/api/v1/monitoring/fico_score").body);
  EXPECT_EQ(fico["count"], 401);
  EXPECT_DOUBLE_EQ(fico["psi"].get<double>(), j["features"][5]["psi"].get<double>());
  const auto days = http_call(server.port(), "GET", "/api/v1/monitoring/score/days?days=3");
  ASSERT_EQ(days.status, 200) << days.body;
  const auto trend = nlohmann::json::parse(days.body);
  ASSERT_EQ(trend["days"].size(), 1u);
  EXPECT_EQ(trend["days"][0]["rows"], 401);
  const std::string today = today_log_name();  // predictions-YYYYMMDD-1.jsonl
  EXPECT_EQ(trend["days"][0]["day"],
            today.substr(12, 4) + "-" + today.substr(16, 2) + "-" + today.substr(18, 2));
  EXPECT_NEAR(trend["days"][0]["psi"].get<double>(), j["score"]["psi"].get<double>(), 1e-9);
  for (const auto& [target, status] :
       std::vector<std::pair<std::string, int>>{{"/api/v1/monitoring/nope/days", 404},
                                                {"/api/v1/monitoring/score/days?days=91", 400},
                                                {"/api/v1/monitoring/score/days?days=x", 400},
                                                {"/api/v1/monitoring/score/days?days=3&x=1", 400},
                                                {"/api/v1/monitoring/nope", 404}}) {
    const auto r = http_call(server.port(), "GET", target);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
  }
  EXPECT_EQ(server.stop(), 0);

  const auto r = run_cli(*dir, "monitor --model bundle --log plog --out from-log --window day");
  ASSERT_TRUE(r.code == 0 || r.code == 4) << r.out << r.err;
  const auto rep = nlohmann::json::parse(slurp(*dir / "from-log/report.json"));
  EXPECT_EQ(rep["rows"], 401);
  EXPECT_EQ(rep["performance"], nullptr);  // the log has no outcomes
  // Every line has the documented fields; --until before the first line selects nothing.
  expect_cli_error(*dir, "monitor --model bundle --log plog --until 2000-01-01 --out e", 3,
                   "no scored row to monitor (check --since/--until)");
  std::ifstream in(*dir / "plog" / today_log_name());
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto rec = nlohmann::json::parse(line);
  for (const char* k :
       {"ts", "request_id", "route", "model", "customer_id", "inputs", "pd", "grade", "decision"}) {
    EXPECT_TRUE(rec.contains(k)) << k;
  }
  EXPECT_EQ(rec["route"], "/api/v1/score-csv");
}

TEST_F(MonitorCli, AFullDiskDropsLogLinesButNeverAPrediction) {
  // A real full disk without root: the day's log file is a symlink to /dev/full (ENOSPC).
  TempDir logs;
  std::filesystem::create_symlink("/dev/full", logs / today_log_name());
  Server server(*dir, "--model bundle --prediction-log '" + logs.path().string() + "'");
  ASSERT_GT(server.port(), 0) << server.err();
  const std::string csv = head_csv(*dir / "train.csv", 50);
  for (int i = 0; i < 5; ++i) {
    const auto r = http_call(server.port(), "POST", "/api/v1/score-csv", csv, "text/csv");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("x-rows-scored"), "50");
  }
  EXPECT_TRUE(wait_metric(server.port(), "loanrisk_prediction_log_dropped_total", "250"));
  const std::string metrics = http_call(server.port(), "GET", "/metrics").body;
  EXPECT_EQ(metric(metrics, "loanrisk_prediction_log_written_total"), "0");
  EXPECT_NE(metric(metrics, "loanrisk_prediction_log_errors_total"), "0");
  // Space comes back: writing resumes, and each episode was logged once.
  std::filesystem::remove(logs / today_log_name());
  ASSERT_EQ(http_call(server.port(), "POST", "/api/v1/score-csv", csv, "text/csv").status, 200);
  EXPECT_TRUE(wait_metric(server.port(), "loanrisk_prediction_log_written_total", "50"));
  EXPECT_EQ(server.stop(), 0);
  const std::string err = server.err();
  std::size_t episodes = 0;
  for (auto p = err.find("No space left on device"); p != std::string::npos;
       p = err.find("No space left on device", p + 1)) {
    ++episodes;
  }
  EXPECT_EQ(episodes, 1u) << err;
  EXPECT_NE(err.find("writing again after dropping 250 lines"), std::string::npos) << err;
}

}  // namespace
}  // namespace loanrisk::testing
