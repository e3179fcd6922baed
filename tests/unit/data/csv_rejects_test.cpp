// Rejects mode, the rejects file, write_frame_csv round-trips, and the real 10,000-row file.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <numeric>
#include <optional>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

const std::string kHeader =
    "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
    "years_employed,fico_score,default\n";

ReadOptions rejects_mode() {
  ReadOptions o;
  o.collect_rejects = true;
  return o;
}

// Checks where a reject was found and the row it keeps; the value too when one is given.
void expect_reject(const Reject& reject, std::int64_t line, const std::string& column,
                   const std::optional<std::string>& value, const std::string& raw) {
  SCOPED_TRACE("the reject expected at line " + std::to_string(line));
  EXPECT_EQ(reject.line, line);
  EXPECT_EQ(reject.column, column);
  if (value) {
    EXPECT_EQ(reject.value, *value);
  }
  EXPECT_EQ(reject.raw, raw);
}

TEST(CsvRejects, BadRowsAreSetAsideAndGoodOnesKept) {
  const std::string text = kHeader +                       // line 1
                           "1,0,10,20,30,4,600,0\n" +      // 2 good
                           "2,0,10,20,-5,4,600,0\n" +      // 3 bad income
                           "3,1,11,21,31,5,610,1\r\n" +    // 4 good
                           "4,0,10,20\n" +                 // 5 ragged
                           "\"5\n\",x,10,20,30,4,600,0\n"  // 6-7 bad lines
                           "6,2,12,22,32,6,620,0\n" +      // 8 good
                           "7,0,10,20,30,4,600,3";         // 9 bad target
  const auto r = parse_csv(text, "loans.csv", Schema::loan_default(), rejects_mode());
  EXPECT_EQ(r.rows_read, 7u);
  EXPECT_EQ(r.frame.ids, (std::vector<std::string>{"1", "3", "6"}));
  EXPECT_EQ(r.frame.lines, (std::vector<std::int64_t>{2, 4, 8}));
  EXPECT_EQ(r.frame.column("income"), (std::vector<double>{30, 31, 32}));
  ASSERT_EQ(r.rejects.size(), 4u);

  expect_reject(r.rejects[0], 3, "income", "-5", "2,0,10,20,-5,4,600,0");
  EXPECT_EQ(r.rejects[0].reason,
            "loans.csv line 3, column 5 (income): value \"-5\" is out of range: must be >= 0 (USD "
            "per year). Fix: correct the value or remove the row");
  expect_reject(r.rejects[1], 5, "", std::nullopt, "4,0,10,20");
  EXPECT_EQ(r.rejects[1].reason,
            "loans.csv line 5: expected 8 fields as in the header, found 4. Fix: check for a "
            "missing or extra comma, or an unclosed quote");
  expect_reject(r.rejects[2], 6, "credit_lines_outstanding", "x", "\"5\n\",x,10,20,30,4,600,0");
  expect_reject(r.rejects[3], 9, "default", std::nullopt, "7,0,10,20,30,4,600,3");
  EXPECT_EQ(r.rejects[3].reason.rfind("loans.csv line 9, column 8 (default): value \"3\"", 0), 0u);
}

TEST(CsvRejects, UnclosedQuoteBecomesTheLastReject) {
  const std::string text = kHeader + "1,0,10,20,30,4,600,0\n\"2,0,10\n3,0,10,20,30,4,600,0\n";
  const auto r = parse_csv(text, "loans.csv", Schema::loan_default(), rejects_mode());
  EXPECT_EQ(r.frame.rows(), 1u);
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 3);
  EXPECT_EQ(r.rejects[0].raw, "\"2,0,10\n3,0,10,20,30,4,600,0");
  EXPECT_EQ(r.rejects[0].reason.rfind("loans.csv line 3: a quoted field is not closed", 0), 0u);
}

TEST(CsvRejects, FileLevelProblemsStillThrow) {
  EXPECT_THROW_MSG(parse_csv("", "loans.csv", Schema::loan_default(), rejects_mode()), InputError,
                   "loans.csv: the file is empty");
  EXPECT_THROW_MSG(
      parse_csv("customer_id\n1\n", "loans.csv", Schema::loan_default(), rejects_mode()),
      InputError, "required column 'credit_lines_outstanding' is missing");
}

