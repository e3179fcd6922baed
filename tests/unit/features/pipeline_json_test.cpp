#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "loanrisk/core/error.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

// Random loans with non-round values, so fitted statistics are not exactly representable in
// decimal: a lossy JSON writer would show up as a changed transform output.
Frame random_loans(std::size_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::lognormal_distribution<double> income(11.0, 0.5), loan(8.0, 0.8), debt(9.0, 0.7);
  std::normal_distribution<double> fico(640.0, 60.0);
  std::uniform_int_distribution<int> lines(0, 5), years(0, 12);
  std::vector<std::vector<double>> c(6, std::vector<double>(n));
  for (std::size_t r = 0; r < n; ++r) {
    c[0][r] = lines(gen);
    c[1][r] = loan(gen);
    c[2][r] = debt(gen);
    c[3][r] = r % 97 == 0 ? 0.0 : income(gen);
    c[4][r] = years(gen);
    c[5][r] = fico(gen);
  }
  Frame f;
  for (std::size_t k = 0; k < 6; ++k) f.set_column(raw_feature_names()[k], c[k]);
  return f;
}

FeaturePipeline fitted() {
  PipelineOptions o = PipelineOptions::defaults();
  o.outliers["loan_amt_outstanding"] = {1.25, OutlierAction::Drop};
  return FeaturePipeline::fit(random_loans(2000, 7), o);
}

TEST(PipelineJson, RoundTripIsBitIdentical) {
  const FeaturePipeline p = fitted();
  const json j = p.to_json();
  EXPECT_EQ(j.at("format_version"), 1);
  const FeaturePipeline q = FeaturePipeline::from_json(json::parse(j.dump()));
  EXPECT_EQ(q.to_json().dump(), j.dump());
  EXPECT_EQ(q.feature_names(), p.feature_names());
  EXPECT_EQ(q.fico_min(), p.fico_min());
  EXPECT_EQ(q.fico_max(), p.fico_max());
  ASSERT_EQ(q.fits().size(), p.fits().size());
  for (const auto& [column, f] : p.fits()) {
    const ColumnFit& g = q.fits().at(column);
    EXPECT_EQ(std::memcmp(&f.q1, &g.q1, sizeof(double)), 0) << column;
    EXPECT_EQ(f.mean, g.mean) << column;
    EXPECT_EQ(f.std, g.std) << column;
    EXPECT_EQ(f.lower, g.lower) << column;
    EXPECT_EQ(f.upper, g.upper) << column;
    EXPECT_EQ(f.rule.action, g.rule.action) << column;
    EXPECT_EQ(f.rule.iqr_factor, g.rule.iqr_factor) << column;
  }
  // Serving data the pipeline has not seen, with values beyond the training fences.
  const Frame serve = random_loans(5000, 99);
  const DenseMatrix a = p.transform(serve), b = q.transform(serve);
  ASSERT_EQ(a.values.size(), b.values.size());
  EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)), 0);
  EXPECT_EQ(p.rows_to_keep(serve), q.rows_to_keep(serve));
  EXPECT_LT(p.rows_to_keep(serve).size(), serve.rows());
}

TEST(PipelineJson, LayoutIsReadable) {
  const json j = fitted().to_json();
  EXPECT_EQ(j.at("outliers").at("loan_amt_outstanding"),
            (json{{"iqr_factor", 1.25}, {"action", "drop"}}));
  EXPECT_EQ(j.at("outliers").at("income").at("action"), "cap");
  EXPECT_EQ(j.at("fits").size(), 6u);
  EXPECT_EQ(j.at("fits").at("income").size(), 6u);
  EXPECT_EQ(j.at("z_threshold"), 3.0);
  EXPECT_EQ(j.at("income_floor"), 1.0);
  EXPECT_EQ(j.at("features").size(), 10u);
}

