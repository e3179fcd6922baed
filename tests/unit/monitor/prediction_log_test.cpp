// The prediction log's time format: written with milliseconds, parsed back from the forms that
// --since and --until accept, anything else refused.
#include <gtest/gtest.h>

#include "loanrisk/monitor/prediction_log.hpp"

namespace loanrisk::monitor {
namespace {

TEST(UtcTime, RoundTripsTheLogsTimestamps) {
  const std::int64_t t = 1'795'000'000'123;  // 2026-11-18T11:06:40.123Z
  EXPECT_EQ(iso8601_ms(t), "2026-11-18T11:06:40.123Z");
  EXPECT_EQ(parse_utc_time(iso8601_ms(t)), t);
  EXPECT_EQ(prediction_log_file_name(t, 3), "predictions-20261118-3.jsonl");
}

TEST(UtcTime, AcceptsDaysMinutesSecondsAndFractions) {
  EXPECT_EQ(parse_utc_time("1970-01-02"), 86'400'000);
  EXPECT_EQ(parse_utc_time("1970-01-01T01:02Z"), 3'720'000);
  EXPECT_EQ(parse_utc_time("1970-01-01 00:00:05"), 5'000);
  EXPECT_EQ(parse_utc_time("1970-01-01T00:00:05.4Z"), 5'400);
  EXPECT_EQ(parse_utc_time("1970-01-01T00:00:05.04"), 5'040);
}

TEST(UtcTime, RefusesAnythingElse) {
  for (const char* bad :
       {"yesterday", "", "2026-13-01", "2026-11-32", "2026-11-28T1:02", "2026-11-28T25:00",
        "2026-11-28T01:02:03.", "2026-11-28T01:02:03.1234", "2026/11/28", "2026-11-28X",
        // A long fraction was read as an int before its length was checked (found by
        // fuzz_prediction_log: signed overflow under UBSan).
        "2026-11-20T01:02:03.333333333333300000000000000000001009"}) {
    EXPECT_FALSE(parse_utc_time(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace loanrisk::monitor
