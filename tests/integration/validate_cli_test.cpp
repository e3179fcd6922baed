// `loanrisk validate` as a validator runs it: a challenger against a champion on a labelled book,
// report.json + report.html, exit code 4 exactly when a gate is red, gates from loanrisk.toml,
// and every bad flag, file or config refused with what, where and how to fix it.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

class ValidateCli : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    ASSERT_EQ(run_cli(*dir, "synth --rows 6000 --seed 1 --out train.csv").code, 0);
    ASSERT_EQ(run_cli(*dir, "synth --rows 3000 --seed 2 --out book.csv").code, 0);
    for (const char* family : {"xgboost", "logistic_regression"}) {
      const auto r = run_cli(*dir, std::string("train --no-track --data train.csv --model ") +
                                       family + " --out " + family);
      ASSERT_EQ(r.code, 0) << r.err;
    }
    // Gates loose enough that the synthetic book passes every one: what is tested is that the
    // exit code follows the report, and each gate's own test is in the unit tests.
    write_text(*dir / "loose.toml",
               "[validation]\njeffreys_amber = 1e-9\njeffreys_red = 1e-10\n"
               "hosmer_lemeshow_amber = 1e-9\nhosmer_lemeshow_red = 1e-10\nece_red = 0.5\n"
               "ece_amber = 0.4\nauc_compare_red = 1e-12\nherfindahl_amber = 0.9\n"
               "herfindahl_red = 0.95\n");
  }
  static void TearDownTestSuite() { dir.reset(); }
};

TEST_F(ValidateCli, ChallengerAgainstChampionWritesTheReportAndExitsZeroWhenNothingIsRed) {
  const auto r = run_cli(*dir,
                         "validate --model xgboost --data book.csv --against logistic_regression "
                         "--config loose.toml --out rep");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(slurp(*dir / "rep/report.json"));
  EXPECT_NE(j["status"], "red");
  EXPECT_TRUE(j["red"].empty());
  EXPECT_EQ(j["data"]["rows"], 3000);
  EXPECT_EQ(j["model"]["family"], "xgboost");
  EXPECT_EQ(j["against"]["family"], "logistic_regression");
  std::vector<std::string> ids;
  for (const auto& t : j["tests"]) ids.push_back(t["id"]);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"calibration_portfolio", "calibration_by_grade",
                                      "hosmer_lemeshow", "ece", "auc", "auc_decline", "auc_compare",
                                      "concentration", "psi_score", "psi_inputs"}));
  // The server's default master scale: ten grades, every customer in one of them.
  ASSERT_EQ(j["calibration"]["grades"].size(), 10u);
  long long customers = 0;
  for (const auto& g : j["calibration"]["grades"]) customers += g["customers"].get<long long>();
  EXPECT_EQ(customers, 3000);
  long long migrated = 0;
  for (const auto& row : j["migration"]["matrix"]) {
    for (const auto& v : row) migrated += v.get<long long>();
  }
  EXPECT_EQ(migrated, 3000);
  // The initial AUC is the bundle's own test AUC.
  const auto metrics = nlohmann::json::parse(slurp(*dir / "xgboost/metrics.json"));
  EXPECT_EQ(j["discrimination"]["initial_auc"], metrics["test"]["auc_roc"]);
  EXPECT_GT(j["discrimination"]["auc"].get<double>(), 0.9);
  EXPECT_EQ(j["stability"]["features"].size(), 6u);
  const std::string html = slurp(*dir / "rep/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("PD model validation"), std::string::npos);
  EXPECT_NE(r.out.find("report written to rep/report.html"), std::string::npos);
}

