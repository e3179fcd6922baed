#pragma once
// Shortest decimal text of a double that reads back to the same value (what `loanrisk predict`
// writes), for CSV answers, messages and metrics.
#include <charconv>
#include <string>

namespace loanrisk {

/// Shortest round-trip text of a value.
inline std::string number_text(double value) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, r.ptr);
}

/// Shortest round-trip text without exponent (10000000, not 1e+07), for messages people read.
inline std::string fixed_text(double value) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace loanrisk
