// Integer settings of [tuning] accept TOML integers only.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/settings.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

// Found by the tuning-settings fuzz target (tests/fuzz/regressions/tuning_settings/): toml++'s
// value<int64_t>() converts a float unchecked, so `trials = 1e300` was undefined behaviour (UBSan)
// and `trials = 2.5` silently ran 2 trials.
TEST(TuningSettingsIntegers, FloatsAreRefused) {
  EXPECT_THROW_MSG(parse_tuning_settings("[tuning]\ntrials = 1e300\n", "t.toml"), UsageError,
                   "'trials' must be an integer >= 1");
  EXPECT_THROW_MSG(parse_tuning_settings("[tuning]\ncv_folds = 2.5\n", "t.toml"), UsageError,
                   "'cv_folds' must be an integer");
  EXPECT_EQ(parse_tuning_settings("[tuning]\ntrials = 7\n", "t.toml").trials, 7);
}

}  // namespace
}  // namespace loanrisk
