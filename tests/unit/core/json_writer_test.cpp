// The JSON writer of the predict route and the prediction log: its text parses back (nlohmann) to
// what was written, with escapes, nesting, shortest round-trip numbers and null for non-finite
// ones.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "loanrisk/core/json_writer.hpp"

namespace loanrisk {
namespace {

TEST(JsonWriter, NestedContainersAndSeparators) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a").value(1).key("empty").begin_array().end_array();
  w.key("list").begin_array();
  for (int i = 0; i < 3; ++i) w.begin_object().key("i").value(i).end_object();
  w.end_array();
  w.key("obj").begin_object().end_object().key("last").value("x");
  w.end_object();
  EXPECT_EQ(out, R"({"a":1,"empty":[],"list":[{"i":0},{"i":1},{"i":2}],"obj":{},"last":"x"})");
}

TEST(JsonWriter, StringsAreEscapedAndParseBack) {
  const std::string text = std::string("quote \" backslash \\ newline \n tab \t cr \r bell ") +
                           '\a' + " nul " + std::string(1, '\0') + " end, caf\xc3\xa9";
  std::string out;
  JsonWriter(out).begin_object().key("k\"ey").value(text).end_object();
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed.at("k\"ey").get<std::string>(), text);
  EXPECT_NE(out.find("\\u0007"), std::string::npos) << out;
  EXPECT_NE(out.find("\\u0000"), std::string::npos) << out;
}

// UTF-8 passes as it is; with escape_non_ascii every byte above 127 becomes its \u00XX code point,
// so even text that is not UTF-8 gives valid JSON.
TEST(JsonWriter, NonAsciiBytesPassOrAreEscaped) {
  const std::string utf8 = "caf\xc3\xa9";
  std::string plain;
  JsonWriter(plain).value(utf8);
  EXPECT_EQ(plain, "\"caf\xc3\xa9\"");
  std::string escaped;
  JsonWriter(escaped, true).begin_array().value(std::string("\xe9")).value(true).end_array();
  EXPECT_EQ(escaped, "[\"\\u00e9\",true]");
  EXPECT_EQ(nlohmann::json::parse(escaped)[0].get<std::string>(), "\u00e9");
}

TEST(JsonWriter, NumbersRoundTripAndNonFiniteIsNull) {
  const double values[] = {0.1, 1.0 / 3.0, 5200.0, -2.5e-300, 1e21, 0.0};
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (double v : values) w.value(v);
  w.value(std::numeric_limits<double>::quiet_NaN());
  w.value(-std::numeric_limits<double>::infinity());
  w.value(static_cast<long long>(-42));
  w.end_array();
  const auto parsed = nlohmann::json::parse(out);
  ASSERT_EQ(parsed.size(), 9u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(parsed[i].get<double>(), values[i]) << out;
  EXPECT_TRUE(parsed[6].is_null());
  EXPECT_TRUE(parsed[7].is_null());
  EXPECT_EQ(parsed[8].get<long long>(), -42);
  EXPECT_NE(out.find("0.1,"), std::string::npos) << "shortest text: " << out;
}

}  // namespace
}  // namespace loanrisk
