// One test per bad input: each pins the full message with its line, column and fix.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

const std::string kHeader =
    "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
    "years_employed,fico_score,default\n";
const std::string kGood = "8153374,0,5221.55,3915.47,78039.39,5,605,0\n";

// Parses header + a good row (line 2) + the given row (line 3) strictly.
ReadResult parse_with(const std::string& bad_row) {
  return parse_csv(kHeader + kGood + bad_row + "\n", "loans.csv", Schema::loan_default());
}

std::string message_of(const std::string& text, const ReadOptions& options = {}) {
  try {
    parse_csv(text, "loans.csv", Schema::loan_default(), options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CsvErrors, NotANumber) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,abc,3915.47,78039.39,5,605,0\n"),
            "loans.csv line 3, column 3 (loan_amt_outstanding): value \"abc\" is not a number. "
            "Fix: write a plain number such as 1234.56, without currency signs or thousands "
            "separators");
}

TEST(CsvErrors, CurrencySignAndThousandsSeparatorAreNotNumbers) {
  EXPECT_THROW_MSG(parse_with("1,0,$100,3915.47,78039.39,5,605,0"), InputError,
                   "line 3, column 3 (loan_amt_outstanding): value \"$100\" is not a number");
  EXPECT_THROW_MSG(parse_with("1,0,\"1,000\",3915.47,78039.39,5,605,0"), InputError,
                   "line 3, column 3 (loan_amt_outstanding): value \"1,000\" is not a number");
}

TEST(CsvErrors, NegativeIncomeSaysMustBeAtLeastZero) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,-10,5,605,0\n"),
            "loans.csv line 3, column 5 (income): value \"-10\" is out of range: must be >= 0 "
            "(USD per year). Fix: correct the value or remove the row");
  EXPECT_THROW_MSG(parse_with("1,0,-0.01,10,10,5,605,0"), InputError,
                   "column 3 (loan_amt_outstanding): value \"-0.01\" is out of range: must be >= "
                   "0 (USD)");
}

TEST(CsvErrors, OutOfRangeWithBothBoundsNamesTheRange) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,10,5,900,0\n"),
            "loans.csv line 3, column 7 (fico_score): value \"900\" is out of range: must be "
            "between 300 and 850 (points). Fix: correct the value or remove the row");
  EXPECT_THROW_MSG(parse_with("1,0,10,10,10,5,299,0"), InputError,
                   "value \"299\" is out of range: must be between 300 and 850 (points)");
  EXPECT_THROW_MSG(parse_with("1,0,10,10,200000000,5,600,0"), InputError,
                   "column 5 (income): value \"200000000\" is out of range: must be between 0 and "
                   "100000000 (USD per year)");
}

TEST(CsvErrors, HugeExponentIsOutOfRange) {
  EXPECT_THROW_MSG(parse_with("1,0,1e400,10,10,5,600,0"), InputError,
                   "column 3 (loan_amt_outstanding): value \"1e400\" is out of range: must be "
                   "between 0 and 10000000 (USD)");
}

TEST(CsvErrors, InvalidTarget) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,10,5,600,2\n"),
            "loans.csv line 3, column 8 (default): value \"2\" is not a valid target: must be 0 "
            "or 1. Fix: write 1 for a loan that defaulted and 0 for one that did not");
  EXPECT_THROW_MSG(parse_with("1,0,10,10,10,5,600,yes"), InputError,
                   "column 8 (default): value \"yes\" is not a valid target: must be 0 or 1");
  EXPECT_THROW_MSG(parse_with("1,0,10,10,10,5,600,0.5"), InputError,
                   "value \"0.5\" is not a valid target");
}

TEST(CsvErrors, NotFinite) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,10,nan,600,0\n"),
            "loans.csv line 3, column 6 (years_employed): value \"nan\" is not a finite number. "
            "Fix: write the actual value, or remove the row if it is unknown");
  for (const std::string v : {"NaN", "inf", "-inf", "Infinity"}) {
    EXPECT_THROW_MSG(parse_with("1,0," + v + ",10,10,5,600,0"), InputError,
                     "column 3 (loan_amt_outstanding): value \"" + v + "\" is not a finite number");
  }
}

TEST(CsvErrors, NotAWholeNumber) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,10,2.5,600,0\n"),
            "loans.csv line 3, column 6 (years_employed): value \"2.5\" is not a whole number. "
            "Fix: write a whole number such as 3");
}

TEST(CsvErrors, EmptyValue) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,10,5,,0\n"),
            "loans.csv line 3, column 7 (fico_score): value is empty. Fix: fill in the value or "
            "remove the row");
  EXPECT_THROW_MSG(parse_with("1,0,10,10,10,5,   ,0"), InputError,
                   "line 3, column 7 (fico_score): value is empty");
  EXPECT_THROW_MSG(parse_with(",0,10,10,10,5,600,0"), InputError,
                   "line 3, column 1 (customer_id): value is empty");
}

