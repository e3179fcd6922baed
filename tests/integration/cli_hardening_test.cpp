// The CLI under hostile files: bytes that are not UTF-8, NULs, classic Mac line endings, very wide
// headers, ids that need quoting, a store the user cannot write. Each gets a clear message and
// the documented exit code, never "internal error".
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/schema.hpp"
#include "loanrisk/tracking/store.hpp"

namespace loanrisk::testing {
namespace {

const std::string kHeader =
    "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
    "years_employed,fico_score,default\n";

/// An RFC 4180 reader written apart from the project's (a plain state machine over characters),
/// so that a round trip does not only test the project against itself.
std::vector<std::vector<std::string>> independent_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      was_quoted = false;
      rows.emplace_back();
    } else if (c != '\r') {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty()) rows.back().push_back(field);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

class CliHardening : public ::testing::Test {
 protected:
  TempDir dir;
  void train() {
    ASSERT_EQ(run_cli(dir, "synth --rows 1500 --seed 5 --out book.csv").code, 0);
    const auto r = run_cli(dir, "train --no-track --data book.csv --out bundle");
    ASSERT_EQ(r.code, 0) << r.err;
  }
};

// Ids from quoted fields ("A,1", a line break, a doubled quote) are written back quoted, so the
// scored CSV reads back with the same rows and ids in this project's reader and another one.
TEST_F(CliHardening, PredictQuotesIdsThatNeedIt) {
  train();
  const std::vector<std::string> ids = {"A,1", "B\nline", "5323693\"0", "tab\there", "plain"};
  std::string csv = kHeader;
  for (const auto& id : ids) {
    std::string quoted = "\"";
    for (char c : id) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    csv += quoted + "\",3,5000,20000,50000,4,640,0\n";
  }
  write_text(dir / "ids.csv", csv);
  const auto r = run_cli(dir, "predict --model bundle --data ids.csv --out scored.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string out = slurp(dir / "scored.csv");
  const auto rows = independent_csv(out);
  ASSERT_EQ(rows.size(), ids.size() + 1) << out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(rows[i + 1].size(), 5u) << out;
    EXPECT_EQ(rows[i + 1][0], ids[i]);
  }
  // The project's own reader, with a schema of the output's columns.
  Schema schema;
  schema.columns.resize(3);
  schema.columns[0].name = "customer_id";
  schema.columns[0].type = ColumnType::Text;
  schema.columns[0].role = ColumnRole::Id;
  schema.columns[1].name = "pd";
  schema.columns[2].name = "expected_loss";  // grade and decision are text: not in this schema
  const ReadResult back = parse_csv(out, "scored.csv", schema, {});
  EXPECT_EQ(back.frame.ids, ids);
}

// A rejected field with Latin-1 bytes: reported with its line in valid UTF-8, not a crash.
TEST_F(CliHardening, EdaReportsNonUtf8RejectsWithTheirLine) {
  std::string csv = kHeader;
  for (int i = 0; i < 50; ++i) {
    csv += std::to_string(i) + ",3,5000,20000,50000,4," + std::to_string(600 + i) + ",0\n";
  }
  csv += "99,3,5000,20000,r\xe9gion,4,640,0\n";
  write_text(dir / "latin1.csv", csv);
  const auto r = run_cli(dir, "eda --data latin1.csv --out report");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(slurp(dir / "report/report.json"));
  const std::string reason = report["overview"]["reject_reasons"][0];
  EXPECT_NE(reason.find("line 52"), std::string::npos) << reason;
  EXPECT_NE(reason.find("value \"r\xEF\xBF\xBDgion\" is not a number"), std::string::npos)
      << reason;
  // The same file in strict mode (train): exit 3 with the line, the message valid UTF-8.
  const auto strict = run_cli(dir, "train --no-track --data latin1.csv --out b");
  EXPECT_EQ(strict.code, 3) << strict.err;
  EXPECT_NE(strict.err.find("line 52"), std::string::npos) << strict.err;
  EXPECT_TRUE(is_valid_utf8(strict.err)) << strict.err;
}

TEST_F(CliHardening, OddFilesGetClearMessages) {
  // Classic Mac (CR only) line endings are lines.
  std::string mac = kHeader;
  for (int i = 0; i < 40; ++i) {
    mac += std::to_string(i) + ",3,5000,20000,50000,4," + std::to_string(600 + i) + "," +
           std::to_string(i % 2) + "\n";
  }
  for (char& c : mac) c = c == '\n' ? '\r' : c;
  write_text(dir / "mac.csv", mac);
  auto r = run_cli(dir, "eda --data mac.csv --out mac");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(dir / "mac/report.json"))["overview"]["rows_valid"], 40);
  // A header of 10,000 names: the message names a few, not all of them.
  std::string wide;
  for (int i = 0; i < 10000; ++i) wide += (i ? ",c" : "c") + std::to_string(i);
  write_text(dir / "wide.csv", wide + "\n" + std::string(9999, ',') + "\n");
  r = run_cli(dir, "train --no-track --data wide.csv --out b");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("(found: c0, c1, c2"), std::string::npos) << r.err.substr(0, 300);
  EXPECT_NE(r.err.find(" and 9980 more)"), std::string::npos) << r.err.substr(0, 600);
  EXPECT_LT(r.err.size(), 2000u);
  // A NUL in a value is shown, not a place where the message stops.
  write_text(dir / "nul.csv",
             kHeader + "1,3,5000,20000,50" + std::string(1, '\0') + "00,4,640,0\n");
  r = run_cli(dir, "train --no-track --data nul.csv --out b");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("value \"50\\x0000\" is not a number. Fix:"), std::string::npos) << r.err;
}