TEST(PipelineTransform, RowsAcrossBlockBoundariesMatchSingleRowsAndTheFormulas) {
  const FeaturePipeline p = fitted();
  const Frame serve = random_loans(1500, 5);
  const DenseMatrix batch = p.transform(serve);
  const ColumnFit& income_fit = p.fits().at("income");
  const ColumnFit& debt_fit = p.fits().at("total_debt_outstanding");
  for (std::size_t r : {0u, 96u, 97u, 511u, 512u, 513u, 1023u, 1024u, 1499u}) {
    const DenseMatrix one = p.transform(serve.take({r}));
    for (std::size_t c = 0; c < one.cols; ++c) EXPECT_EQ(one.at(0, c), batch.at(r, c)) << r;
    // debt_to_income_ratio (column 6) from the capped debt and income, floored at 1.
    const double income = std::clamp(serve.column("income")[r], income_fit.lower, income_fit.upper);
    const double debt =
        std::clamp(serve.column("total_debt_outstanding")[r], debt_fit.lower, debt_fit.upper);
    EXPECT_EQ(batch.at(r, 6), static_cast<float>(debt / std::max(income, 1.0))) << r;
  }
}

// Applies `edit` to a valid pipeline JSON and expects from_json to reject it with `message`.
template <typename Edit>
void expect_rejected(Edit edit, const std::string& message) {
  json j = fitted().to_json();
  edit(j);
  EXPECT_THROW_MSG(FeaturePipeline::from_json(j), InputError, message);
}

TEST(PipelineJson, BadDocumentsNameTheField) {
  EXPECT_THROW_MSG(FeaturePipeline::from_json(json::array()), InputError,
                   "pipeline JSON: expected an object, got []");
  expect_rejected([](json& j) { j.erase("format_version"); },
                  "pipeline JSON: missing field 'format_version'");
  expect_rejected([](json& j) { j["format_version"] = 2; },
                  "pipeline JSON: field 'format_version' is 2; this build reads version 1");
  expect_rejected([](json& j) { j["scaler"] = "standard"; },
                  "pipeline JSON: unknown field 'scaler'");
  expect_rejected([](json& j) { j.erase("fits"); }, "pipeline JSON: missing field 'fits'");
  expect_rejected([](json& j) { j["fits"]["income"].erase("q1"); },
                  "pipeline JSON: missing field 'fits.income.q1'");
  expect_rejected([](json& j) { j["fits"]["income"]["std"] = "1.0"; },
                  "pipeline JSON: field 'fits.income.std' must be a finite number, got \"1.0\"");
  expect_rejected([](json& j) { j["fits"]["income"]["median"] = 1.0; },
                  "pipeline JSON: unknown field 'fits.income.median'");
  expect_rejected([](json& j) { j["fits"]["age"] = j["fits"]["income"]; },
                  "pipeline JSON: field 'fits.age' is not a raw column");
  expect_rejected([](json& j) { j["fits"].erase("fico_score"); },
                  "pipeline JSON: missing field 'fits.fico_score'");
  expect_rejected([](json& j) { j["fits"]["income"]["lower"] = 1e300; },
                  "pipeline JSON: field 'fits.income.lower' is above 'fits.income.upper'");
  expect_rejected([](json& j) { j["features"].push_back("age"); },
                  "pipeline JSON: unknown feature 'age'; valid features: credit_lines_outstanding");
  expect_rejected([](json& j) { j["features"] = "income"; },
                  "pipeline JSON: field 'features' must be an array, got \"income\"");
  expect_rejected([](json& j) { j["outliers"]["income"]["action"] = "clip"; },
                  "pipeline JSON: field 'outliers.income.action': unknown outlier action 'clip'");
  expect_rejected([](json& j) { j["outliers"]["income"].erase("iqr_factor"); },
                  "pipeline JSON: missing field 'outliers.income.iqr_factor'");
  expect_rejected([](json& j) { j["z_threshold"] = 0.0; },
                  "pipeline JSON: z_threshold must be > 0, got 0");
  expect_rejected([](json& j) { j.erase("fico_max"); }, "pipeline JSON: missing field 'fico_max'");
  expect_rejected([](json& j) { j["fico_min"] = 900.0; },
                  "pipeline JSON: field 'fico_min' is above 'fico_max'");
}

}  // namespace
}  // namespace loanrisk
