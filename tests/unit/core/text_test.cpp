#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

TEST(Utf8, WellFormedSequencesAreValid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("r\xC3\xA9gion"));              // é
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));               // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));           // U+1F600
  EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));  // NUL is valid UTF-8
}

TEST(Utf8, MalformedSequencesAreInvalid) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("r\xE9gion"));         // Latin-1 é
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(to_valid_utf8("r\xE9gion"), "r\xEF\xBF\xBDgion");
  EXPECT_EQ(to_valid_utf8("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(to_valid_utf8("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xE2\x82 \xF0\x9F")));
}

TEST(Utf8, EchoShowsControlBytesAndTruncates) {
  EXPECT_EQ(echo_text(std::string_view("a\0b\nc", 5)), "a\\x00b\\x0ac");
  EXPECT_EQ(echo_text("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(echo_text(std::string(300, 'x'), 10), std::string(10, 'x') + "... (290 more bytes)");
  // A multi-byte character is never cut in half.
  const std::string text = echo_text("\xE2\x82\xAC\xE2\x82\xAC", 4);
  EXPECT_TRUE(is_valid_utf8(text)) << text;
}

TEST(Utf8, DumpJsonNeverThrowsOnInvalidText) {
  const nlohmann::json j = {{"path", "/api/v1/studies/\xFF"}, {"n", 1}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);
  const std::string text = dump_json(j);
  EXPECT_EQ(text, "{\"n\":1,\"path\":\"/api/v1/studies/\xEF\xBF\xBD\"}");
  EXPECT_TRUE(nlohmann::json::accept(text));
}

TEST(NumberText, ShortestRoundTrip) {
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(5.0), "5");
  EXPECT_EQ(format_double(-0.25), "-0.25");
  EXPECT_EQ(format_double(1e20), "1e+20");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_double(std::numeric_limits<double>::quiet_NaN()), "nan");
  for (double v : {0.1 + 0.2, 1.0 / 3.0, -2.2250738585072014e-308, 1.7976931348623157e308}) {
    EXPECT_EQ(std::stod(format_double(v)), v) << format_double(v);
  }
}

TEST(NumberText, FixedHasNoExponent) {
  EXPECT_EQ(format_fixed(1e7), "10000000");
  EXPECT_EQ(format_fixed(0.5), "0.5");
  EXPECT_EQ(format_fixed(-300), "-300");
  EXPECT_EQ(format_fixed(1.7976931348623157e308).size(), 309u);
}

TEST(Join, SeparatorOnlyBetweenItems) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"a"}), "a");
  EXPECT_EQ(join({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(join({"", "b"}), ", b");
  EXPECT_EQ(join({"x", "y"}, ","), "x,y");
}

}  // namespace
}  // namespace loanrisk
