// The scorecard family end to end on a matrix: monotone WoE bins per input, a logistic regression
// on them, integer points; the PD is the logistic model's, the score the sum of the points; the
// saved model reads back to the same PDs, points and table, and a tampered file is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/scorecard_classifier.hpp"
#include "model_test_data.hpp"
#include "support/test_support.hpp"

namespace loanrisk::models {
namespace {

TEST(ScorecardClassifier, PointsPdsAndTheTableAgreeAndSurviveTheRoundTrip) {
  const testing::Labelled train = testing::logistic_problem(4000, 5, 3);
  const testing::Labelled test = testing::logistic_problem(1000, 5, 4);
  auto model = make_classifier("scorecard", {{"max_bins", 5}});
  model->fit(train.X, train.y, nullptr, nullptr, nullptr);
  const auto& sc = dynamic_cast<const ScorecardClassifier&>(*model).scorecard();
  ASSERT_EQ(sc.characteristics.size(), 5u);
  for (const auto& c : sc.characteristics) EXPECT_LE(c.binning.bins.size(), 5u);
  // x0 (log-odds +3x) and x1 (-2x) bin in opposite directions.
  EXPECT_NE(sc.characteristics[0].binning.direction, sc.characteristics[1].binning.direction);
  const std::vector<double> pd = model->predict_proba(test.X);
  EXPECT_GT(testing::auc(pd, test.y), 0.85);
  const std::vector<int> points = model->points(test.X);
  ASSERT_EQ(points.size(), test.X.rows);
  const std::vector<double> phi = model->contributions(test.X);
  for (std::size_t r = 0; r < test.X.rows; ++r) {
    std::vector<double> v(5);
    for (std::size_t c = 0; c < 5; ++c) v[c] = test.X.at(r, c);
    EXPECT_EQ(points[r], sc.score(v));
    EXPECT_EQ(pd[r], sc.model_pd(v));
    // Contributions sum to the margin of the PD.
    double margin = 0;
    for (std::size_t c = 0; c <= 5; ++c) margin += phi[r * 6 + c];
    EXPECT_NEAR(1 / (1 + std::exp(-margin)), pd[r], 1e-12);
  }
  // A higher score is a lower risk: the score ranks like the PD, reversed.
  std::vector<double> minus_points(points.begin(), points.end());
  for (double& p : minus_points) p = -p;
  EXPECT_GT(testing::auc(minus_points, test.y), 0.85);
  // Reasons: the characteristics with points lost, most first.
  const auto reasons = model->points_reasons(test.X, 0, 3);
  ASSERT_FALSE(reasons.empty());
  for (std::size_t k = 0; k < reasons.size(); ++k) {
    EXPECT_EQ(reasons[k].points_lost, reasons[k].max_points - reasons[k].points);
    EXPECT_GT(reasons[k].points_lost, 0);
    if (k > 0) {
      EXPECT_LE(reasons[k].points_lost, reasons[k - 1].points_lost);
    }
  }
  const nlohmann::json info = model->describe();
  std::size_t bins = 0;
  for (const auto& c : sc.characteristics) bins += c.binning.bin_total();
  EXPECT_EQ(info["scorecard"].size(), bins);
  EXPECT_EQ(info["scorecard"][0]["characteristic"], "x0");
  EXPECT_EQ(info["scorecard"][0]["bin"].get<std::string>().substr(0, 6), "(-inf,");

  testing::TempDir dir;
  model->save(dir.path());
  const auto back = load_classifier("scorecard", model->params(), dir.path());
  EXPECT_EQ(back->predict_proba(test.X), pd);
  EXPECT_EQ(back->points(test.X), points);
  EXPECT_EQ(back->describe(), info);
  const std::string csv = read_file(dir / ScorecardClassifier::kTableFile);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "characteristic,bin,count,default_rate,woe,iv,points");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), bins + 1);

  // Tampered: points for fewer bins than the binning has.
  nlohmann::json j = read_json_file(dir / ScorecardClassifier::kModelFile);
  j["characteristics"][0]["points"].erase(0);
  write_json_file(dir / ScorecardClassifier::kModelFile, j);
  EXPECT_THROW_MSG(load_classifier("scorecard", model->params(), dir.path()), InputError,
                   "characteristic 'x0' has");
  std::filesystem::remove(dir / ScorecardClassifier::kModelFile);
  EXPECT_THROW_MSG(load_classifier("scorecard", model->params(), dir.path()), InputError,
                   "is missing; retrain the model");
  // Other families have no points.
  auto logistic = make_classifier("logistic_regression", {});
  logistic->fit(train.X, train.y, nullptr, nullptr, nullptr);
  EXPECT_TRUE(logistic->points(test.X).empty());
}

