// The one decision component every scoring path uses: grade, approve/decline, expected loss with
// the schema's exposure column.
#include "loanrisk/bundle/decision.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

Frame two_rows(const std::string& amount_column) {
  Frame f;
  f.ids = {"a", "b"};
  f.set_column(amount_column, {10'000, std::numeric_limits<double>::quiet_NaN()});
  f.set_column("income", {50'000, 60'000});
  return f;
}

TEST(Decision, GradeDecisionAndExpectedLossFromTheSchemasExposureColumn) {
  const CreditPolicy policy;  // default scale, LGD 0.9
  const Schema schema = Schema::loan_default();
  ASSERT_NE(schema.exposure(), nullptr);
  EXPECT_EQ(schema.exposure()->name, "loan_amt_outstanding");
  const DecisionRule rule(policy, 0.3, schema);
  const Frame f = two_rows("loan_amt_outstanding");
  const Decision low = rule.decide(0.01, f, 0);
  EXPECT_EQ(low.grade->name, "2");
  EXPECT_FALSE(low.decline);
  EXPECT_EQ(low.decision_text(), "approve");
  ASSERT_TRUE(low.expected_loss.has_value());
  EXPECT_DOUBLE_EQ(*low.expected_loss, 0.01 * 0.9 * 10'000);
  // At the threshold is a decline (PD >= threshold), as the bundle's metrics count it.
  EXPECT_TRUE(rule.decide(0.3, f, 0).decline);
  // A blank optional amount has no expected loss rather than NaN.
  EXPECT_FALSE(rule.decide(0.5, f, 1).expected_loss.has_value());
}

TEST(Decision, ExposureIsNamedByTheSchemaNotHardWired) {
  Schema schema = Schema::loan_default();
  for (auto& c : schema.columns) c.exposure = c.name == "income";
  const CreditPolicy policy{default_grades(), 0.5};
  const DecisionRule rule(policy, 0.5, schema);
  EXPECT_EQ(rule.exposure_column(), "income");
  const Frame f = two_rows("loan_amt_outstanding");
  EXPECT_DOUBLE_EQ(*rule.decide(0.1, f, 1).expected_loss, 0.1 * 0.5 * 60'000);

  for (auto& c : schema.columns) c.exposure = false;
  const DecisionRule none(policy, 0.5, schema);
  EXPECT_FALSE(none.decide(0.1, f, 0).expected_loss.has_value());
}

TEST(Decision, SchemaJsonRoundTripsExposureAndOldSchemasKeepTheirAmount) {
  const Schema schema = Schema::loan_default();
  const Schema back = Schema::from_json(schema.to_json());
  ASSERT_NE(back.exposure(), nullptr);
  EXPECT_EQ(back.exposure()->name, "loan_amt_outstanding");
  // A schema written before "exposure" existed: the amount it was hard-wired to.
  nlohmann::json old = schema.to_json();
  for (auto& c : old["columns"]) c.erase("exposure");
  ASSERT_NE(Schema::from_json(old).exposure(), nullptr);
  // A schema that names none on purpose (the key present, false) has none.
  for (auto& c : old["columns"]) c["exposure"] = false;
  EXPECT_EQ(Schema::from_json(old).exposure(), nullptr);
  // Two exposure columns, or one on the id, are refused with the field named.
  nlohmann::json two = schema.to_json();
  for (auto& c : two["columns"]) {
    if (c["name"] == "income") c["exposure"] = true;
  }
  try {
    Schema::from_json(two);
    FAIL() << "two exposure columns accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("exposure"), std::string::npos) << e.what();
  }
  nlohmann::json id = schema.to_json();
  id["columns"][0]["exposure"] = true;
  EXPECT_THROW(Schema::from_json(id), InputError);
}

TEST(Decision, PolicyValidationNamesTheProblem) {
  CreditPolicy p;
  EXPECT_NO_THROW(p.validate());
  p.lgd = 0;
  EXPECT_THROW(p.validate(), UsageError);
  p = CreditPolicy{{{"A", 0.1}, {"B", 0.05}, {"C", 1.0}}, 0.9};
  EXPECT_THROW(p.validate(), UsageError);
  p = CreditPolicy{{{"A", 0.1}, {"B", 0.5}}, 0.9};
  EXPECT_THROW(p.validate(), UsageError);
  EXPECT_EQ(grade_of(default_grades(), 2.0).name, "10");  // past the scale: the last band
}

}  // namespace
}  // namespace loanrisk