TEST(CsvErrors, FirstBadColumnOfTheRowIsReported) {
  EXPECT_THROW_MSG(parse_with("1,x,10,10,-1,5,600,7"), InputError,
                   "line 3, column 2 (credit_lines_outstanding): value \"x\" is not a number");
}

TEST(CsvErrors, RaggedRow) {
  EXPECT_EQ(message_of(kHeader + kGood + "1,0,10,10,10,5\n"),
            "loans.csv line 3: expected 8 fields as in the header, found 6. Fix: check for a "
            "missing or extra comma, or an unclosed quote");
  EXPECT_THROW_MSG(parse_with("1,0,10,10,10,5,600,0,9"), InputError,
                   "loans.csv line 3: expected 8 fields as in the header, found 9");
}

TEST(CsvErrors, BlankLineInTheMiddleIsRagged) {
  EXPECT_THROW_MSG(parse_csv(kHeader + "\n" + kGood, "loans.csv", Schema::loan_default()),
                   InputError, "loans.csv line 2: expected 8 fields as in the header, found 0");
}

TEST(CsvErrors, UnclosedQuoteAtEndOfFile) {
  EXPECT_EQ(message_of(kHeader + kGood + "\"1,0,10,10,10,5,600,0\n" + kGood),
            "loans.csv line 3: a quoted field is not closed before the end of the file. Fix: add "
            "the missing closing quote (\") or remove the stray one");
}

TEST(CsvErrors, TextAfterClosingQuote) {
  EXPECT_THROW_MSG(parse_with("1,0,\"10\"x,10,10,5,600,0"), InputError,
                   "loans.csv line 3, column 3 (loan_amt_outstanding): value has text after its "
                   "closing quote");
}

TEST(CsvErrors, EmptyFile) {
  const std::string expected =
      "loans.csv: the file is empty. Fix: give a CSV with a header line and at least one data "
      "row";
  EXPECT_EQ(message_of(""), expected);
  EXPECT_EQ(message_of("\xEF\xBB\xBF"), expected);
  EXPECT_EQ(message_of("\n\r\n  \n"), expected);
}

TEST(CsvErrors, HeaderWithoutRows) {
  const std::string expected =
      "loans.csv: the file has a header but no data rows. Fix: add at least one data row below "
      "the header line";
  EXPECT_EQ(message_of(kHeader), expected);
  EXPECT_EQ(message_of(kHeader + "\n\n"), expected);
}

TEST(CsvErrors, MissingRequiredColumn) {
  EXPECT_EQ(
      message_of("customer_id,credit_lines_outstanding,loan_amt_outstanding,"
                 "total_debt_outstanding,years_employed,fico_score,default\n1,0,1,1,5,600,0\n"),
      "loans.csv line 1: required column 'income' is missing (found: customer_id, "
      "credit_lines_outstanding, loan_amt_outstanding, total_debt_outstanding, "
      "years_employed, fico_score, default). Fix: add the column or rename the matching "
      "header");
}

TEST(CsvErrors, MissingTargetOnlyWhenRequired) {
  const std::string text =
      "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
      "years_employed,fico_score\n1,0,1,1,1,5,600\n";
  EXPECT_THROW_MSG(parse_csv(text, "loans.csv", Schema::loan_default()), InputError,
                   "loans.csv line 1: required column 'default' is missing");
}

TEST(CsvErrors, DuplicateHeader) {
  EXPECT_EQ(message_of("customer_id,credit_lines_outstanding,loan_amt_outstanding,income,"
                       "total_debt_outstanding,income,years_employed,fico_score,default\n"
                       "1,0,1,1,1,1,5,600,0\n"),
            "loans.csv line 1, column 6: column 'income' appears twice in the header. Fix: rename "
            "or remove one of the two columns");
}

TEST(CsvErrors, MissingFileIsInputError) {
  testing::TempDir dir;
  EXPECT_THROW_MSG(read_csv(dir / "nope.csv", Schema::loan_default()), InputError,
                   "cannot open '" + (dir / "nope.csv").string() + "'");
}

TEST(CsvErrors, ReadCsvUsesThePathAsSource) {
  testing::TempDir dir;
  const auto path = dir / "loans.csv";
  testing::write_text(path, kHeader + "1,0,10,10,10,5,600,3\n");
  EXPECT_THROW_MSG(read_csv(path, Schema::loan_default()), InputError,
                   path.string() + " line 2, column 8 (default): value \"3\"");
}

}  // namespace
}  // namespace loanrisk