// Names and reasons that are not UTF-8 are refused on the way in; one already stored (by an older
// build) still lists, as U+FFFD.
TEST_F(CliHardening, NamesAndReasonsAreUtf8) {
  ASSERT_EQ(run_cli(dir, "synth --rows 1500 --seed 5 --out book.csv").code, 0);
  auto r =
      run_cli(dir, std::string("train --data book.csv --out b --run-name 'bad") + "\xff" + "'");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("the run name 'bad\xEF\xBF\xBD' is not valid UTF-8 (byte 4)"),
            std::string::npos)
      << r.err;
  r = run_cli(dir,
              "train --data book.csv --out b --register loan-default --alias challenger "
              "--reason 'first'");
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(dir, std::string("models alias loan-default challenger 1 --reason 'why") + "\xfe'");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("the reason 'why\xEF\xBF\xBD' is not valid UTF-8"), std::string::npos)
      << r.err;
  {
    auto store = open_store("sqlite:///" + (dir / "loanrisk-store/loanrisk.db").string());
    store->database().exec("UPDATE lr_runs SET name = ?", {std::string("old\xff")});
  }
  r = run_cli(dir, "runs list --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto runs = nlohmann::json::parse(r.out);
  EXPECT_NE(runs.dump().find("old\xEF\xBF\xBD"), std::string::npos) << r.out;
}

// A store the user may read but not write (as a colleague's shared store would be): a clear
// message and exit code 2, not "internal error". Needs root to run the command as another user.
TEST_F(CliHardening, ReadOnlyStoreIsAClearError) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a command as nobody";
  ASSERT_EQ(run_cli(dir, "synth --rows 1500 --seed 5 --out book.csv").code, 0);
  auto r = run_cli(dir, "train --data book.csv --out b1 --store sqlite:///store/loanrisk.db");
  ASSERT_EQ(r.code, 0) << r.err;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  ASSERT_EQ(std::system(("chmod -R a+rX,a-w '" + (dir / "store").string() + "'").c_str()), 0);
  const std::string nobody =
      "setpriv --reuid=65534 --regid=65534 --clear-groups '" + std::string(LOANRISK_BINARY) + "' ";
  const std::string cmd = "cd '" + dir.path().string() + "' && " + nobody +
                          "runs list --store sqlite:///store/loanrisk.db >/dev/null 2>&1; " +
                          nobody +
                          "train --data book.csv --out /tmp/ignored-$$ --store "
                          "sqlite:///store/loanrisk.db >'" +
                          (dir / "ro.out").string() + "' 2>'" + (dir / "ro.err").string() + "'";
  const int status = std::system(cmd.c_str());
  const std::string err = slurp(dir / "ro.err");
  EXPECT_EQ(WEXITSTATUS(status), 2) << err;
  EXPECT_EQ(err.find("internal error"), std::string::npos) << err;
  EXPECT_NE(err.find("is read-only for this user"), std::string::npos) << err;
  ASSERT_EQ(std::system(("chmod -R u+w '" + (dir / "store").string() + "'").c_str()), 0);
}

}  // namespace
}  // namespace loanrisk::testing
