// The server's rolling window: insufficient below the minimum, PSI of the window's rows, eviction
// of the oldest rows, and the JSON shape the web app reads.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/monitor/compare.hpp"
#include "loanrisk/monitor/drift.hpp"
#include "loanrisk/monitor/live_window.hpp"
#include "support/test_support.hpp"

namespace loanrisk::monitor {
namespace {

ModelReference two_bin_reference() {
  // x in 1..100 cut at its median: bins (.., 50.5] and (50.5, ..], half each; same for the score.
  std::vector<double> x, s;
  for (int i = 1; i <= 100; ++i) {
    x.push_back(i);
    s.push_back(i / 100.0);
  }
  ModelReference r;
  r.features.push_back(feature_reference("x", x, 2));
  r.score = feature_reference("score", s, 2);
  return r;
}

TEST(LiveWindow, IsInsufficientBelowTheMinimumRows) {
  LiveWindow w(two_bin_reference(), 1000);
  for (std::size_t i = 0; i + 1 < kMinRows; ++i) w.add({1.0}, 0.1);
  const auto j = w.to_json();
  EXPECT_EQ(j["count"], kMinRows - 1);
  EXPECT_EQ(j["score"]["psi"], nullptr);
  EXPECT_EQ(j["score"]["status"], "insufficient");
  EXPECT_EQ(j["features"][0]["status"], "insufficient");
  EXPECT_TRUE(std::isnan(w.psi_values()[0].second));
}

TEST(LiveWindow, MissingValuesAreTheirOwnBin) {
  LiveWindow w(two_bin_reference(), 100);
  // Half low, half high as in training, but 30 rows without a value: (0.35 - 0.5) ln(0.35 / 0.5)
  // twice plus (0.3 - 1e-4) ln(0.3 / 1e-4) for the missing bin that training left empty.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int i = 0; i < 35; ++i) w.add({10.0}, 0.1);
  for (int i = 0; i < 35; ++i) w.add({90.0}, 0.9);
  for (int i = 0; i < 30; ++i) w.add({nan}, i % 2 ? 0.1 : 0.9);
  const double expected =
      2 * (0.35 - 0.5) * std::log(0.35 / 0.5) + (0.3 - kEmptyShare) * std::log(0.3 / kEmptyShare);
  EXPECT_NEAR(w.psi_values()[0].second, expected, 1e-12);
  EXPECT_EQ(w.to_json()["features"][0]["status"], "red");
  EXPECT_NEAR(w.psi_values()[1].second, 0.0, 1e-12);  // the score: 50 low, 50 high
}

TEST(LiveWindow, ComputesPsiOfTheWindowAndEvictsTheOldestRows) {
  LiveWindow w(two_bin_reference(), 100);
  // 30 low and 70 high values: PSI 0.16946 (hand-computed in drift_test), amber.
  for (int i = 0; i < 30; ++i) w.add({10.0}, 0.9);
  for (int i = 0; i < 70; ++i) w.add({90.0}, 0.9);
  auto psis = w.psi_values();
  ASSERT_EQ(psis.size(), 2u);
  EXPECT_EQ(psis[0].first, "x");
  EXPECT_NEAR(psis[0].second, 0.16945957207744072, 1e-12);
  EXPECT_EQ(psis[1].first, "score");
  EXPECT_EQ(w.to_json()["features"][0]["status"], "amber");
  EXPECT_EQ(w.to_json()["score"]["status"], "red");  // every score in the top bin
  // 50 more low values push out the 30 low and 20 of the high ones: 50 / 50, PSI 0.
  for (int i = 0; i < 50; ++i) w.add({10.0}, 0.1);
  EXPECT_EQ(w.count(), 100u);
  EXPECT_NEAR(w.psi_values()[0].second, 0.0, 1e-12);
  const auto j = w.to_json();
  EXPECT_EQ(j["window_size"], 100);
  EXPECT_EQ(j["thresholds"]["amber"], 0.1);
  EXPECT_EQ(j["thresholds"]["red"], 0.25);
  ASSERT_EQ(j["features"][0]["bins"].size(), 2u);
  const auto& b = j["features"][0]["bins"][0];
  EXPECT_EQ(b["lo"], 1.0);
  EXPECT_EQ(b["hi"], 50.5);
  EXPECT_EQ(b["reference"], 0.5);
  EXPECT_EQ(b["live"], 0.5);
  EXPECT_EQ(j["features"][0]["psi"], 0.0);
}

TEST(LiveWindow, RefusesRowsOfTheWrongWidthAndAnEmptyWindow) {
  LiveWindow w(two_bin_reference(), 10);
  EXPECT_THROW_MSG(w.add({1.0, 2.0}, 0.5), InternalError, "has 2 values, expected 1");
  EXPECT_THROW_MSG(LiveWindow(two_bin_reference(), 0), UsageError, "at least one row");
}

// The drill-down of one column: the window's last rows compared as `loanrisk monitor` compares a
// file (the same function), its PSI the window's own, the evicted rows gone from KS and W1.
TEST(LiveWindow, DetailsAColumnOfItsLastRowsAsMonitorDoes) {
  const ModelReference ref = two_bin_reference();
  LiveWindow w(ref, 100);
  for (int i = 0; i < 50; ++i) w.add({1000.0}, 0.5);  // evicted below
  std::vector<double> kept;
  for (int i = 0; i < 100; ++i) {
    const double v = i < 30 ? 10.0 + i : 60.0 + i % 40;
    w.add({v}, 0.2);
    kept.push_back(v);
  }
  const nlohmann::json x = w.column_json("x");
  const nlohmann::json want = compare_feature(ref.features[0], kept).to_json(ref.features[0]);
  for (const char* key : {"psi", "ks", "wasserstein", "mean", "reference_mean", "status", "bins"}) {
    EXPECT_EQ(x[key], want[key]) << key;
  }
  EXPECT_NEAR(x["psi"].get<double>(), w.psi_values()[0].second, 1e-12);
  double sum = 0;
  for (double v : kept) sum += v;
  EXPECT_DOUBLE_EQ(x["mean"].get<double>(), sum / 100);
  EXPECT_LT(x["ks"].get<double>(), 1.0);  // the 1000s left the window
  EXPECT_EQ(w.column_json("score")["count"], 100);
  EXPECT_TRUE(w.column_json("nope").is_null());
}

}  // namespace
}  // namespace loanrisk::monitor
