#include <gtest/gtest.h>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

TEST(RuntimeConfig, ThreadsAreReadAndZeroMeansAutomatic) {
  EXPECT_FALSE(parse_config("", "x.toml").threads.has_value());
  EXPECT_FALSE(parse_config("[runtime]\n", "x.toml").threads.has_value());
  EXPECT_EQ(parse_config("[runtime]\nthreads = 3\n", "x.toml").threads, 3);
  EXPECT_EQ(parse_config("[runtime]\nthreads = 0\n", "x.toml").threads, 0);
  EXPECT_EQ(parse_config("[runtime]\nthreads = 256\n", "x.toml").threads, 256);
}

TEST(RuntimeConfig, BadThreadsNameTheKeyAndTheRange) {
  const std::vector<testing::Refusal> refused = {
      {"[runtime]\nthreads = -1\n",
       "x.toml:2:11: 'runtime.threads' must be an integer from 0 to 256"},
      {"[runtime]\nthreads = 257\n", "'runtime.threads' must be an integer from 0 to 256"},
      {"[runtime]\nthreads = 1e9\n", "'runtime.threads' must be an integer from 0 to 256"},
      {"[runtime]\nthreads = 2.0\n", "without a decimal point or exponent"},
      {"[runtime]\nthreads = \"four\"\n", "'runtime.threads' must be an integer"},
      {"[runtime]\nthread = 2\n", "unknown key 'thread' in [runtime]; known keys: threads"},
      {"runtime = 2\n", "runtime"},
  };
  testing::expect_refusals<UsageError>(
      [](const std::string& t) { return parse_config(t, "x.toml"); }, refused);
}

TEST(RuntimeConfig, ReadFromAFileThatHoldsOtherSections) {
  testing::TempDir dir;
  const auto file = dir / "loanrisk.toml";
  testing::write_text(file, "[serve]\nport = 9000\n[runtime]\nthreads = 2\n");
  EXPECT_EQ(load_runtime_threads(file), 2);
  testing::write_text(file, "[serve]\nport = 9000\n");
  EXPECT_FALSE(load_runtime_threads(file).has_value());
  testing::write_text(file, "[runtime]\nthreads = 1000\n");
  EXPECT_THROW_MSG(load_runtime_threads(file), UsageError, "'runtime.threads' must be an integer");
}

}  // namespace
}  // namespace loanrisk