TEST(CsvRejects, RejectsFileIsQuotedCsv) {
  testing::TempDir dir;
  std::vector<Reject> rejects = {
      {3, "income", "-5", "bad, \"really\"", "2,0,10,20,-5,4,600,0"},
      {5, "", "", "ragged", "a\nb"},
  };
  write_rejects_csv(dir / "rejects.csv", rejects);
  EXPECT_EQ(read_file(dir / "rejects.csv"),
            "line,column,value,reason,raw_row\n"
            "3,income,-5,\"bad, \"\"really\"\"\",\"2,0,10,20,-5,4,600,0\"\n"
            "5,,,ragged,\"a\nb\"\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "rejects.csv.tmp"));
}

TEST(CsvWriter, FrameRoundTripsBitExact) {
  Frame f;
  f.ids = {"8153374", "a,b", " padded "};
  f.set_column("credit_lines_outstanding", {0, 5, 100});
  f.set_column("default", {0, 1, 1});  // out of schema order on purpose
  f.set_column("loan_amt_outstanding", {5221.545193, 0.1 + 0.2, 1e-7});
  f.set_column("total_debt_outstanding", {3915.471226, 1.0 / 3.0, 99999999.99});
  f.set_column("income", {78039.38546, 0.0, 123456789e-2});
  f.set_column("years_employed", {5, 0, 80});
  f.set_column("fico_score", {605, 300, 850});
  testing::TempDir dir;
  const Schema schema = Schema::loan_default();
  write_frame_csv(dir / "out.csv", f, schema);
  const std::string text = read_file(dir / "out.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,"
            "income,years_employed,fico_score,default");
  EXPECT_NE(text.find("\n8153374,0,5221.545193,3915.471226,78039.38546,5,605,0\n"),
            std::string::npos);
  const auto back = read_csv(dir / "out.csv", schema);
  // Values are trimmed on reading, quoted or not.
  EXPECT_EQ(back.frame.ids, (std::vector<std::string>{"8153374", "a,b", "padded"}));
  for (const auto& name : f.names) {
    const auto& a = f.column(name);
    const auto& b = back.frame.column(name);
    ASSERT_EQ(a.size(), b.size()) << name;
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0) << name;
  }
}

TEST(CsvRejects, RandomInputOnlyEverGivesInputErrorsAndAccountsForEveryRow) {
  const std::string alphabet = ",,\"\"\n\r 0123456789.-eanx";
  Rng rng(11);
  int parsed = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string text = kHeader;
    const auto len = rng.below(120);
    for (std::uint64_t i = 0; i < len; ++i) text.push_back(alphabet[rng.below(alphabet.size())]);
    try {
      const auto r = parse_csv(text, "fuzz", Schema::loan_default(), rejects_mode());
      ASSERT_EQ(r.rows_read, r.frame.rows() + r.rejects.size()) << text;
      ASSERT_EQ(r.frame.lines.size(), r.frame.rows());
      ++parsed;
    } catch (const InputError& e) {
      ASSERT_EQ(std::string(e.what()).rfind("fuzz: the file has a header but no data rows", 0), 0u)
          << e.what();
    }
  }
  EXPECT_GT(parsed, 1500);
}

TEST(CsvRealData, ReadsAllRowsWithoutRejects) {
  const auto path = testing::real_data();
  if (!path) GTEST_SKIP() << "real data not present";
  const Schema schema = Schema::loan_default();
  const auto r = read_csv(*path, schema, rejects_mode());
  EXPECT_EQ(r.frame.rows(), 10000u);
  EXPECT_EQ(r.rows_read, 10000u);
  EXPECT_TRUE(r.rejects.empty());
  EXPECT_TRUE(r.warnings.empty());
  const auto& y = r.frame.column("default");
  EXPECT_EQ(std::accumulate(y.begin(), y.end(), 0.0), 1851.0);
  EXPECT_EQ(r.frame.ids.front(), "8153374");
  EXPECT_EQ(r.frame.lines.back(), 10001);

  // Throughput, reported only (Debug builds are much slower than Release).
  const std::string text = read_file(*path);
  const int reps = 20;
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t rows = 0;
  for (int i = 0; i < reps; ++i) rows += parse_csv(text, "real", schema).frame.rows();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ info ] parse_csv on the real file: %.0f rows/s\n", rows / s);
}

}  // namespace
}  // namespace loanrisk
