// [model.monotone] and [calibration] target_rate in loanrisk.toml: the domain's directions by
// default, the file's keys on top, and every bad value refused with its place and the fix.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(MonotoneConfig, DomainDirectionsByDefaultAndTheFilesKeysOnTop) {
  TrainConfig c = parse_config("", "loanrisk.toml");
  validate(c);
  const auto m = monotone_constraints(c);
  EXPECT_EQ(m.size(), 10u);  // every default feature is constrained one way
  EXPECT_EQ(m.at("fico_score"), -1);
  EXPECT_EQ(m.at("debt_to_income_ratio"), 1);
  EXPECT_EQ(m.at("income"), -1);
  EXPECT_EQ(m.at("loan_amt_outstanding"), 1);
  TrainConfig f = parse_config(
      "[features]\nuse = [\"fico_score\", \"income\", \"years_employed\"]\n"
      "[model.monotone]\nyears_employed = 0\nincome = 1\n",
      "loanrisk.toml");
  validate(f);
  // Only the model's inputs, without the free ones.
  EXPECT_EQ(monotone_constraints(f),
            (std::map<std::string, int>{{"fico_score", -1}, {"income", 1}}));
  EXPECT_EQ(f.to_json()["model"]["monotone"]["income"], 1);
  f.monotone_enabled = false;  // --no-monotone
  EXPECT_TRUE(monotone_constraints(f).empty());
  EXPECT_EQ(f.to_json()["model"]["monotone"], "off");
}

TEST(MonotoneConfig, BadConstraintsAndRatesSayWhereAndHow) {
  EXPECT_THROW_MSG(parse_config("[model.monotone]\nfico_score = 2\n", "l.toml"), UsageError,
                   "l.toml:2:14");
  EXPECT_THROW_MSG(parse_config("[model.monotone]\nfico_score = -0.5\n", "l.toml"), UsageError,
                   "-1 (the PD falls as it rises), 0 (free) or 1 (the PD rises)");
  EXPECT_THROW_MSG(parse_config("[model.monotone]\nfico = -1\n", "l.toml"), UsageError,
                   "[model.monotone] fico is not a model input; the inputs are: "
                   "credit_lines_outstanding");
  EXPECT_THROW_MSG(parse_config("[calibration]\ntarget_rate = 1\n", "l.toml"), UsageError,
                   "l.toml:2:15");
  EXPECT_THROW_MSG(parse_config("[calibration]\ntarget_rate = 0\n", "l.toml"), UsageError,
                   "e.g. 0.035 for 3.5%");
  EXPECT_THROW_MSG(parse_config("[calibration]\ntarget = 0.1\n", "l.toml"), UsageError,
                   "unknown key 'target'");
  EXPECT_EQ(*parse_config("[calibration]\ntarget_rate = 0.035\n", "l.toml").target_rate, 0.035);
}

}  // namespace
}  // namespace loanrisk
