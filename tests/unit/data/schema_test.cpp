#include "loanrisk/data/schema.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(Schema, LoanDefaultColumns) {
  const Schema s = Schema::loan_default();
  ASSERT_EQ(s.columns.size(), 8u);
  ASSERT_NE(s.id(), nullptr);
  EXPECT_EQ(s.id()->name, "customer_id");
  EXPECT_EQ(s.id()->type, ColumnType::Text);
  ASSERT_NE(s.target(), nullptr);
  EXPECT_EQ(s.target()->name, "default");
  EXPECT_EQ(s.target()->type, ColumnType::Binary);
  EXPECT_EQ(s.feature_names(),
            (std::vector<std::string>{"credit_lines_outstanding", "loan_amt_outstanding",
                                      "total_debt_outstanding", "income", "years_employed",
                                      "fico_score"}));
  const ColumnSpec* fico = s.find("fico_score");
  ASSERT_NE(fico, nullptr);
  EXPECT_EQ(fico->type, ColumnType::Integer);
  EXPECT_EQ(fico->min, 300);
  EXPECT_EQ(fico->max, 850);
  EXPECT_EQ(fico->unit, "points");
  EXPECT_EQ(s.find("income")->min, 0);
  EXPECT_EQ(s.find("income")->max, 100'000'000);
  EXPECT_EQ(s.find("income")->unit, "USD per year");
  EXPECT_EQ(s.find("loan_amt_outstanding")->max, 10'000'000);
  EXPECT_EQ(s.find("credit_lines_outstanding")->max, 100);
  EXPECT_EQ(s.find("years_employed")->max, 80);
  EXPECT_EQ(s.find("nope"), nullptr);
  for (const auto& c : s.columns) {
    EXPECT_TRUE(c.required) << c.name;
    EXPECT_FALSE(c.description.empty()) << c.name;
  }
}

TEST(Schema, JsonRoundTripsExactly) {
  const Schema s = Schema::loan_default();
  const nlohmann::json j = s.to_json();
  EXPECT_TRUE(j["columns"][0]["min"].is_null());  // the id's infinite bounds
  EXPECT_EQ(j["columns"][6]["type"], "integer");
  EXPECT_EQ(j["columns"][7]["role"], "target");
  const Schema back = Schema::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back.to_json(), j);
  EXPECT_TRUE(std::isinf(back.id()->min));
  EXPECT_LT(back.id()->min, 0);
}

TEST(Schema, FromJsonNamesTheBadField) {
  auto j = Schema::loan_default().to_json();
  auto bad = j;
  bad["columns"][2]["type"] = "float";
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError,
                   "schema field 'columns[2].type' is 'float', not a column type (expected one "
                   "of: text, integer, real, binary)");
  bad = j;
  bad["columns"][1].erase("name");
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError, "schema field 'columns[1].name' is missing");
  bad = j;
  bad["columns"][3]["min"] = "zero";
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError,
                   "schema field 'columns[3].min' must be a number or null");
  bad = j;
  bad["columns"][4]["role"] = "label";
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError, "'columns[4].role' is 'label'");
  bad = j;
  bad["columns"][5]["colour"] = "red";
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError, "'columns[5].colour' is not a known key");
  bad = j;
  bad["columns"][5]["name"] = "income";
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError, "'columns[5].name' 'income' appears twice");
  bad = j;
  bad["columns"][6]["min"] = 900;
  EXPECT_THROW_MSG(Schema::from_json(bad), InputError, "'columns[6].min' is greater than max");
  EXPECT_THROW_MSG(Schema::from_json(nlohmann::json::array()), InputError, "'(root)'");
  EXPECT_THROW_MSG(Schema::from_json({{"columns", 3}}), InputError, "'columns' must be an array");
}

TEST(Schema, TypeAndRoleNames) {
  EXPECT_EQ(to_string(ColumnType::Text), "text");
  EXPECT_EQ(to_string(ColumnType::Real), "real");
  EXPECT_EQ(to_string(ColumnType::Binary), "binary");
  EXPECT_EQ(to_string(ColumnRole::Id), "id");
  EXPECT_EQ(to_string(ColumnRole::Feature), "feature");
}

}  // namespace
}  // namespace loanrisk
