// The JSON writer of the predict route and the prediction log: its text parses back (nlohmann) to
// what was written, with escapes, nesting, shortest round-trip numbers and null for non-finite
// ones.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
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

// The escaping scans eight bytes at a time: every byte value, at every position of strings
// around the word size, is written exactly as a byte-by-byte escape writes it.
std::string escaped_byte_by_byte(const std::string& text, bool non_ascii) {
  std::string out = "\"";
  for (unsigned char c : text) {
    char buf[8];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || (non_ascii && c >= 0x80)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

TEST(JsonWriter, EveryByteAtEveryPositionIsEscapedAsByByte) {
  for (bool non_ascii : {false, true}) {
    for (std::size_t length : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 24u, 59u, 60u, 61u, 70u}) {
      for (std::size_t at = 0; at < length; ++at) {
        for (int byte = 0; byte < 256; ++byte) {
          std::string text(length, 'a');
          text[at] = static_cast<char>(byte);
          std::string out;
          JsonWriter(out, non_ascii).value(text);
          ASSERT_EQ(out, escaped_byte_by_byte(text, non_ascii))
              << "byte " << byte << " at " << at << " of " << length;
        }
      }
    }
  }
  // Random mixes: several escapes per word, runs of plain text between them.
  std::mt19937 rng(7);
  const std::string alphabet = std::string("ab\"\\\n\x01\x1f \x7f\x80\xc3\xa9\xff") + '\0';
  for (int i = 0; i < 20000; ++i) {
    std::string text(rng() % 80, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    for (bool non_ascii : {false, true}) {
      std::string out;
      JsonWriter(out, non_ascii).value(text);
      ASSERT_EQ(out, escaped_byte_by_byte(text, non_ascii));
      // As a key and a value in an array after another: separators and colon either way.
      out.clear();
      JsonWriter(out, non_ascii)
          .begin_array()
          .value(1)
          .begin_object()
          .key(text)
          .value(text)
          .key("k")
          .value(text)
          .end_object()
          .end_array();
      const std::string e = escaped_byte_by_byte(text, non_ascii);
      ASSERT_EQ(out, "[1,{" + e + ":" + e + ",\"k\":" + e + "}]");
    }
  }
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