TEST_F(ValidateCli, DriftedBookIsRedOnStabilityAndExitsFourNamingTheRedGates) {
  ASSERT_EQ(run_cli(*dir, "synth --rows 3000 --seed 4 --drift income_shock --out drift.csv").code,
            0);
  const auto r = run_cli(
      *dir, "validate --model xgboost --data drift.csv --config loose.toml --out drift --json");
  EXPECT_EQ(r.code, 4) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // --json prints report.json
  EXPECT_EQ(j["status"], "red");
  EXPECT_EQ(j, nlohmann::json::parse(slurp(*dir / "drift/report.json")));
  EXPECT_NE(r.err.find("Stability of the inputs (worst PSI): largest PSI"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("(income)"), std::string::npos) << r.err;
  EXPECT_TRUE(j["migration"].is_null());
}

TEST_F(ValidateCli, DefaultGatesAgreeWithTheExitCode) {
  const auto r = run_cli(*dir, "validate --model logistic_regression --data book.csv --out d");
  const auto j = nlohmann::json::parse(slurp(*dir / "d/report.json"));
  EXPECT_EQ(r.code, j["status"] == "red" ? 4 : 0) << r.out;
  EXPECT_EQ(j["gates"]["jeffreys_red"], 0.01);
}

TEST_F(ValidateCli, BadFlagsFilesAndConfigAreRefusedClearly) {
  expect_cli_error(*dir, "validate --model xgboost --data book.csv", 2, "--out is required");
  expect_cli_error(*dir, "validate --model nowhere --data book.csv --out x", 3, "nowhere");
  expect_cli_error(*dir, "validate --model xgboost --data missing.csv --out x", 3, "missing.csv");
  expect_cli_error(*dir, "validate --model xgboost --against nowhere --data book.csv --out x", 3,
                   "nowhere");
  // A book without outcomes cannot be validated.
  ASSERT_EQ(run_shell(*dir, "cut -d, -f1-7 book.csv > unlabelled.csv").code, 0);
  expect_cli_error(*dir, "validate --model xgboost --data unlabelled.csv --out x", 3, "default");
  write_text(*dir / "typo.toml", "[validation]\npsi_redd = 0.3\n");
  expect_cli_error(*dir, "validate --model xgboost --data book.csv --config typo.toml --out x", 2,
                   "typo.toml:2:1: unknown key 'psi_redd' in [validation]");
  write_text(*dir / "order.toml", "[validation]\nauc_amber = 0.5\nauc_red = 0.6\n");
  expect_cli_error(*dir, "validate --model xgboost --data book.csv --config order.toml --out x", 2,
                   "auc_amber (0.5) must be at least auc_red (0.6)");
  // Bytes that are not UTF-8 in a row: a line and column, not a crash.
  write_text(*dir / "bytes.csv",
             slurp(*dir / "book.csv").substr(0, 200) + "\n9,\xff\xfe,1,2,3,4,5,0\n");
  const auto r = run_cli(*dir, "validate --model xgboost --data bytes.csv --out x");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("line"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(*dir / "x/report.json"));
}

TEST_F(ValidateCli, RealDataXgboostAgainstLogistic) {
  const auto data = real_data();
  if (!data) GTEST_SKIP() << "the real dataset is not beside the checkout";
  ASSERT_EQ(run_cli(*dir, "split --data '" + data->string() + "' --seed 7 --out real").code, 0);
  for (const char* family : {"xgboost", "logistic_regression"}) {
    const auto r = run_cli(*dir, std::string("train --no-track --data real/train.csv --model ") +
                                     family + " --out real_" + family);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const auto r = run_cli(*dir,
                         "validate --model real_xgboost --against real_logistic_regression "
                         "--data real/test.csv --out real_rep");
  ASSERT_TRUE(r.code == 0 || r.code == 4) << r.err;
  const auto j = nlohmann::json::parse(slurp(*dir / "real_rep/report.json"));
  EXPECT_EQ(j["data"]["rows"], 2000);
  EXPECT_GT(j["discrimination"]["auc"].get<double>(), 0.99);
  EXPECT_GT(j["discrimination"]["against"]["auc"].get<double>(), 0.99);
  EXPECT_NEAR(j["calibration"]["portfolio"]["default_rate"].get<double>(), 0.185, 0.01);
}

}  // namespace
}  // namespace loanrisk::testing
