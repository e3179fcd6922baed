#pragma once
// UTC times as text: the prediction log's timestamps, the --since/--until flags and the outcome
// file's observation dates all read and write the same ISO 8601 forms.
#include <cstdint>
#include <optional>
#include <string>

namespace loanrisk {

/// "2026-11-28T01:02:03.456Z" for a Unix time in milliseconds.
std::string iso8601_ms(std::int64_t time_ms);

/// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with an optional trailing Z (UTC) into Unix
/// milliseconds; nullopt when the text is not one of those.
std::optional<std::int64_t> parse_utc_time(const std::string& text);

/// A time flag's value (--since, --until): nullopt when empty, UsageError naming the flag and the
/// accepted forms when it is not a UTC time.
std::optional<std::int64_t> utc_time_flag(const std::string& flag, const std::string& value);

}  // namespace loanrisk
