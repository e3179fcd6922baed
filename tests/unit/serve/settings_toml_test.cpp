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

// One table for both sections: each bad value and the file:line:column its message gives.
TEST(ServeSettingsToml, BadValuesGiveFileLineAndColumn) {
  testing::expect_refusals<UsageError>(
      apply, {{"[serve]\nport = \"x\"\n", "c.toml:2:8"},
              {"[serve]\nhost = \"h\"\n  threads = 2.5\n", "c.toml:3:13"},
              {"[serve]\nlgd = 1.5\n", "c.toml:2:7"},
              {"[serve]\nprot = 1\n", "c.toml:2:1"},
              {"[serve]\ngrades = [{ name = \"A\", max_pd = \"high\" }]\n", "c.toml:2:34"},
              {"[serve]\njob_data_dirs = [\"/a\", 3]\n", "c.toml:2:24"},
              {"[serve]\nlog_level = \"loud\"\n", "c.toml:2:13"},
              {"[serve]\njob_max_running = 0\n", "c.toml:2:19"},
              {"[serve]\njob_max_running_per_person = 1.5\n", "c.toml:2:30"},
              {"[serve]\njob_max_queued_per_person = -1\n", "c.toml:2:29"},
              {"[serve.prediction_log]\nqueue_capacity = 2.5\n", "c.toml:2:18"},
              {"[serve.prediction_log]\nsample_rate = \"all\"\n", "c.toml:2:15"},
              {"[serve.prediction_log]\nhash_customer_id = 1\n", "c.toml:2:20"},
              {"[serve.prediction_log]\nfolder = \"p\"\n", "c.toml:2:1"},
              {"[serve.prediction_log]\ndurability = \"later\"\n", "c.toml:2:14"}});
}

TEST(ServeSettingsToml, IntegersAreCheckedBeforeConversion) {
  // 2^40 does not fit the port's int: refused, not wrapped round to another port.
  testing::expect_refusals<UsageError>(
      apply, {{"[serve]\nport = 1099511627776\n",
               "[serve] port must be an integer >= 0 and <= 65535; got 1099511627776"},
              {"[serve]\nmax_batch = -1\n", "c.toml:2:13"}});
}

TEST(ServeSettingsToml, JobLimits) {
  ServeSettings s;
  EXPECT_EQ(s.jobs.max_running, 2);
  EXPECT_EQ(s.jobs.max_running_per_person, 1);
  EXPECT_EQ(s.jobs.max_queued_per_person, 2);
  EXPECT_EQ(s.jobs.stop_grace_seconds, 30);
  apply_serve_toml_text(s,
                        "[serve]\njob_max_running = 4\njob_max_running_per_person = 2\n"
                        "job_max_queued_per_person = 0\njob_stop_grace_seconds = 5\n",
                        "c.toml");
  EXPECT_EQ(s.jobs.max_running, 4);
  EXPECT_EQ(s.jobs.max_running_per_person, 2);
  EXPECT_EQ(s.jobs.max_queued_per_person, 0);
  EXPECT_EQ(s.jobs.stop_grace_seconds, 5);
  EXPECT_THROW_MSG(apply_serve_toml_text(s, "[serve]\njob_stop_grace_seconds = 0\n", "c.toml"),
                   UsageError, "c.toml:2:26");
}

}  // namespace
}  // namespace loanrisk
