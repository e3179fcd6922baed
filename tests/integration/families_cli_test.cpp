// `loanrisk train --model NAME|all`, `--help-params`, calibration and threshold flags, and
// `evaluate --out` as a user runs them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/core/files.hpp"
#include "server_process.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

class FamiliesCli : public ::testing::Test {
 protected:
  TempDir dir;
  void make_book() {
    auto r = run_cli(dir, "synth --rows 2000 --seed 7 --out book.csv");
    ASSERT_EQ(r.code, 0) << r.err;
  }
};

TEST_F(FamiliesCli, HelpParamsListsDeclaredParameters) {
  auto r = run_cli(dir, "train --model lightgbm --help-params");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("lightgbm parameters ([model.params] in loanrisk.toml):"),
            std::string::npos);
  EXPECT_NE(r.out.find("  num_leaves (int, default 31, range 2 to 131072): maximum leaves per "
                       "tree (leaf-wise growth)"),
            std::string::npos);
  expect_cli_error(dir, "train --model svm --help-params", 2,
                   "unknown model family 'svm'; valid families: logistic_regression, "
                   "random_forest, xgboost, lightgbm");
}

TEST_F(FamiliesCli, ASeedTrainsAFamilyWithoutRandomness) {
  make_book();
  for (const char* family : {"logistic_regression", "scorecard"}) {
    auto r =
        run_cli(dir, std::string("train --data book.csv --no-track --force --seed 4 --out b ") +
                         "--model " + family);
    EXPECT_EQ(r.code, 0) << family << ": " << r.err;
  }
  // The help names every family.
  auto help = run_cli(dir, "train --help");
  EXPECT_NE(
      help.out.find("logistic_regression, random_forest, xgboost, lightgbm, scorecard, or all"),
      std::string::npos)
      << help.out;
}

TEST_F(FamiliesCli, BadFlagsAreUsageErrors) {
  make_book();
  expect_cli_error(dir, "train --data book.csv --out b --no-track --calibration beta", 2,
                   "unknown calibration 'beta'; valid calibrations: auto, none, platt, isotonic");
  expect_cli_error(dir, "train --data book.csv --out b --no-track --threshold-rule cost:a:1", 2,
                   "threshold rule 'cost:a:1': 'a' is not a non-negative number");
  expect_cli_error(dir, "train --data book.csv --no-track", 2,
                   "train needs --out FOLDER (where the bundle goes)");
}

TEST_F(FamiliesCli, TrainAllWritesOneBundlePerFamilyAndTheTable) {
  make_book();
  // --seed reaches the families that have one; logistic_regression and scorecard have none (it
  // was refused as an unknown parameter of theirs).
  auto r = run_cli(dir, "train --data book.csv --out all --model all --no-track --seed 11");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_json_file(dir / "all" / "xgboost" / "manifest.json")["params"]["seed"], 11.0);
  EXPECT_FALSE(
      read_json_file(dir / "all" / "scorecard" / "manifest.json")["params"].contains("seed"));
  EXPECT_NE(r.out.find("AUC-ROC"), std::string::npos);
  const auto table = read_json_file(dir / "all" / "comparison.json");
  ASSERT_EQ(table["families"].size(), 5u);
  std::vector<std::string> families;
  for (const auto& row : table["families"]) {
    families.push_back(row["family"].get<std::string>());
    EXPECT_GT(row["auc_roc"].get<double>(), 0.8);
    EXPECT_TRUE(std::filesystem::exists(dir / "all" / families.back() / "report" / "report.html"));
  }
  EXPECT_EQ(families, (std::vector<std::string>{"logistic_regression", "random_forest", "xgboost",
                                                "lightgbm", "scorecard"}));
  EXPECT_TRUE(
      std::filesystem::exists(dir / "all" / "logistic_regression" / "model" / "logistic.json"));
}

