// Anchoring PDs to a portfolio default rate: one log-odds shift makes the mean PD of the given
// rows equal the target, keeps the ranking, survives the JSON round trip, and bad rates or
// tampered JSON are refused.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/models/calibrator.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

double mean(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return s / static_cast<double>(v.size());
}

TEST(CalibratorAnchor, TheMeanPdOfTheRowsIsTheTargetAndTheOrderIsKept) {
  // Raw PDs with mean about 0.18 (the synthetic sample's rate), a Platt calibrator on them.
  std::vector<double> raw, y;
  for (int i = 0; i < 2000; ++i) {
    const double p = 0.01 + 0.6 * ((i * 7919) % 2000) / 2000.0;
    raw.push_back(p);
    y.push_back((i * 104729) % 1000 < p * 1000 ? 1 : 0);
  }
  for (const char* method : {"none", "platt", "isotonic"}) {
    SCOPED_TRACE(method);
    Calibrator c = Calibrator::fit(method, raw, y);
    const std::vector<double> before = c.apply(raw);
    c.anchor(0.035, raw);
    const std::vector<double> after = c.apply(raw);
    EXPECT_NEAR(mean(after), 0.035, 1e-12);
    EXPECT_LT(c.shift(), 0);  // the sample's rate is above 3.5%: every PD moves down
    EXPECT_EQ(c.target_rate(), 0.035);
    // The shift is one monotone map: the order of any two rows is kept (ties stay ties).
    for (std::size_t i = 1; i < raw.size(); ++i) {
      if (before[i] < before[i - 1]) {
        EXPECT_LE(after[i], after[i - 1]);
      }
      if (before[i] > before[i - 1]) {
        EXPECT_GE(after[i], after[i - 1]);
      }
    }
    // The closed form for one row: sigmoid(logit(p) + d).
    const double p = before[5];
    EXPECT_NEAR(after[5], 1 / (1 + std::exp(-(std::log(p / (1 - p)) + c.shift()))), 1e-15);
    const Calibrator back = Calibrator::from_json(c.to_json());
    EXPECT_EQ(back.apply(raw), after);
    EXPECT_EQ(back.shift(), c.shift());
  }
  // A rate above the sample's moves PDs up.
  Calibrator up = Calibrator::fit("platt", raw, y);
  up.anchor(0.5, raw);
  EXPECT_GT(up.shift(), 0);
  EXPECT_NEAR(mean(up.apply(raw)), 0.5, 1e-12);
}

TEST(CalibratorAnchor, BadRatesAndTamperedJsonAreRefused) {
  Calibrator c;
  for (const double bad : {0.0, 1.0, -0.1, std::nan("")}) {
    EXPECT_THROW_MSG(c.anchor(bad, {0.1, 0.2}), UsageError, "strictly between 0 and 1");
  }
  EXPECT_THROW_MSG(c.anchor(0.1, {}), InputError, "no training row");
  EXPECT_TRUE(std::isnan(Calibrator().target_rate()));  // not anchored: nothing in the JSON
  EXPECT_FALSE(Calibrator().to_json().contains("shift"));
  EXPECT_THROW_MSG(
      Calibrator::from_json({{"method", "none"}, {"target_rate", 1.5}, {"shift", 0.1}}), InputError,
      "target_rate must be in (0, 1)");
  EXPECT_THROW_MSG(Calibrator::from_json({{"method", "none"}, {"target_rate", 0.1}}), InputError,
                   "calibrator is malformed");
  EXPECT_THROW_MSG(
      Calibrator::from_json({{"method", "none"}, {"target_rate", "x"}, {"shift", 0.1}}), InputError,
      "calibrator is malformed");
}

}  // namespace
}  // namespace loanrisk
