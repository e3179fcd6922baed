#include "loanrisk/serve/applicants.hpp"

#include <gtest/gtest.h>

#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

json good() {
  return {{"customer_id", "c1"},
          {"credit_lines_outstanding", 2},
          {"loan_amt_outstanding", 4000},
          {"total_debt_outstanding", 9000.5},
          {"income", 60000},
          {"years_employed", 4},
          {"fico_score", 640}};
}

json problems_of(const json& rows, std::size_t max_rows = 100) {
  try {
    applicants_frame(rows, Schema::loan_default(), max_rows);
  } catch (const HttpError& e) {
    json b = e.body();
    b["status"] = e.status();
    return b;
  }
  return json();
}

TEST(Applicants, ValidRowsBecomeAFrame) {
  json second = good();
  second.erase("customer_id");
  const Frame f = applicants_frame(json::array({good(), second}), Schema::loan_default(), 10);
  ASSERT_EQ(f.rows(), 2u);
  EXPECT_EQ(f.ids, (std::vector<std::string>{"c1", "1"}));
  EXPECT_DOUBLE_EQ(f.column("total_debt_outstanding")[0], 9000.5);
  EXPECT_DOUBLE_EQ(f.column("fico_score")[1], 640);
}

TEST(Applicants, EveryProblemIsListedWithFieldValueAndRule) {
  json bad = good();
  bad.erase("income");
  bad["fico_score"] = 900;
  bad["loan_amt_outstanding"] = -5;
  bad["years_employed"] = "four";
  bad["credit_lines_outstanding"] = 1.5;
  bad["colour"] = "red";
  const json b = problems_of(json::array({good(), bad, 7}));
  EXPECT_EQ(b["status"], 422);
  EXPECT_EQ(b["error"], "invalid applicant data: 7 problems (fix each listed field and resend)");
  const json expected = json::parse(R"([
    {"row":1,"field":"colour","value":"red","rule":"unknown field; known fields: customer_id, credit_lines_outstanding, loan_amt_outstanding, total_debt_outstanding, income, years_employed, fico_score"},
    {"row":1,"field":"credit_lines_outstanding","value":1.5,"rule":"must be a whole number"},
    {"row":1,"field":"loan_amt_outstanding","value":-5,"rule":"must be between 0 and 10000000 USD"},
    {"row":1,"field":"income","value":null,"rule":"is required"},
    {"row":1,"field":"years_employed","value":"four","rule":"must be a number"},
    {"row":1,"field":"fico_score","value":900,"rule":"must be between 300 and 850 points"},
    {"row":2,"field":"","value":7,"rule":"must be a JSON object with the fields customer_id, credit_lines_outstanding, loan_amt_outstanding, total_debt_outstanding, income, years_employed, fico_score"}
  ])");
  EXPECT_EQ(b["problems"], expected);
}

TEST(Applicants, BatchLimitAndEmptyAndSplitShape) {
  EXPECT_EQ(problems_of(json::array({good(), good(), good()}), 2)["error"],
            "too many applicants: 3 sent, at most 2 per request; split the batch");
  EXPECT_EQ(problems_of(json::array({good(), good(), good()}), 2)["status"], 413);
  EXPECT_EQ(problems_of(json::array())["error"], "no applicant in the request: send at least one");
  const json rows = records_from_split(json{"fico_score", "income"}, json::array({{600, 1}}));
  EXPECT_EQ(rows, json::parse(R"([{"fico_score":600,"income":1}])"));
  try {
    records_from_split(json{"a", "b"}, json::array({{1}}));
    ADD_FAILURE();
  } catch (const HttpError& e) {
    EXPECT_EQ(std::string(e.what()),
              "dataframe_split row 0 must be an array of 2 values, one per column");
  }
}

}  // namespace
}  // namespace loanrisk
