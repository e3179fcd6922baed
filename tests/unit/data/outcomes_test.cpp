// The outcome file (customer_id, observation_date, default): columns in any order, a date alone
// meaning its whole day, and every bad row refused with its line, column and fix.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/data/outcomes.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

std::int64_t at(const std::string& text) {
  return *parse_utc_time(text);
}

TEST(Outcomes, ReadsColumnsInAnyOrderWithDatesAsTheirWholeDay) {
  const auto o = parse_outcomes(
      "\xEF\xBB\xBF"
      "default,branch,customer_id,observation_date\r\n"
      "1,north,8153374,2027-01-31\r\n"
      "0,south,\"id, with comma\",2027-02-01T08:30:00Z\r\n"
      "\r\n"
      "0,east,Zo\xC3\xAB,2027-03-01Z\r\n",
      "outcomes.csv");
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].line, 2);
  EXPECT_EQ(o[0].customer_id, "8153374");
  EXPECT_EQ(o[0].value, 1.0);
  // A date alone is the end of that day (UTC): a customer scored at noon that day is joined.
  EXPECT_EQ(o[0].observed_ms, at("2027-02-01") - 1);
  EXPECT_EQ(o[1].customer_id, "id, with comma");
  EXPECT_EQ(o[1].observed_ms, at("2027-02-01T08:30:00Z"));
  EXPECT_EQ(o[1].value, 0.0);
  EXPECT_EQ(o[2].line, 5);
  EXPECT_EQ(o[2].customer_id, "Zo\xC3\xAB");
  EXPECT_EQ(o[2].observed_ms, at("2027-03-02") - 1);
}

TEST(Outcomes, BadFilesAndRowsSayWhereAndHowToFix) {
  const std::string header = "customer_id,observation_date,default\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "o.csv: the outcome file is empty"},
      {"customer_id,default\n1,0\n",
       "o.csv line 1: column 'observation_date' is missing (found: 'customer_id', 'default')"},
      {"customer_id,observation_date,default,default\n1,2027-01-01,0,0\n",
       "column 'default' appears twice"},
      {header, "the outcome file has a header but no rows"},
      {header + "1,2027-01-01,0\n,2027-01-01,1\n",
       "o.csv line 3, column 1 (customer_id): the customer id is empty"},
      {header + "1,31/01/2027,0\n",
       "o.csv line 2, column 2 (observation_date): '31/01/2027' is not a date. Fix: write it as "
       "YYYY-MM-DD"},
      {header + "1,2027-02-30x,0\n", "'2027-02-30x' is not a date"},
      {header + "1,2027-01-01,yes\n",
       "o.csv line 2, column 3 (default): 'yes' is not an outcome. Fix: write 1 when the "
       "customer defaulted"},
      {header + "1,2027-01-01,0.5\n", "'0.5' is not an outcome"},
      {header + "1,2027-01-01,1\n1,2027-01-01,0\n",
       "o.csv line 3: customer '1' is observed on 2027-01-01 already on line 2. Fix: keep one "
       "outcome per customer and date"},
      {header + "1,2027-01-01\n", "o.csv line 2: expected 3 fields as in the header, found 2"},
      {header + "\"1,2027-01-01,0\n", "a quoted field is not closed"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    EXPECT_THROW_MSG(parse_outcomes(text, "o.csv"), InputError, message);
  }
  // Hostile bytes in a value are echoed as valid, printable text, never raw.
  try {
    parse_outcomes(header + "1,\xFF\x01,0\n", "o.csv");
    ADD_FAILURE() << "a date of hostile bytes was accepted";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is not a date"), std::string::npos) << what;
    EXPECT_TRUE(is_valid_utf8(what)) << what;
    EXPECT_EQ(what.find('\x01'), std::string::npos) << what;
  }
  EXPECT_THROW_MSG(read_outcomes("/nonexistent/outcomes.csv"), InputError,
                   "/nonexistent/outcomes.csv");
}

TEST(Outcomes, TheSameCustomerOnTwoDatesIsTwoObservations) {
  const auto o = parse_outcomes(
      "customer_id,observation_date,default\n7,2027-01-01,0\n7,2027-06-30,1\n", "o.csv");
  ASSERT_EQ(o.size(), 2u);
  EXPECT_LT(o[0].observed_ms, o[1].observed_ms);
}

}  // namespace
}  // namespace loanrisk
