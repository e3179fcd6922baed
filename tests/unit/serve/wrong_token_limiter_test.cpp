// Wrong tokens per client address: counted in a window, refused (429) once past the limit for the
// rest of the window, other addresses untouched, memory bounded.
#include "loanrisk/serve/wrong_token_limiter.hpp"

#include <gtest/gtest.h>

namespace loanrisk {
namespace {

using std::chrono::seconds;
using Clock = WrongTokenLimiter::Clock;

TEST(WrongTokenLimiter, BlocksAnAddressPastTheLimitUntilItsWindowEnds) {
  WrongTokenLimiter limiter(3, seconds(60));
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.blocked_for("10.0.0.7", t0 + seconds(i)), 0) << i;
    limiter.failed("10.0.0.7", t0 + seconds(i));
  }
  // The window opened at the first failure: 60 s from t0.
  EXPECT_EQ(limiter.blocked_for("10.0.0.7", t0 + seconds(3)), 57);
  EXPECT_EQ(limiter.blocked_for("10.0.0.7", t0 + seconds(59) + std::chrono::milliseconds(500)), 1);
  EXPECT_EQ(limiter.blocked_for("10.0.0.8", t0 + seconds(3)), 0);   // another address
  EXPECT_EQ(limiter.blocked_for("10.0.0.7", t0 + seconds(60)), 0);  // a new window
  limiter.failed("10.0.0.7", t0 + seconds(61));
  EXPECT_EQ(limiter.blocked_for("10.0.0.7", t0 + seconds(61)), 0);  // 1 of 3 again
}

TEST(WrongTokenLimiter, KeepsAtMostMaxAddresses) {
  WrongTokenLimiter limiter(1, seconds(60), 100);
  const Clock::time_point t0{};
  for (int i = 0; i < 1000; ++i) {
    limiter.failed("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256),
                   t0 + std::chrono::milliseconds(i));
  }
  // The newest stay counted (and blocked at limit 1); the oldest were let go to bound memory.
  EXPECT_GT(limiter.blocked_for("10.0.3.231", t0 + seconds(2)), 0);
  EXPECT_EQ(limiter.blocked_for("10.0.0.0", t0 + seconds(2)), 0);
}

TEST(WrongTokenLimiter, HostOfDropsThePort) {
  EXPECT_EQ(WrongTokenLimiter::host_of("10.0.0.7:5555"), "10.0.0.7");
  EXPECT_EQ(WrongTokenLimiter::host_of("::1:5555"), "::1");
  EXPECT_EQ(WrongTokenLimiter::host_of("2001:db8::2:443"), "2001:db8::2");
  EXPECT_EQ(WrongTokenLimiter::host_of(""), "");
}

}  // namespace
}  // namespace loanrisk