TEST(ScorecardClassifier, ADamagedScorecardFileIsRefusedByField) {
  const testing::Labelled train = testing::logistic_problem(500, 4, 5);
  auto model = make_classifier("scorecard", {{"max_bins", 3}});
  model->fit(train.X, train.y, nullptr, nullptr, nullptr);
  const nlohmann::json good =
      scorecard_to_json(dynamic_cast<const ScorecardClassifier&>(*model).scorecard());
  EXPECT_EQ(scorecard_to_json(scorecard_from_json(good)), good);
  auto with = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    return j.dump();
  };
  // A points value beyond an int was cast (undefined behaviour) before it was checked.
  loanrisk::testing::expect_refusals<InputError>(
      [](const std::string& text) { return scorecard_from_json(nlohmann::json::parse(text)); },
      {
          {with([](nlohmann::json& j) { j["characteristics"][0]["points"][0] = 1e20; }),
           "field 'characteristics[0].points' must hold integers within +-1000000, got 1e+20"},
          {with([](nlohmann::json& j) { j["characteristics"][0]["points"][0] = 4294967296LL; }),
           "must hold integers within +-1000000, got 4294967296"},
          {with([](nlohmann::json& j) { j["characteristics"][0]["points"][0] = 1000001; }),
           "must hold integers within +-1000000, got 1000001"},
          {with([](nlohmann::json& j) { j["characteristics"][0]["points"][0] = 1.5; }),
           "must hold integers within +-1000000, got 1.5"},
          {with([](nlohmann::json& j) { j["characteristics"][1] = "x"; }),
           "scorecard: characteristics[1] must be an object, got \"x\""},
          {with([](nlohmann::json& j) { j["characteristics"] = nlohmann::json::array(); }),
           "field 'characteristics' is empty"},
          {with([](nlohmann::json& j) { j["scaling"]["pdo"] = 0; }),
           "scaling needs pdo > 0 and base_odds > 0, got pdo 0"},
          {with([](nlohmann::json& j) { j["intercept"] = "1"; }),
           "field 'intercept' must be a finite number, got \"1\""},
          {with([](nlohmann::json& j) { j["characteristics"][0].erase("binning"); }),
           "missing field 'characteristics[0].binning'"},
          {with([](nlohmann::json& j) {
             j["characteristics"][0]["binning"]["bins"][0]["goods"] = 1u << 31;
           }),
           "bins[0] has 2147483648 goods"},
          {"[]", "scorecard: the scorecard must be an object, got []"},
      });
}

TEST(ScorecardClassifier, ConfiguredDirectionsOverrideTheData) {
  // x0 raises the log-odds (+3x), x1 lowers them (-2x): the data's directions.
  const testing::Labelled train = testing::logistic_problem(4000, 5, 3);
  auto free = make_classifier("scorecard", {});
  free->fit(train.X, train.y, nullptr, nullptr, nullptr);
  EXPECT_EQ(free->describe()["directions"]["x0"], "ascending");
  EXPECT_EQ(free->describe()["directions"]["x1"], "descending");
  auto agreeing = make_classifier("scorecard", {});
  ASSERT_TRUE(agreeing->set_monotone({{"x0", 1}, {"x1", -1}, {"unused", 1}}));
  agreeing->fit(train.X, train.y, nullptr, nullptr, nullptr);
  EXPECT_EQ(agreeing->predict_proba(train.X), free->predict_proba(train.X));
  // Against the data, the bins pool until the rate moves the configured way: x0 has one bin left,
  // so it gives every applicant the same points and no reason.
  auto against = make_classifier("scorecard", {});
  ASSERT_TRUE(against->set_monotone({{"x0", -1}}));
  against->fit(train.X, train.y, nullptr, nullptr, nullptr);
  const auto& card = dynamic_cast<const ScorecardClassifier&>(*against).scorecard();
  EXPECT_EQ(card.characteristics[0].binning.direction, BinDirection::Descending);
  EXPECT_EQ(card.characteristics[0].binning.bins.size(), 1u);
  EXPECT_EQ(against->describe()["directions"]["x0"], "descending");
  for (std::size_t r = 0; r < 50; ++r) {
    for (const auto& reason : against->points_reasons(train.X, r, 5)) {
      EXPECT_NE(reason.feature, "x0");
    }
  }
}

}  // namespace
}  // namespace loanrisk::models
