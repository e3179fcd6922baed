// Each bad input and the message it is refused with: the full message with its line, column and
// fix, or the part that names the place and the problem.
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

// The whole file a user gave and the whole message it is refused with: place, problem and fix.
struct FullMessage {
  std::string text;
  std::string message;
};

TEST(CsvErrors, EachProblemGetsItsFullMessage) {
  const std::string row3 = kHeader + kGood;  // a bad row after these is line 3
  const std::string empty =
      "loans.csv: the file is empty. Fix: give a CSV with a header line and at least one data row";
  const std::string no_rows =
      "loans.csv: the file has a header but no data rows. Fix: add at least one data row below "
      "the header line";
  const std::vector<FullMessage> cases = {
      {row3 + "1,0,abc,3915.47,78039.39,5,605,0\n",
       "loans.csv line 3, column 3 (loan_amt_outstanding): value \"abc\" is not a number. Fix: "
       "write a plain number such as 1234.56, without currency signs or thousands separators"},
      {row3 + "1,0,10,10,-10,5,605,0\n",
       "loans.csv line 3, column 5 (income): value \"-10\" is out of range: must be >= 0 (USD per "
       "year). Fix: correct the value or remove the row"},
      {row3 + "1,0,10,10,10,5,900,0\n",
       "loans.csv line 3, column 7 (fico_score): value \"900\" is out of range: must be between "
       "300 and 850 (points). Fix: correct the value or remove the row"},
      {row3 + "1,0,10,10,10,5,600,2\n",
       "loans.csv line 3, column 8 (default): value \"2\" is not a valid target: must be 0 or 1. "
       "Fix: write 1 for a loan that defaulted and 0 for one that did not"},
      {row3 + "1,0,10,10,10,nan,600,0\n",
       "loans.csv line 3, column 6 (years_employed): value \"nan\" is not a finite number. Fix: "
       "write the actual value, or remove the row if it is unknown"},
      {row3 + "1,0,10,10,10,2.5,600,0\n",
       "loans.csv line 3, column 6 (years_employed): value \"2.5\" is not a whole number. Fix: "
       "write a whole number such as 3"},
      {row3 + "1,0,10,10,10,5,,0\n",
       "loans.csv line 3, column 7 (fico_score): value is empty. Fix: fill in the value or remove "
       "the row"},
      {row3 + "1,0,10,10,10,5\n",
       "loans.csv line 3: expected 8 fields as in the header, found 6. Fix: check for a missing or "
       "extra comma, or an unclosed quote"},
      {row3 + "\"1,0,10,10,10,5,600,0\n" + kGood,
       "loans.csv line 3: a quoted field is not closed before the end of the file. Fix: add the "
       "missing closing quote (\") or remove the stray one"},
      {"", empty},
      {"\xEF\xBB\xBF", empty},
      {"\n\r\n  \n", empty},
      {kHeader, no_rows},
      {kHeader + "\n\n", no_rows},
      {"customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,"
       "years_employed,fico_score,default\n1,0,1,1,5,600,0\n",
       "loans.csv line 1: required column 'income' is missing (found: customer_id, "
       "credit_lines_outstanding, loan_amt_outstanding, total_debt_outstanding, years_employed, "
       "fico_score, default). Fix: add the column or rename the matching header"},
      {"customer_id,credit_lines_outstanding,loan_amt_outstanding,income,total_debt_outstanding,"
       "income,years_employed,fico_score,default\n1,0,1,1,1,1,5,600,0\n",
       "loans.csv line 1, column 6: column 'income' appears twice in the header. Fix: rename or "
       "remove one of the two columns"},
  };
  for (const FullMessage& c : cases) {
    SCOPED_TRACE("text: " + c.text);
    EXPECT_EQ(message_of(c.text), c.message);
  }
}

// More bad values as line 3, each checked for the part of the message that names it.
TEST(CsvErrors, EachBadValueIsNamedWithItsPlace) {
  testing::expect_refusals<InputError>(
      parse_with,
      {// currency signs and thousands separators are not numbers
       {"1,0,$100,3915.47,78039.39,5,605,0",
        "line 3, column 3 (loan_amt_outstanding): value \"$100\" is not a number"},
       {"1,0,\"1,000\",3915.47,78039.39,5,605,0",
        "line 3, column 3 (loan_amt_outstanding): value \"1,000\" is not a number"},
       // out of range, below zero, between bounds, or by a huge exponent
       {"1,0,-0.01,10,10,5,605,0",
        "column 3 (loan_amt_outstanding): value \"-0.01\" is out of range: must be >= 0 (USD)"},
       {"1,0,10,10,10,5,299,0",
        "value \"299\" is out of range: must be between 300 and 850 (points)"},
       {"1,0,10,10,200000000,5,600,0",
        "column 5 (income): value \"200000000\" is out of range: must be between 0 and 100000000 "
        "(USD per year)"},
       {"1,0,1e400,10,10,5,600,0",
        "column 3 (loan_amt_outstanding): value \"1e400\" is out of range: must be between 0 and "
        "10000000 (USD)"},
       // targets other than 0 and 1
       {"1,0,10,10,10,5,600,yes",
        "column 8 (default): value \"yes\" is not a valid target: must be 0 or 1"},
       {"1,0,10,10,10,5,600,0.5", "value \"0.5\" is not a valid target"},
       // every spelling of a non-finite number
       {"1,0,NaN,10,10,5,600,0",
        "column 3 (loan_amt_outstanding): value \"NaN\" is not a finite number"},
       {"1,0,inf,10,10,5,600,0",
        "column 3 (loan_amt_outstanding): value \"inf\" is not a finite number"},
       {"1,0,-inf,10,10,5,600,0",
        "column 3 (loan_amt_outstanding): value \"-inf\" is not a finite number"},
       {"1,0,Infinity,10,10,5,600,0",
        "column 3 (loan_amt_outstanding): value \"Infinity\" is not a finite number"},
       // blanks, in the middle and in the first column
       {"1,0,10,10,10,5,   ,0", "line 3, column 7 (fico_score): value is empty"},
       {",0,10,10,10,5,600,0", "line 3, column 1 (customer_id): value is empty"},
       // several bad columns: the first is reported
       {"1,x,10,10,-1,5,600,7",
        "line 3, column 2 (credit_lines_outstanding): value \"x\" is not a number"},
       {"1,0,10,10,10,5,600,0,9", "loans.csv line 3: expected 8 fields as in the header, found 9"},
       {"1,0,\"10\"x,10,10,5,600,0",
        "loans.csv line 3, column 3 (loan_amt_outstanding): value has text after its closing "
        "quote"}});
}

TEST(CsvErrors, BlankLineInTheMiddleIsRagged) {
  EXPECT_THROW_MSG(parse_csv(kHeader + "\n" + kGood, "loans.csv", Schema::loan_default()),
                   InputError, "loans.csv line 2: expected 8 fields as in the header, found 0");
}

TEST(CsvErrors, MissingTargetOnlyWhenRequired) {
  const std::string text =
      "customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,"
      "years_employed,fico_score\n1,0,1,1,1,5,600\n";
  EXPECT_THROW_MSG(parse_csv(text, "loans.csv", Schema::loan_default()), InputError,
                   "loans.csv line 1: required column 'default' is missing");
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
