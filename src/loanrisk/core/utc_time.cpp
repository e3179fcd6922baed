#include "loanrisk/core/utc_time.hpp"

#include <cstdio>
#include <ctime>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {

std::string iso8601_ms(std::int64_t time_ms) {
  const std::time_t t = static_cast<std::time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(time_ms % 1000));
  return buf;
}

namespace {

/// The number in text[pos, pos + n) when all are digits.
std::optional<int> digits(const std::string& text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::int64_t> parse_utc_time(const std::string& text) {
  // Hand-written rather than a regex: it runs once per log line.
  std::size_t n = text.size();
  if (n > 0 && text[n - 1] == 'Z') --n;
  const auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  if (n < 10 || !year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  std::int64_t ms = 0;
  if (n > 10) {
    const auto hour = digits(text, 11, 2), minute = digits(text, 14, 2);
    if (n < 16 || (text[10] != 'T' && text[10] != ' ') || !hour || !minute || text[13] != ':') {
      return std::nullopt;
    }
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    if (n > 16) {
      const auto second = digits(text, 17, 2);
      if (n < 19 || text[16] != ':' || !second) return std::nullopt;
      tm.tm_sec = *second;
      if (n > 19) {
        const std::size_t frac = n - 20;
        // The length first: digits() of a long run of digits would overflow an int.
        if (text[19] != '.' || frac < 1 || frac > 3) return std::nullopt;
        const auto f = digits(text, 20, frac);
        if (!f) return std::nullopt;
        ms = *f * (frac == 1 ? 100 : frac == 2 ? 10 : 1);
      }
    }
  }
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

std::optional<std::int64_t> utc_time_flag(const std::string& flag, const std::string& value) {
  if (value.empty()) return std::nullopt;
  const auto t = parse_utc_time(value);
  if (!t) {
    throw UsageError(flag + " '" + echo_text(value, 40) +
                     "' is not a UTC time: use 2026-11-01 or 2026-11-01T08:00:00Z");
  }
  return t;
}

}  // namespace loanrisk
