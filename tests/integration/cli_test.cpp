// The CLI as a user meets it: help, exit codes, messages, and the files each command writes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "loanrisk/core/sha256.hpp"
#include "support/cli_checks.hpp"

namespace loanrisk::testing {
namespace {

class Cli : public ::testing::Test {
 protected:
  TempDir dir;
  // A small synthetic book shared by the tests of one fixture instance.
  void make_book(int rows = 3000) {
    auto r = run_cli(dir, "synth --rows " + std::to_string(rows) + " --seed 7 --out book.csv");
    ASSERT_EQ(r.code, 0) << r.err;
  }
};

TEST_F(Cli, HelpOnEveryCommandExitsZero) {
  for (const char* cmd : {"", "synth ", "train ", "predict ", "evaluate "}) {
    auto r = run_cli(dir, std::string(cmd) + "--help");
    EXPECT_EQ(r.code, 0) << cmd << r.err;
    EXPECT_NE(r.out.find("--"), std::string::npos) << cmd;
  }
  auto r = run_cli(dir, "--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("loanrisk 0."), std::string::npos);
}

TEST_F(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli(dir, "").code, 2);
  EXPECT_EQ(run_cli(dir, "frobnicate").code, 2);
  EXPECT_EQ(run_cli(dir, "train --data x.csv").code, 2);  // --out missing
  expect_cli_error(dir, "synth --rows -5 --out a.csv", 2, "--rows");
}

TEST_F(Cli, SynthIsDeterministic) {
  ASSERT_EQ(run_cli(dir, "synth --rows 500 --seed 3 --out a.csv").code, 0);
  ASSERT_EQ(run_cli(dir, "synth --rows 500 --seed 3 --out b.csv").code, 0);
  ASSERT_EQ(run_cli(dir, "synth --rows 500 --seed 4 --out c.csv").code, 0);
  EXPECT_EQ(sha256_file(dir / "a.csv"), sha256_file(dir / "b.csv"));
  EXPECT_NE(sha256_file(dir / "a.csv"), sha256_file(dir / "c.csv"));
  EXPECT_EQ(count_lines(dir / "a.csv"), 501u);
}

TEST_F(Cli, TrainPredictEvaluateOnSyntheticBook) {
  make_book();
  auto r = run_cli(dir, "train --data book.csv --out bundle");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("AUC-ROC"), std::string::npos);
  EXPECT_NE(r.out.find("bundle written to bundle"), std::string::npos);
  for (const char* f : {"manifest.json", "pipeline.json", "metrics.json", "lineage.json", "card.md",
                        "model/xgboost.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "bundle" / f)) << f;
  }
  const auto metrics = nlohmann::json::parse(slurp(dir / "bundle/metrics.json"));
  for (const char* split : {"validation", "test"}) {
    for (const char* k : {"auc_roc", "pr_auc", "f1", "recall", "precision", "accuracy", "brier",
                          "log_loss", "ks", "gini", "threshold", "confusion_matrix"}) {
      EXPECT_TRUE(metrics.at(split).contains(k)) << split << "." << k;
    }
  }
  EXPECT_GT(metrics["test"]["auc_roc"].get<double>(), 0.95);
  const auto lineage = nlohmann::json::parse(slurp(dir / "bundle/lineage.json"));
  EXPECT_EQ(lineage["data_sha256"], sha256_file(dir / "book.csv"));
  EXPECT_EQ(lineage["rows"]["read"], 3000);
  EXPECT_EQ(lineage["seed"], 42);
  EXPECT_TRUE(lineage.contains("git_commit"));
  EXPECT_TRUE(lineage["libraries"].contains("xgboost"));

  r = run_cli(dir, "predict --model bundle --data book.csv --out scores.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count_lines(dir / "scores.csv"), 3001u);
  const std::string scores = slurp(dir / "scores.csv");
  EXPECT_EQ(scores.substr(0, scores.find('\n') + 1),
            "customer_id,pd,grade,decision,expected_loss\n");

  r = run_cli(dir, "evaluate --model bundle --data book.csv --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GT(nlohmann::json::parse(r.out)["auc_roc"].get<double>(), 0.95);

  // An existing bundle is never replaced silently.
  expect_cli_error(dir, "train --data book.csv --out bundle", 2, "already exists");
  EXPECT_EQ(run_cli(dir, "train --data book.csv --out bundle --force").code, 0);
}

TEST_F(Cli, BadRowsStopStrictModeAndGoToRejectsOtherwise) {
  make_book(2000);
  // Break two rows of a copy: a letter in loan_amt, a negative income.
  std::string text = slurp(dir / "book.csv");
  std::istringstream in(text);
  std::string line, broken;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 5) {
      auto a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
      line = line.substr(0, b + 1) + "abc" + line.substr(c);
    } else if (n == 9) {
      std::size_t pos = 0;
      for (int k = 0; k < 4; ++k) pos = line.find(',', pos) + 1;
      line = line.substr(0, pos) + "-10" + line.substr(line.find(',', pos));
    }
    broken += line + "\n";
  }
  write_text(dir / "broken.csv", broken);
  ASSERT_EQ(run_cli(dir, "train --data book.csv --out bundle").code, 0);

  expect_cli_error(
      dir, "predict --model bundle --data broken.csv --out s.csv", 3,
      "broken.csv line 5, column 3 (loan_amt_outstanding): value \"abc\" is not a number");
  EXPECT_FALSE(std::filesystem::exists(dir / "s.csv"));

  auto r = run_cli(dir, "predict --model bundle --data broken.csv --out s.csv --rejects rej.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 rows rejected"), std::string::npos) << r.out;
  EXPECT_EQ(count_lines(dir / "s.csv"), 1999u);  // header + 1998 scored
  const std::string rej = slurp(dir / "rej.csv");
  EXPECT_NE(rej.find("line 9, column 5 (income): value \"\"-10\"\" is out of range: must be >= 0"),
            std::string::npos)
      << rej;
}

TEST_F(Cli, BadConfigAndBadBundleAreClearErrors) {
  make_book(1000);
  write_text(dir / "loanrisk.toml", "[split]\nseed = 1\ntrian = 0.5\n");
  expect_cli_error(dir, "train --data book.csv --out b --config loanrisk.toml", 2,
                   "loanrisk.toml:3:1: unknown key 'trian' in [split]; known keys: calibration, "
                   "seed, test, train, validation");
  write_text(dir / "loanrisk.toml",
             "[model]\nfamily = \"xgboost\"\n[model.params]\nmax_depth = 99\n");
  expect_cli_error(dir, "train --data book.csv --out b --config loanrisk.toml", 2, "max_depth");

  std::filesystem::create_directories(dir / "notabundle");
  expect_cli_error(dir, "predict --model notabundle --data book.csv --out s.csv", 3,
                   "is not a loanrisk bundle");

  expect_cli_error(dir, "train --data missing.csv --out b", 3, "missing.csv");
}

// --model picks another family than the config's: it starts from the params written in the file,
// not from the config family's defaults (which the other family does not know).
TEST_F(Cli, ModelFlagOverridesTheConfigFamily) {
  make_book(1000);
  write_text(dir / "loanrisk.toml", "[split]\nseed = 3\n[model]\ncalibration = \"none\"\n");
  auto r = run_cli(dir,
                   "train --no-track --data book.csv --out b --config loanrisk.toml --model "
                   "logistic_regression --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["calibration"], "none");
  write_text(dir / "loanrisk.toml", "[model.params]\nmax_depth = 3\n");
  expect_cli_error(dir,
                   "train --no-track --data book.csv --out b2 --config loanrisk.toml --model "
                   "logistic_regression",
                   2, "unknown parameter 'max_depth'");
}

// Acceptance of the foundation: the real 10,000-row file, default settings.
TEST_F(Cli, RealDataReachesTheAucTargetAndScoresEveryRow) {
  const auto real = real_data();
  if (!real) GTEST_SKIP() << "real data not present";
  auto r = run_cli(dir, "train --data '" + real->string() + "' --out bundle --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["metrics"]["test"]["auc_roc"].get<double>(), 0.999) << r.out;
  EXPECT_EQ(j["rows"]["read"], 10000);
  r = run_cli(dir, "predict --model bundle --data '" + real->string() + "' --out scores.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(count_lines(dir / "scores.csv"), 10001u);
  EXPECT_NE(r.out.find("scored 10000 of 10000 rows"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace loanrisk::testing
