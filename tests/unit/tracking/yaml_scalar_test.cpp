// The YAML scalar emitter: words stay plain, everything a YAML 1.1 reader could read as something
// else (a boolean, null, number, comment, sequence, alias, tag, block scalar) or break on (a
// newline, a control character, a separator, bytes that are not UTF-8) is double-quoted with
// escapes. tests/interop/mlflow_export_yaml.py reads whole exports back with PyYAML.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loanrisk/tracking/yaml_scalar.hpp"

namespace loanrisk::testing {
namespace {

struct Case {
  std::string in;
  std::string out;
};

TEST(YamlScalar, WordsArePlain) {
  for (const std::string w : {"loan-default", "tuning", "a_b.c/d", "_x", "Default", "champion",
                              "e5", "nano", "yesterday", "nullable", "Onward"}) {
    EXPECT_EQ(yaml_scalar(w), w);
  }
}

TEST(YamlScalar, QuotesWhatWouldReadAsSomethingElse) {
  const std::vector<Case> cases = {
      {"", R"("")"},
      // booleans and null of YAML 1.1, any case
      {"yes", R"("yes")"},
      {"No", R"("No")"},
      {"TRUE", R"("TRUE")"},
      {"off", R"("off")"},
      {"y", R"("y")"},
      {"Null", R"("Null")"},
      {"~", R"("~")"},
      // numbers, dates and special floats as strings
      {"0", R"("0")"},
      {"007", R"("007")"},
      {"1e3", R"("1e3")"},
      {"-1", R"("-1")"},
      {".inf", R"(".inf")"},
      {"2026-12-07", R"("2026-12-07")"},
      {"0x1F", R"("0x1F")"},
      // indicators at the start, separators inside
      {"- d", R"("- d")"},
      {":a", R"(":a")"},
      {"*ref", R"("*ref")"},
      {"&anchor", R"("&anchor")"},
      {"!tag", R"("!tag")"},
      {"|block", R"("|block")"},
      {">folded", R"(">folded")"},
      {"a: b #c", R"("a: b #c")"},
      {"#comment", R"("#comment")"},
      {"a b", R"("a b")"},
      {"key:", R"("key:")"},
      {"[x]", R"("[x]")"},
      {"{x}", R"("{x}")"},
      {"a,b", R"("a,b")"},
      {"@at", R"("@at")"},
      {"%x", R"("%x")"},
      {"file:///tmp/a%20b", R"("file:///tmp/a%20b")"},
      // quotes and backslashes
      {"say \"hi\"", R"("say \"hi\"")"},
      {"it's", R"("it's")"},
      {"C:\\dir", R"("C:\\dir")"},
  };
  for (const auto& c : cases) EXPECT_EQ(yaml_scalar(c.in), c.out) << "input: " << c.in;
}

TEST(YamlScalar, EscapesControlCharactersAndSeparators) {
  const std::vector<Case> cases = {
      {"a\nb", R"("a\nb")"},
      {"a\tb", R"("a\tb")"},
      {"a\rb", R"("a\rb")"},
      {std::string("a\0b", 3), R"("a\0b")"},
      {"bell\x07", R"("bell\x07")"},
      {"esc\x1b", R"("esc\x1B")"},
      {"del\x7f", R"("del\x7F")"},
      {"nel\xc2\x85", R"("nel\x85")"},      // U+0085, a YAML line break
      {"c1\xc2\x9f", R"("c1\x9F")"},        // U+009F, not printable in YAML
      {"ls\xe2\x80\xa8", R"("ls\u2028")"},  // line separator
      {"ps\xe2\x80\xa9", R"("ps\u2029")"},  // paragraph separator
      {"\xef\xbb\xbf"
       "bom",
       R"("\uFEFFbom")"},                   // a byte order mark inside the text
      {"nc\xef\xbf\xbe", R"("nc\uFFFE")"},  // a non-character
      {"bad\xff", "\"bad\xef\xbf\xbd\""},   // not UTF-8: U+FFFD
  };
  for (const auto& c : cases) EXPECT_EQ(yaml_scalar(c.in), c.out) << "input: " << c.in;
}

TEST(YamlScalar, KeepsPrintableUnicode) {
  EXPECT_EQ(yaml_scalar("Zürich"), "\"Zürich\"");  // non-ASCII: quoted, written as is
  EXPECT_EQ(yaml_scalar("模型 🚀"), "\"模型 🚀\"");
  EXPECT_EQ(yaml_scalar("nbsp\xc2\xa0"), "\"nbsp\xc2\xa0\"");  // U+00A0 is printable
}

}  // namespace
}  // namespace loanrisk::testing
