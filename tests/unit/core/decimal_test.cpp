// parse_plain_decimal against std::from_chars: the same double bit for bit wherever it answers,
// and no answer for text outside its form.
#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <string>

#include "loanrisk/core/decimal.hpp"
#include "loanrisk/core/rng.hpp"

namespace loanrisk {
namespace {

double from_chars_value(const std::string& s) {
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_EQ(r.ec, std::errc()) << s;
  EXPECT_EQ(r.ptr, s.data() + s.size()) << s;
  return v;
}

void expect_same(const std::string& s) {
  double got = 0;
  ASSERT_TRUE(parse_plain_decimal(s, got)) << s;
  const double want = from_chars_value(s);
  EXPECT_EQ(std::memcmp(&got, &want, sizeof got), 0) << s << ": " << got << " vs " << want;
}

TEST(PlainDecimal, RandomDecimalsOfUpToFifteenDigitsEqualFromChars) {
  Rng rng(7);
  for (int i = 0; i < 200'000; ++i) {
    const int digits = 1 + static_cast<int>(rng.uniform() * 15);
    const int point = static_cast<int>(rng.uniform() * digits);  // 0: no point
    std::string s = rng.uniform() < 0.3 ? "-" : "";
    for (int d = 0; d < digits; ++d) {
      if (point > 0 && d == point) s += '.';
      s += static_cast<char>('0' + static_cast<int>(rng.uniform() * 10));
    }
    expect_same(s);
  }
}

TEST(PlainDecimal, EdgesEqualFromChars) {
  for (const char* s :
       {"0", "-0", "0.0", "-0.0", "1", "999999999999999", "99999999999999.9", "0.00000000000001",
        "9.99999999999999", "0.1", "0.3", "5221.545193", "000000000000012", "850", "-300.5"}) {
    expect_same(s);
  }
}

TEST(PlainDecimal, OtherTextIsLeftToFromChars) {
  double v = 0;
  for (const char* s : {"",
                        "-",
                        ".",
                        ".5",
                        "-.5",
                        "5.",
                        "1e5",
                        "1E5",
                        "+5",
                        "--5",
                        "5-",
                        "1.2.3",
                        "1,5",
                        " 5",
                        "5 ",
                        "0x10",
                        "inf",
                        "nan",
                        "1234567890123456",
                        "0.000000000000001"}) {
    EXPECT_FALSE(parse_plain_decimal(s, v)) << s;
  }
}

}  // namespace
}  // namespace loanrisk
