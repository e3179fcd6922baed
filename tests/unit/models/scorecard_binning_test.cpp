// Scorecard binning and points, on tables small enough to compute by hand. Good = target 0,
// bad = target 1; WoE = ln(((g + 0.5) / (G + 0.5 n)) / ((b + 0.5) / (B + 0.5 n))) with G, B all
// training goods and bads and n the non-empty bins (docs/scorecard.md).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/scorecard_binning.hpp"
#include "support/test_support.hpp"

namespace loanrisk::models {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Appends `goods` rows (target 0) and `bads` rows (target 1) with `value`.
void add(std::vector<double>& x, std::vector<double>& y, double value, int goods, int bads) {
  for (int i = 0; i < goods; ++i) x.push_back(value), y.push_back(0);
  for (int i = 0; i < bads; ++i) x.push_back(value), y.push_back(1);
}

BinningOptions no_min_share() {
  BinningOptions o;
  o.min_bin_share = 0;
  return o;
}

TEST(ScorecardBinning, WoeAndIvOfASmallTable) {
  // value 1: 8 good 1 bad, value 2: 6 good 3 bad, value 3: 4 good 6 bad; G = 18, B = 10, n = 3.
  std::vector<double> x, y;
  add(x, y, 1, 8, 1);
  add(x, y, 2, 6, 3);
  add(x, y, 3, 4, 6);
  const Binning b = fit_binning(x, y);
  EXPECT_EQ(b.direction, BinDirection::Ascending);  // defaults rise with the value
  EXPECT_EQ(b.edges, (std::vector<double>{1, 2}));
  ASSERT_EQ(b.bins.size(), 3u);
  // ln((8.5/19.5) / (1.5/11.5)) = ln(3.341880...) = 1.206534
  EXPECT_NEAR(b.bins[0].woe, 1.206533625187610, 1e-12);
  // ln((6.5/19.5) / (3.5/11.5)) = 0.090972
  EXPECT_NEAR(b.bins[1].woe, 0.090971778205727, 1e-12);
  // ln((4.5/19.5) / (6.5/11.5)) = -0.895792
  EXPECT_NEAR(b.bins[2].woe, -0.895792210325814, 1e-12);
  // iv = (8.5/19.5 - 1.5/11.5) * 1.206534 = 0.368551, then 0.002637 and 0.299596
  EXPECT_NEAR(b.bins[0].iv, 0.368550962431890, 1e-12);
  EXPECT_NEAR(b.bins[1].iv, 0.002636863136398, 1e-12);
  EXPECT_NEAR(b.bins[2].iv, 0.299596056965155, 1e-12);
  EXPECT_NEAR(b.iv, 0.670783882533443, 1e-12);
  EXPECT_EQ(b.bins[1].count, 9u);
  EXPECT_EQ(b.bins[1].goods, 6u);
  EXPECT_EQ(b.bins[1].bads, 3u);
  EXPECT_DOUBLE_EQ(b.bins[2].default_rate, 0.6);
  // Serving: edges are right-closed, values beyond the training range go to the end bins.
  EXPECT_EQ(b.woe_of(-100), b.bins[0].woe);
  EXPECT_EQ(b.woe_of(1), b.bins[0].woe);
  EXPECT_EQ(b.woe_of(1.5), b.bins[1].woe);
  EXPECT_EQ(b.woe_of(2), b.bins[1].woe);
  EXPECT_EQ(b.woe_of(1e9), b.bins[2].woe);
  // Missing never seen in training: neutral.
  EXPECT_EQ(b.missing.count, 0u);
  EXPECT_EQ(b.woe_of(kNaN), 0.0);
}

TEST(ScorecardBinning, AutoDirectionFollowsTheData) {
  // The same table mirrored: defaults fall as the value grows, so WoE rises.
  std::vector<double> x, y;
  add(x, y, 1, 4, 6);
  add(x, y, 2, 6, 3);
  add(x, y, 3, 8, 1);
  const Binning b = fit_binning(x, y);
  EXPECT_EQ(b.direction, BinDirection::Descending);
  ASSERT_EQ(b.bins.size(), 3u);
  EXPECT_NEAR(b.bins[0].woe, -0.895792210325814, 1e-12);
  EXPECT_NEAR(b.bins[2].woe, 1.206533625187610, 1e-12);
}

TEST(ScorecardBinning, MinBinShareMergesTheSmallBinWhereLeastIvIsLost) {
  // value 1: 9/1, value 2: 1/1 (2 of 22 rows < 10%), value 3: 3/7. G = 13, B = 9, n = 3.
  // IV lost merging {1,2}: 0.252373; merging {2,3}: 0.047189, so 2 joins 3.
  std::vector<double> x, y;
  add(x, y, 1, 9, 1);
  add(x, y, 2, 1, 1);
  add(x, y, 3, 3, 7);
  BinningOptions o;
  o.min_bin_share = 0.1;
  o.prebins = 1000;  // a cut at every value, so only the merging decides
  const Binning b = fit_binning(x, y, o);
  EXPECT_EQ(b.edges, (std::vector<double>{1}));
  ASSERT_EQ(b.bins.size(), 2u);
  EXPECT_EQ(b.bins[1].goods, 4u);
  EXPECT_EQ(b.bins[1].bads, 8u);
  // n = 2: ln((9.5/14)/(1.5/10)) = 1.509354, ln((4.5/14)/(8.5/10)) = -0.972461
  EXPECT_NEAR(b.bins[0].woe, 1.509354453877118, 1e-12);
  EXPECT_NEAR(b.bins[1].woe, -0.972461003341210, 1e-12);
  // Without the share rule the three bins stay (they are monotone).
  EXPECT_EQ(fit_binning(x, y, no_min_share()).bins.size(), 3u);
}

TEST(ScorecardBinning, MonotonicityPoolsTheViolatingPreBin) {
  // Default rates 0.1, 0.4, 0.3: value 3 breaks the rise and is pooled with value 2 (13/7).
  std::vector<double> x, y;
  add(x, y, 1, 9, 1);
  add(x, y, 2, 6, 4);
  add(x, y, 3, 7, 3);
  const Binning b = fit_binning(x, y, no_min_share());
  EXPECT_EQ(b.direction, BinDirection::Ascending);  // Spearman > 0: bads' rank sum 144 > 8 * 31 / 2
  EXPECT_EQ(b.edges, (std::vector<double>{1}));
  ASSERT_EQ(b.bins.size(), 2u);
  EXPECT_EQ(b.bins[1].count, 20u);
  EXPECT_EQ(b.bins[1].bads, 7u);
  EXPECT_DOUBLE_EQ(b.bins[1].default_rate, 0.35);
  // G = 22, B = 8, n = 2: ln((9.5/23)/(1.5/9)) = 0.907557, ln((13.5/23)/(7.5/9)) = -0.350483
  EXPECT_NEAR(b.bins[0].woe, 0.907557051905401, 1e-12);
  EXPECT_NEAR(b.bins[1].woe, -0.350482973690811, 1e-12);
  // Forced descending, the rise 0.1 -> 0.4 violates too: {1,2} pool to 0.25 < 0.3, then all pool.
  BinningOptions down = no_min_share();
  down.direction = BinDirection::Descending;
  const Binning one = fit_binning(x, y, down);
  EXPECT_TRUE(one.edges.empty());
  EXPECT_EQ(one.bins.size(), 1u);
  EXPECT_EQ(one.woe_of(2), 0.0);  // one bin holding every row: ln(1) = 0
}

TEST(ScorecardBinning, MaxBinsMergesTheClosestRates) {
  // Rates 0.10, 0.11, 0.50, 0.51 (100 rows each): to reach 2 bins the near-equal neighbours merge.
  std::vector<double> x, y;
  add(x, y, 1, 90, 10);
  add(x, y, 2, 89, 11);
  add(x, y, 3, 50, 50);
  add(x, y, 4, 49, 51);
  EXPECT_EQ(fit_binning(x, y, no_min_share()).bins.size(), 4u);
  BinningOptions o = no_min_share();
  o.max_bins = 2;
  const Binning b = fit_binning(x, y, o);
  EXPECT_EQ(b.edges, (std::vector<double>{2}));
  ASSERT_EQ(b.bins.size(), 2u);
  EXPECT_EQ(b.bins[0].count, 200u);
  EXPECT_EQ(b.bins[0].bads, 21u);
  EXPECT_EQ(b.bins[1].count, 200u);
  EXPECT_EQ(b.bins[1].bads, 101u);
  o.max_bins = 1;
  EXPECT_EQ(fit_binning(x, y, o).bins.size(), 1u);
}

TEST(ScorecardBinning, TiesAreNeverSplit) {
  // 60 rows of 0 (6 bads) then one good and one bad at each of 1..40 (140 rows): the quantiles
  // 0.05..0.40 all fall inside the 60 zeros, which stay one bin; above 0 every pre-bin has rate
  // 0.5, equal rates are no strict rise, so they pool into one bin.
  std::vector<double> x, y;
  add(x, y, 0, 54, 6);
  for (int v = 1; v <= 40; ++v) add(x, y, v, 1, 1);
  const Binning b = fit_binning(x, y);
  EXPECT_EQ(b.edges, (std::vector<double>{0}));
  ASSERT_EQ(b.bins.size(), 2u);
  EXPECT_EQ(b.bins[0].count, 60u);
  EXPECT_EQ(b.bins[0].bads, 6u);
  EXPECT_EQ(b.bins[1].count, 80u);
  EXPECT_EQ(b.bins[1].bads, 40u);
  EXPECT_EQ(b.bin_index(0), 0u);
  EXPECT_EQ(b.bin_index(1e-9), 1u);
  // Pre-binning alone (no merging needed to keep them together): with max_bins 1000 and no
  // share rule, the zeros are still exactly one bin.
  BinningOptions o = no_min_share();
  o.max_bins = 1000;
  o.direction = BinDirection::Ascending;
  EXPECT_EQ(fit_binning(x, y, o).bins[0].count, 60u);
}

TEST(ScorecardBinning, ConstantColumnIsOneNeutralBin) {
  std::vector<double> x, y;
  add(x, y, 7, 30, 10);
  const Binning b = fit_binning(x, y);
  EXPECT_TRUE(b.edges.empty());
  ASSERT_EQ(b.bins.size(), 1u);
  EXPECT_EQ(b.bins[0].count, 40u);
  // ln((30.5/30.5) / (10.5/10.5)) = 0 exactly; no information.
  EXPECT_EQ(b.bins[0].woe, 0.0);
  EXPECT_EQ(b.iv, 0.0);
  EXPECT_EQ(b.direction, BinDirection::Ascending);  // zero correlation counts as ascending
  EXPECT_EQ(b.woe_of(-5), 0.0);
  EXPECT_EQ(b.woe_of(500), 0.0);
}

TEST(ScorecardBinning, BinWithoutDefaultsHasAFiniteWoe) {
  // value 1: 10 good 0 bad, value 2: 5/5; G = 15, B = 5, n = 2.
  std::vector<double> x, y;
  add(x, y, 1, 10, 0);
  add(x, y, 2, 5, 5);
  const Binning b = fit_binning(x, y);
  ASSERT_EQ(b.bins.size(), 2u);
  // ln((10.5/16)/(0.5/6)) = ln(7.875) = 2.063693; ln((5.5/16)/(5.5/6)) = ln(0.375) = -0.980829
  EXPECT_NEAR(b.bins[0].woe, 2.063693184711697, 1e-12);
  EXPECT_NEAR(b.bins[1].woe, -0.980829253011726, 1e-12);
  EXPECT_NEAR(b.iv, 1.744257646612378, 1e-12);
  EXPECT_EQ(b.bins[0].default_rate, 0.0);
}

TEST(ScorecardBinning, MissingValuesHaveTheirOwnBin) {
  // value 1: 4/1, value 2: 1/4, NaN: 2/3; G = 7, B = 8, n = 3.
  std::vector<double> x, y;
  add(x, y, 1, 4, 1);
  add(x, y, 2, 1, 4);
  add(x, y, kNaN, 2, 3);
  const Binning b = fit_binning(x, y);
  ASSERT_EQ(b.bins.size(), 2u);
  EXPECT_EQ(b.missing.count, 5u);
  EXPECT_EQ(b.missing.bads, 3u);
  // ln((4.5/8.5)/(1.5/9.5)) = 1.209838, ln((1.5/8.5)/(4.5/9.5)) = -0.987387,
  // missing ln((2.5/8.5)/(3.5/9.5)) = -0.225247
  EXPECT_NEAR(b.bins[0].woe, 1.209837923778334, 1e-12);
  EXPECT_NEAR(b.bins[1].woe, -0.987386653557885, 1e-12);
  EXPECT_NEAR(b.missing.woe, -0.225246601510988, 1e-12);
  EXPECT_NEAR(b.iv, 0.759676743130714, 1e-12);
  EXPECT_EQ(b.bin_index(kNaN), b.missing_index());
  EXPECT_EQ(b.woe_of(kNaN), b.missing.woe);
}

TEST(ScorecardBinning, SpecialValuesHaveTheirOwnBins) {
  // value 1: 4/1, value 2: 1/4, sentinel -1: 1/3, sentinel -2 never seen; G = 6, B = 8, n = 3.
  std::vector<double> x, y;
  add(x, y, 1, 4, 1);
  add(x, y, 2, 1, 4);
  add(x, y, -1, 1, 3);
  BinningOptions o;
  o.special_values = {-1, -2};
  const Binning b = fit_binning(x, y, o);
  EXPECT_EQ(b.edges, (std::vector<double>{1}));  // the sentinels take no part in the cuts
  ASSERT_EQ(b.specials.size(), 2u);
  EXPECT_EQ(b.specials[0].value, -1.0);
  EXPECT_EQ(b.specials[0].stats.count, 4u);
  EXPECT_EQ(b.specials[0].stats.bads, 3u);
  // ln((4.5/7.5)/(1.5/9.5)) = 1.335001, ln((1.5/7.5)/(4.5/9.5)) = -0.862224,
  // special ln((1.5/7.5)/(3.5/9.5)) = -0.610909
  EXPECT_NEAR(b.bins[0].woe, 1.335001066732340, 1e-12);
  EXPECT_NEAR(b.bins[1].woe, -0.862223510603879, 1e-12);
  EXPECT_NEAR(b.specials[0].stats.woe, -0.610909082322973, 1e-12);
  EXPECT_EQ(b.bin_index(-1), b.missing_index() + 1);
  EXPECT_EQ(b.woe_of(-1), b.specials[0].stats.woe);
  EXPECT_EQ(b.specials[1].stats.count, 0u);
  EXPECT_EQ(b.woe_of(-2), 0.0);              // never seen in training: neutral
  EXPECT_EQ(b.bin_index(-0.5), 0u);          // not special: the first range bin
  EXPECT_EQ(b.woe_of(-1.5), b.bins[0].woe);  // below the range
}

TEST(ScorecardBinning, RefusesBadDataAndOptions) {
  EXPECT_THROW_MSG(fit_binning({1, 2}, {0}), InputError, "2 values but 1 targets");
  EXPECT_THROW_MSG(fit_binning({1, 2}, {0, 2}), InputError, "target of row 1 is 2");
  EXPECT_THROW_MSG(fit_binning({1, 2}, {0, 0}), InputError, "found 2 rows with 0 and 0 with 1");
  EXPECT_THROW_MSG(fit_binning({1, INFINITY}, {0, 1}), InputError, "value of row 1 is inf");
  BinningOptions o;
  o.max_bins = 0;
  EXPECT_THROW_MSG(fit_binning({1, 2}, {0, 1}, o), UsageError, "max_bins must be at least 1");
  o = {};
  o.special_values = {kNaN};
  EXPECT_THROW_MSG(fit_binning({1, 2}, {0, 1}, o), UsageError, "special values must be finite");
  o.special_values = {-1, -1};
  EXPECT_THROW_MSG(fit_binning({1, 2}, {0, 1}, o), UsageError, "special value -1 is listed twice");
}

TEST(ScorecardBinning, JsonRoundTrip) {
  std::vector<double> x, y;
  add(x, y, 1, 8, 1);
  add(x, y, 2, 6, 3);
  add(x, y, 3, 4, 6);
  add(x, y, kNaN, 2, 2);
  add(x, y, -1, 1, 3);
  BinningOptions o;
  o.special_values = {-1, -9};
  const Binning b = fit_binning(x, y, o);
  const Binning back = Binning::from_json(nlohmann::json::parse(b.to_json().dump()));
  EXPECT_EQ(back.to_json(), b.to_json());
  EXPECT_EQ(back.direction, b.direction);
  EXPECT_EQ(back.edges, b.edges);
  EXPECT_EQ(back.iv, b.iv);
  for (double v : {-5.0, -1.0, -9.0, 1.0, 1.5, 2.0, 3.0, 99.0, kNaN}) {
    EXPECT_EQ(back.woe_of(v), b.woe_of(v)) << v;
  }
  EXPECT_EQ(back.specials[1].stats.count, 0u);
}

TEST(ScorecardBinning, BadJsonIsRefusedWithWhatIsWrong) {
  std::vector<double> x, y;
  add(x, y, 1, 8, 1);
  add(x, y, 2, 6, 3);
  add(x, y, 3, 4, 6);
  const nlohmann::json good = fit_binning(x, y).to_json();
  auto with = [&](auto edit) {
    nlohmann::json j = good;
    edit(j);
    return j.dump();
  };
  loanrisk::testing::expect_refusals<InputError>(
      [](const std::string& text) { return Binning::from_json(nlohmann::json::parse(text)); },
      {
          {with([](nlohmann::json& j) {
             j["edges"] = {2, 1};
           }),
           "edges must be strictly increasing, but edges[1] = 1 follows edges[0] = 2"},
          {with([](nlohmann::json& j) {
             j["edges"] = {1, 1};
           }),
           "strictly increasing"},
          {with([](nlohmann::json& j) { j["edges"] = {1}; }), "1 edges need 2 bins, got 3"},
          {with([](nlohmann::json& j) { j["bins"][1]["woe"] = nullptr; }),
           "field 'bins[1].woe' must be a finite number, got null"},
          {with([](nlohmann::json& j) { j["bins"][0]["count"] = -3; }),
           "field 'bins[0].count' must be a count (an integer >= 0), got -3"},
          {with([](nlohmann::json& j) { j["bins"][2]["goods"] = 5; }),
           "bins[2] has 5 goods and 6 bads but count 10"},
          {with([](nlohmann::json& j) { j["missing"]["iv"] = "x"; }),
           "field 'missing.iv' must be a finite number"},
          {with([](nlohmann::json& j) { j["direction"] = "auto"; }),
           "direction 'auto' is unknown (expected ascending or descending)"},
          {with([](nlohmann::json& j) { j.erase("specials"); }),
           "scorecard binning: missing field 'specials'"},
          {"[1, 2]", "scorecard binning: the binning must be an object, got [1,2]"},
      });
  // A NaN WoE can only come from memory (JSON text has none): refused all the same.
  nlohmann::json nan_woe = good;
  nan_woe["bins"][0]["woe"] = kNaN;
  EXPECT_THROW_MSG(Binning::from_json(nan_woe), InputError,
                   "field 'bins[0].woe' must be a finite number");
}

/// A binning with the given range-bin WoEs (counts are not used by the points).
Binning binning_with(std::vector<double> woes) {
  Binning b;
  for (std::size_t i = 0; i < woes.size(); ++i) {
    if (i > 0) b.edges.push_back(static_cast<double>(i));
    BinStats s;
    s.count = 10;
    s.goods = 10;
    s.woe = woes[i];
    b.bins.push_back(s);
  }
  return b;
}

// factor = 20 / ln 2 = 28.853901, offset = 600 - factor * ln 50 = 487.122876; with intercept -3
// and two characteristics each bin gets offset/2 - factor * (-3/2 + beta * woe)
// = 286.842289 - 28.853901 * beta * woe.
Scorecard two_feature_card() {
  return build_scorecard({"fico", "dti"},
                         {binning_with({0.4, -0.7}), binning_with({1.1, 0.2, -0.9})}, {-0.9, -0.6},
                         -3);
}

TEST(ScorecardBinning, PointsOfAHandMadeTwoFeatureModel) {
  const Scorecard card = two_feature_card();
  EXPECT_NEAR(card.scaling.factor(), 28.853900817779270, 1e-12);
  EXPECT_NEAR(card.scaling.offset(), 487.122876204505474, 1e-9);
  // fico: 286.842289 + 28.853901 * 0.9 * {0.4, -0.7, 0 (missing)} = 297.23, 268.66, 286.84
  EXPECT_EQ(card.characteristics[0].points, (std::vector<int>{297, 269, 287}));
  // dti: 286.842289 + 28.853901 * 0.6 * {1.1, 0.2, -0.9, 0} = 305.89, 290.30, 271.26, 286.84
  EXPECT_EQ(card.characteristics[1].points, (std::vector<int>{306, 290, 271, 287}));
  EXPECT_EQ(card.characteristics[0].max_points(), 297);
  // fico 0.5 -> bin 0 (297), dti 1.5 -> bin 1 (290): 587.
  EXPECT_EQ(card.points_of({0.5, 1.5}), (std::vector<int>{297, 290}));
  EXPECT_EQ(card.score({0.5, 1.5}), 587);
  // Log-odds of default -3 - 0.9 * 0.4 - 0.6 * 0.2 = -3.48: PD 0.029887, unrounded score
  // offset + 3.48 * factor = 587.534451. The score 587 implies PD 0.030428: rounding moves it.
  EXPECT_NEAR(card.model_pd({0.5, 1.5}), 0.029886679803636, 1e-12);
  EXPECT_NEAR(pd_of_score(587.534451, card.scaling), 0.029886679803636, 1e-8);
  EXPECT_NEAR(pd_of_score(587, card.scaling), 0.030428418, 1e-9);
  EXPECT_THROW_MSG(card.score({1}), InputError, "2 characteristics but the applicant has 1 values");
}

TEST(ScorecardBinning, BaseScoreMeansBaseOdds) {
  const ScoreScaling s;
  EXPECT_NEAR(pd_of_score(600, s), 1.0 / 51, 1e-15);    // odds 50:1 good:bad
  EXPECT_NEAR(pd_of_score(620, s), 1.0 / 101, 1e-15);   // one pdo more: odds doubled
  EXPECT_NEAR(pd_of_score(s.offset(), s), 0.5, 1e-15);  // the offset: odds 1:1
  // A model whose log-odds of default is -ln 50 at WoE 0 scores exactly 600 there: each of the
  // two characteristics gets (offset + factor * ln 50) / 2 = 300 for a neutral (missing) bin.
  const Scorecard card = build_scorecard(
      {"a", "b"}, {binning_with({0.5, -0.5}), binning_with({1, -1})}, {-1, -1}, -std::log(50.0));
  EXPECT_EQ(card.score({kNaN, kNaN}), 600);
  EXPECT_NEAR(card.model_pd({kNaN, kNaN}), 1.0 / 51, 1e-15);
}

TEST(ScorecardBinning, RefusesABadScorecard) {
  EXPECT_THROW_MSG(build_scorecard({"a"}, {binning_with({0})}, {-1, 2}, 0), InputError,
                   "got 1 names, 1 binnings, 2 coefficients");
  ScoreScaling bad;
  bad.pdo = 0;
  EXPECT_THROW_MSG(build_scorecard({"a"}, {binning_with({0})}, {-1}, 0, bad), UsageError,
                   "pdo > 0");
  EXPECT_THROW_MSG(build_scorecard({"a"}, {binning_with({0})}, {kNaN}, 0), InputError,
                   "coefficient of 'a' must be finite");
}

TEST(ScorecardBinning, ReasonsArePointsLostMostFirst) {
  const Scorecard card = two_feature_card();
  // fico bin 1 (269 of 297: 28 lost), dti bin 2 (271 of 306: 35 lost).
  const auto reasons = card.reasons({2, 3}, 5);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].characteristic, "dti");
  EXPECT_EQ(reasons[0].points_lost, 35);
  EXPECT_EQ(reasons[0].points, 271);
  EXPECT_EQ(reasons[0].max_points, 306);
  EXPECT_EQ(reasons[1].characteristic, "fico");
  EXPECT_EQ(reasons[1].points_lost, 28);
  const auto top = card.reasons({2, 3}, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].characteristic, "dti");
  // Best fico bin, dti bin 1 (290 of 306): only dti is a reason.
  const auto one = card.reasons({0.5, 1.5}, 3);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].characteristic, "dti");
  EXPECT_EQ(one[0].points_lost, 16);
  EXPECT_TRUE(card.reasons({0.5, 0.5}, 3).empty());  // best bin of both
  // Equal losses keep characteristic order: both lose 29 on missing (287 of 316) below.
  const Scorecard tie =
      build_scorecard({"x", "y"}, {binning_with({1, -1}), binning_with({1, -1})}, {-1, -1}, -3);
  const auto tied = tie.reasons({kNaN, kNaN}, 2);
  ASSERT_EQ(tied.size(), 2u);
  EXPECT_EQ(tied[0].characteristic, "x");
  EXPECT_EQ(tied[1].characteristic, "y");
  EXPECT_EQ(tied[0].points_lost, tied[1].points_lost);
}

}  // namespace
}  // namespace loanrisk::models
