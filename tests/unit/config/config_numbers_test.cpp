// Numbers in loanrisk.toml that no setting can hold are UsageErrors, not undefined behaviour.
#include <gtest/gtest.h>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

// Found by the config fuzz target (tests/fuzz/regressions/config/): a seed of 2^64 or more was
// converted to the seed's 64-bit type, which UBSan reports as undefined behaviour.
TEST(ConfigNumbers, SeedBeyond64BitsIsRefused) {
  EXPECT_THROW_MSG(parse_config("[split]\nseed = 1e300\n", "loanrisk.toml"), UsageError,
                   "'split.seed' must be a whole number from 0 to 18446744073709551615");
  EXPECT_THROW_MSG(parse_config("[split]\nseed = 18446744073709551616.0\n", "loanrisk.toml"),
                   UsageError, "split.seed");
  EXPECT_EQ(parse_config("[split]\nseed = 18446744073709549568.0\n", "loanrisk.toml").split.seed,
            18446744073709549568u);
}

}  // namespace
}  // namespace loanrisk