TEST_F(FamiliesCli, EvaluateWritesTheReport) {
  make_book();
  ASSERT_EQ(run_cli(dir,
                    "train --data book.csv --out b --model logistic_regression --no-track "
                    "--calibration isotonic --threshold-rule cost:5:1 --imbalance smote")
                .code,
            0);
  auto r = run_cli(dir, "evaluate --model b --data book.csv --out rep");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("report written to rep/report.html"), std::string::npos);
  const auto report = read_json_file(dir / "rep" / "report.json");
  EXPECT_EQ(report["calibration"]["method"], "isotonic");
  EXPECT_EQ(report["threshold"]["rule"], "cost:5:1");
  EXPECT_EQ(report["intervals"]["auc_roc"]["resamples"], 1000);
  EXPECT_EQ(report["context"]["imbalance"], "smote");
  const std::string html = read_file(dir / "rep" / "report.html");
  EXPECT_NE(html.find("Coefficients"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk::testing

namespace loanrisk::testing {
namespace {

// The scorecard family through the binary and the server: `predict` writes the score beside the
// PD, and the API answers the score and the points lost per characteristic; monotone constraints
// can be turned off for a comparison and their directions are recorded in the model.
TEST_F(FamiliesCli, AScorecardsScoredFileNamesItsScoreColumnWhenNoRowIsScored) {
  make_book();
  auto r = run_cli(dir, "train --data book.csv --out sc --model scorecard --no-track");
  ASSERT_EQ(r.code, 0) << r.err;
  write_text(dir / "bad.csv",
             "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,"
             "income,years_employed,fico_score\n1,2,5200,21000,40000,2,abc\n"
             "2,2,5200,21000,40000,2,xyz\n");
  const std::string header = "customer_id,pd,grade,decision,expected_loss,score\n";
  // The whole file in memory, and a shard (the streamed reader).
  r = run_cli(dir, "predict --model sc --data bad.csv --out scored.csv --rejects rejects.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(dir / "scored.csv"), header);
  r = run_cli(dir,
              "predict --model sc --data bad.csv --out parts --rejects part_rejects --shard 0/1");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(dir / "parts" / "part-00000-of-00001.csv"), header);
}

TEST_F(FamiliesCli, ScorecardServesItsScoreAndPointsReasons) {
  make_book();
  auto r = run_cli(dir, "train --data book.csv --out sc --model scorecard --no-track");
  ASSERT_EQ(r.code, 0) << r.err;
  ServerProcess server(dir, "--model sc");
  ASSERT_GT(server.port(), 0) << slurp(dir / "serve.err");
  const HttpReply reply = http_call(
      server.port(), "POST", "/api/v1/predict",
      R"({"customer_id":"a1","credit_lines_outstanding":4,"loan_amt_outstanding":5200,)"
      R"("total_debt_outstanding":21000,"income":40000,"years_employed":1,"fico_score":560})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto p = nlohmann::json::parse(reply.body)["predictions"][0];
  ASSERT_TRUE(p["score"].is_number_integer()) << p.dump();
  const auto& reasons = p["points_reasons"];
  ASSERT_FALSE(reasons.empty()) << p.dump();
  for (const auto& reason : reasons) {
    EXPECT_EQ(reason["points_lost"].get<int>(),
              reason["max_points"].get<int>() - reason["points"].get<int>());
    EXPECT_NE(reason["text"].get<std::string>().find(" points ("), std::string::npos);
  }
  const auto without = http_call(server.port(), "POST", "/api/v1/predict?reasons=false",
                                 R"({"credit_lines_outstanding":4,"loan_amt_outstanding":5200,)"
                                 R"("total_debt_outstanding":21000,"income":40000,)"
                                 R"("years_employed":1,"fico_score":560})");
  EXPECT_EQ(nlohmann::json::parse(without.body)["predictions"][0]["score"], p["score"]);
  // The web app's Model card page shows the scorecard table and the bins' directions.
  const HttpReply card = http_call(server.port(), "GET", "/api/v1/model/card", "");
  ASSERT_EQ(card.status, 200) << card.body;
  const std::string md = nlohmann::json::parse(card.body)["markdown"];
  EXPECT_NE(md.find("## Scorecard"), std::string::npos) << md;
  EXPECT_NE(md.find("| characteristic | bin | count | default rate | WoE | IV | points |"),
            std::string::npos);
  EXPECT_NE(md.find("| fico_score | (-inf, "), std::string::npos) << md;
  EXPECT_NE(md.find("it falls with: fico_score, fico_score_diff"), std::string::npos) << md;
  EXPECT_EQ(server.stop(), 0);

  r = run_cli(dir, "train --data book.csv --out free --model xgboost --no-track --no-monotone");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto constrained_run = run_cli(dir, "train --data book.csv --out tied --no-track");
  ASSERT_EQ(constrained_run.code, 0) << constrained_run.err;
  const auto free_model = read_json_file(dir / "free" / "model" / "xgboost.json");
  const auto tied_model = read_json_file(dir / "tied" / "model" / "xgboost.json");
  EXPECT_FALSE(free_model.dump().find("loanrisk_monotone_constraints") != std::string::npos);
  EXPECT_NE(tied_model.dump().find("loanrisk_monotone_constraints"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk::testing
