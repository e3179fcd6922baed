// Reading good input: RFC 4180 details, header matching, optional target and the frame it builds.
#include <gtest/gtest.h>

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

const std::string kHeader =
    "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
    "years_employed,fico_score,default";

ReadResult parse(const std::string& text, const ReadOptions& options = {}) {
  return parse_csv(text, "loans.csv", Schema::loan_default(), options);
}

TEST(CsvReader, ReadsValuesIdsLinesInSchemaOrder) {
  const auto r = parse(kHeader + "\n8153374,0,5221.545193,3915.471226,78039.38546,5,605,0\n" +
                       "7442532,5,1958.928726,8228.75252,26648.43525,2,572,1\n");
  const Frame& f = r.frame;
  ASSERT_EQ(f.rows(), 2u);
  EXPECT_EQ(r.rows_read, 2u);
  EXPECT_EQ(f.ids, (std::vector<std::string>{"8153374", "7442532"}));
  EXPECT_EQ(f.lines, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(f.names, (std::vector<std::string>{"credit_lines_outstanding", "loan_amt_outstanding",
                                               "total_debt_outstanding", "income", "years_employed",
                                               "fico_score", "default"}));
  EXPECT_EQ(f.column("loan_amt_outstanding")[0], 5221.545193);
  EXPECT_EQ(f.column("income")[1], 26648.43525);
  EXPECT_EQ(f.column("fico_score")[1], 572.0);
  EXPECT_EQ(f.column("default"), (std::vector<double>{0.0, 1.0}));
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_TRUE(r.rejects.empty());
}

TEST(CsvReader, BomCrlfAndNoTrailingNewline) {
  const auto r = parse("\xEF\xBB\xBF" + kHeader + "\r\n1,0,1.5,2,3,4,600,0\r\n2,1,1,2,3,4,700,1");
  ASSERT_EQ(r.frame.rows(), 2u);
  EXPECT_EQ(r.frame.ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r.frame.column("default"), (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(r.frame.column("loan_amt_outstanding")[0], 1.5);
  EXPECT_EQ(r.frame.lines, (std::vector<std::int64_t>{2, 3}));
}

TEST(CsvReader, TrailingBlankLinesAreIgnored) {
  const auto r = parse(kHeader + "\n1,0,1,2,3,4,600,0\n\n\r\n   \n");
  EXPECT_EQ(r.frame.rows(), 1u);
  EXPECT_EQ(r.rows_read, 1u);
}

TEST(CsvReader, QuotedFieldsWithCommaQuoteAndNewline) {
  const std::string text = kHeader + "\n\"A,1\",0,\"1.5\",2,3,4,600,0\n" +
                           "\"B \"\"x\"\"\",0,1,2,3,4,600,0\n" + "\"C\r\nD\",0,1,2,3,4,600,1\r\n" +
                           "E,0,1,2,3,4,700,0\n" + "F,0,1,2,3,4,abc,0\n";
  EXPECT_THROW_MSG(parse(text), InputError,
                   "loans.csv line 7, column 7 (fico_score): value \"abc\" is not a number");
  ReadOptions keep;
  keep.collect_rejects = true;
  const auto r = parse(text, keep);
  EXPECT_EQ(r.frame.ids, (std::vector<std::string>{"A,1", "B \"x\"", "C\r\nD", "E"}));
  EXPECT_EQ(r.frame.lines, (std::vector<std::int64_t>{2, 3, 4, 6}));
  EXPECT_EQ(r.frame.column("loan_amt_outstanding")[0], 1.5);
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 7);
}

// Two quoted fields with doubled quotes in one row: the second's unescaped copy used to move the
// first's storage (a view into freed memory under ASan).
TEST(CsvReader, SeveralFieldsWithDoubledQuotesInOneRow) {
  ASSERT_THROW(parse(kHeader + "\n\"A\"\"1\",\"1\"\"\",1000,2000,50000,3,650,0\n"), InputError);
  ReadOptions keep;
  keep.collect_rejects = true;
  const auto k = parse(kHeader + "\n\"A\"\"1\",\"x\"\"y\",\"z\"\"w\",2000,50000,3,650,0\n" +
                           "\"B\"\"2\",1,1000,2000,50000,3,650,0\n",
                       keep);
  EXPECT_EQ(k.frame.ids, (std::vector<std::string>{"B\"2"}));
  ASSERT_EQ(k.rejects.size(), 1u);
  EXPECT_EQ(k.rejects[0].value, "x\"y");
}

TEST(CsvReader, CrOnlyLineEndingsAreLines) {
  const auto r = parse(kHeader + "\r1,0,1,2,3,4,600,0\r2,0,1,2,3,4,700,1\r");
  EXPECT_EQ(r.frame.ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r.frame.lines, (std::vector<std::int64_t>{2, 3}));
}

TEST(CsvReader, MessagesShowControlBytesAndListFewHeaderNames) {
  EXPECT_THROW_MSG(parse(kHeader + "\n1,0,1,2," + std::string("3\0x", 3) + ",4,600,0\n"),
                   InputError, "value \"3\\x00x\" is not a number. Fix:");
  std::string wide = "c0";
  for (int i = 1; i < 10000; ++i) wide += ",c" + std::to_string(i);
  try {
    parse(wide + "\n" + std::string(9999, ',') + "\n");
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("(found: c0, c1, c2, "), std::string::npos) << m;
    EXPECT_NE(m.find("c19 and 9980 more)"), std::string::npos) << m;
    EXPECT_LT(m.size(), 800u);
  }
}

TEST(CsvReader, MultiLineRowReportsItsFirstLine) {
  const std::string text = kHeader + "\n\"A\nB\nC\",0,1,2,3,4,600,9\n";
  EXPECT_THROW_MSG(parse(text), InputError, "loans.csv line 2, column 8 (default)");
  const std::string good = kHeader + "\n\"A\nB\nC\",0,1,2,3,4,600,1\n";
  EXPECT_THROW_MSG(parse(good + "x,0,1,2,3,4,600,9\n"), InputError,
                   "loans.csv line 5, column 8 (default)");
}

TEST(CsvReader, ColumnOrderMayDifferAndSpacesAreTrimmed) {
  const auto r = parse(
      " default , fico_score,years_employed,income,total_debt_outstanding,loan_amt_outstanding,"
      "credit_lines_outstanding,customer_id\n1 , 700 ,3,50000,20,10, 2 ,  X9  \n");
  ASSERT_EQ(r.frame.rows(), 1u);
  EXPECT_EQ(r.frame.ids[0], "X9");
  EXPECT_EQ(r.frame.names.front(), "credit_lines_outstanding");
  EXPECT_EQ(r.frame.names.back(), "default");
  EXPECT_EQ(r.frame.column("credit_lines_outstanding")[0], 2.0);
  EXPECT_EQ(r.frame.column("fico_score")[0], 700.0);
  EXPECT_EQ(r.frame.column("loan_amt_outstanding")[0], 10.0);
  EXPECT_EQ(r.frame.column("default")[0], 1.0);
}

TEST(CsvReader, ExtraColumnIsIgnoredWithAWarning) {
  const auto r = parse(kHeader + ",branch,\n1,0,1,2,3,4,600,0,\"north, east\",\n");
  ASSERT_EQ(r.frame.rows(), 1u);
  EXPECT_EQ(r.frame.names.size(), 7u);
  EXPECT_EQ(r.warnings, (std::vector<std::string>{"column 'branch' is not in the schema and is "
                                                  "ignored",
                                                  "column 10 has no name and is ignored"}));
}

TEST(CsvReader, NumberForms) {
  const auto r = parse(kHeader + "\n1,5.0,1e3,+2.5E-1,.5,0,300,1.0\n");
  EXPECT_EQ(r.frame.column("credit_lines_outstanding")[0], 5.0);
  EXPECT_EQ(r.frame.column("loan_amt_outstanding")[0], 1000.0);
  EXPECT_EQ(r.frame.column("total_debt_outstanding")[0], 0.25);
  EXPECT_EQ(r.frame.column("income")[0], 0.5);
  EXPECT_EQ(r.frame.column("default")[0], 1.0);
}

TEST(CsvReader, TargetOptionalWhenNotRequired) {
  ReadOptions predict;
  predict.require_target = false;
  const auto r = parse(
      "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
      "years_employed,fico_score\n1,0,1,2,3,4,600\n",
      predict);
  ASSERT_EQ(r.frame.rows(), 1u);
  EXPECT_FALSE(r.frame.has("default"));
  EXPECT_EQ(r.frame.names.size(), 6u);
  // Present anyway: it is read and validated.
  const auto with = parse(kHeader + "\n1,0,1,2,3,4,600,1\n", predict);
  EXPECT_EQ(with.frame.column("default")[0], 1.0);
  EXPECT_THROW_MSG(parse(kHeader + "\n1,0,1,2,3,4,600,5\n", predict), InputError,
                   "column 8 (default): value \"5\" is not a valid target");
}

TEST(CsvReader, OptionalColumnsMayBeAbsentOrEmpty) {
  Schema s = Schema::loan_default();
  for (auto& c : s.columns) c.required = c.name != "fico_score" && c.name != "customer_id";
  const auto r = parse_csv(
      "credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
      "years_employed,default,fico_score\n0,1,2,3,4,0,\n",
      "mem", s);
  EXPECT_TRUE(r.frame.ids.empty());
  EXPECT_TRUE(std::isnan(r.frame.column("fico_score")[0]));
}

TEST(CsvReader, ParseCsvUsesSourceName) {
  EXPECT_THROW_MSG(
      parse_csv(kHeader + "\n1,0,1,2,3,4,600,7\n", "request body", Schema::loan_default()),
      InputError, "request body line 2, column 8 (default)");
}

}  // namespace
}  // namespace loanrisk
