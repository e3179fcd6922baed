// report.json keys and the HTML page: escaped text, inline SVG charts, nothing fetched from a
// network.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/eda/report.hpp"
#include "support/test_support.hpp"

namespace loanrisk::eda {
namespace {

EdaReport synthetic_report(const std::string& source) {
  ReadResult read;
  read.frame = synth_loan_book({2000, 5});
  read.rows_read = 2000;
  read.rejects.push_back({3, "income", "", "line 3, column 5 (income): value is empty <b>", "x"});
  return analyze(read, Schema::loan_default(), source, "00ff", EdaOptions::defaults());
}

TEST(Report, JsonHasEverySection) {
  const nlohmann::json j = report_json(synthetic_report("book.csv"));
  for (const char* k : {"format", "overview", "class_balance", "features", "correlations",
                        "reference", "settings"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["overview"]["missing"]["income"], 1);
  EXPECT_EQ(j["overview"]["rejects"], 1);
  EXPECT_EQ(j["features"].size(), 10u);
  const auto& f = j["features"][0];
  for (const char* k :
       {"summary", "histogram", "normality", "outliers", "target_relationship", "woe"}) {
    EXPECT_TRUE(f.contains(k)) << k;
  }
  const auto& ref = j["reference"]["features"]["income"];
  EXPECT_EQ(ref["edges"].size(), 11u);
  EXPECT_EQ(ref["shares"].size(), 10u);
  EXPECT_EQ(ref["count"], 2000);
  EXPECT_TRUE(j["reference"]["features"].contains("debt_to_income_ratio"));
}

TEST(Report, HtmlIsSelfContainedAndEscaped) {
  const std::string html = report_html(synthetic_report("<book>&\".csv"));
  EXPECT_NE(html.find("&lt;book&gt;&amp;&quot;.csv"), std::string::npos);
  EXPECT_EQ(html.find("<book>"), std::string::npos);
  EXPECT_NE(html.find("value is empty &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  std::size_t svgs = 0;
  for (std::size_t p = 0; (p = html.find("<svg", p)) != std::string::npos; ++p) ++svgs;
  // 10 histograms, 10 Q-Q plots, 6 box plots, class balance, IV bars, 2 heatmaps.
  EXPECT_EQ(svgs, 30u);
  EXPECT_EQ(html_escape("a<b>&'\""), "a&lt;b&gt;&amp;&#39;&quot;");
}

TEST(Report, WritesBothFilesAndRefusesAFileAsFolder) {
  testing::TempDir dir;
  const EdaReport r = synthetic_report("book.csv");
  write_report(dir / "out", r);
  EXPECT_TRUE(std::filesystem::exists(dir / "out/report.html"));
  EXPECT_TRUE(std::filesystem::exists(dir / "out/report.json"));
  testing::write_text(dir / "file", "x");
  EXPECT_THROW_MSG(write_report(dir / "file", r), UsageError, "exists and is not a folder");
}

}  // namespace
}  // namespace loanrisk::eda
