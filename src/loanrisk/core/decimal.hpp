#pragma once
// Decimal text read fast where that is exact. Most numbers in a loan book are plain decimals of a
// few digits ("5221.545193"); std::from_chars's general algorithm cost 12% of `predict`. Such a
// number of at most 15 digits is an integer below 2^53 over a power of ten up to 10^15, both exact
// doubles, and one IEEE division of exact operands is correctly rounded (Clinger's fast path), so
// the result is the double from_chars gives, bit for bit.
#include <cstdint>
#include <string_view>

namespace loanrisk {

/// Reads s when it is [-]digits[.digits] with at most 15 digits in all; false otherwise (an
/// exponent, a '+', more digits, anything else), and the caller falls back to std::from_chars.
inline bool parse_plain_decimal(std::string_view s, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = s.data();
  const char* end = p + s.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int fraction = -1;  // digits after the point; -1 before it
  for (; p != end; ++p) {
    const char c = *p;
    if (c >= '0' && c <= '9') {
      if (++digits > 15) return false;
      mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
      if (fraction >= 0) ++fraction;
    } else if (c == '.' && fraction < 0 && digits > 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || fraction == 0) return false;  // "", "-", "5." go to from_chars
  // Whole numbers (most columns of a loan book) skip the division: it was 3% of predict's time.
  const double whole = static_cast<double>(mantissa);
  const double v = fraction < 0 ? whole : whole / kPow10[fraction];
  out = negative ? -v : v;
  return true;
}

}  // namespace loanrisk
