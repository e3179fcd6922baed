// `loanrisk eda` as a user runs it: both files written, the JSON's sections, inline charts only,
// and the exit codes of bad flags (2) and a missing file (3).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace loanrisk::testing {
namespace {

TEST(EdaCli, WritesReportOnSyntheticBook) {
  TempDir dir;
  ASSERT_EQ(run_cli(dir, "synth --rows 3000 --seed 7 --out book.csv").code, 0);
  write_text(dir / "loanrisk.toml", "[features.outliers.income]\niqr_factor = 2.5\n");
  const RunResult r = run_cli(dir, "eda --data book.csv --out eda --config loanrisk.toml");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("analysed 3000 of 3000 rows"), std::string::npos) << r.out;
  const auto j = nlohmann::json::parse(slurp(dir / "eda/report.json"));
  for (const char* k : {"overview", "class_balance", "features", "correlations", "reference"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["overview"]["rows_valid"], 3000);
  EXPECT_EQ(j["settings"]["iqr_factors"]["income"], 2.5);
  EXPECT_EQ(j["settings"]["iqr_factors"]["fico_score"], 2.0);
  const std::string html = slurp(dir / "eda/report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  for (const char* bad : {"src=\"http", "href=\"http", "http://", "https://"}) {
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  }
}

TEST(EdaCli, BadFlagsExitTwoAndMissingFileExitsThree) {
  TempDir dir;
  EXPECT_EQ(run_cli(dir, "eda --data x.csv").code, 2);  // --out missing
  EXPECT_EQ(run_cli(dir, "eda --data x.csv --out o --frobnicate").code, 2);
  const RunResult r = run_cli(dir, "eda --data missing.csv --out o");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos) << r.err;
  write_text(dir / "bad.toml", "[features]\nnope = 1\n");
  EXPECT_EQ(run_cli(dir, "eda --data missing.csv --out o --config bad.toml").code, 2);
}

}  // namespace
}  // namespace loanrisk::testing
