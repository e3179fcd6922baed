// Every bad value in [serve] and [serve.prediction_log] names the file, line and column it is at,
// and a whole number is checked before it is converted (no float or huge integer slips through).
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/serve/settings.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

void apply(const std::string& toml) {
  ServeSettings s;
  apply_serve_toml_text(s, toml, "c.toml");
}

TEST(ServeSettingsToml, BadValuesGiveFileLineAndColumn) {
  EXPECT_THROW_MSG(apply("[serve]\nport = \"x\"\n"), UsageError, "c.toml:2:8");
  EXPECT_THROW_MSG(apply("[serve]\nhost = \"h\"\n  threads = 2.5\n"), UsageError, "c.toml:3:13");
  EXPECT_THROW_MSG(apply("[serve]\nlgd = 1.5\n"), UsageError, "c.toml:2:7");
  EXPECT_THROW_MSG(apply("[serve]\nprot = 1\n"), UsageError, "c.toml:2:1");
  EXPECT_THROW_MSG(apply("[serve]\ngrades = [{ name = \"A\", max_pd = \"high\" }]\n"), UsageError,
                   "c.toml:2:34");
  EXPECT_THROW_MSG(apply("[serve]\njob_data_dirs = [\"/a\", 3]\n"), UsageError, "c.toml:2:24");
  EXPECT_THROW_MSG(apply("[serve]\nlog_level = \"loud\"\n"), UsageError, "c.toml:2:13");
}

TEST(ServeSettingsToml, IntegersAreCheckedBeforeConversion) {
  // 2^40 does not fit the port's int: refused, not wrapped round to another port.
  EXPECT_THROW_MSG(apply("[serve]\nport = 1099511627776\n"), UsageError,
                   "[serve] port must be an integer >= 0 and <= 65535; got 1099511627776");
  EXPECT_THROW_MSG(apply("[serve]\nmax_batch = -1\n"), UsageError, "c.toml:2:13");
}

TEST(PredictionLogSettingsToml, BadValuesGiveFileLineAndColumn) {
  EXPECT_THROW_MSG(apply("[serve.prediction_log]\nqueue_capacity = 2.5\n"), UsageError,
                   "c.toml:2:18");
  EXPECT_THROW_MSG(apply("[serve.prediction_log]\nsample_rate = \"all\"\n"), UsageError,
                   "c.toml:2:15");
  EXPECT_THROW_MSG(apply("[serve.prediction_log]\nhash_customer_id = 1\n"), UsageError,
                   "c.toml:2:20");
  EXPECT_THROW_MSG(apply("[serve.prediction_log]\nfolder = \"p\"\n"), UsageError, "c.toml:2:1");
  EXPECT_THROW_MSG(apply("[serve.prediction_log]\ndurability = \"later\"\n"), UsageError,
                   "c.toml:2:14");
}

}  // namespace
}  // namespace loanrisk
