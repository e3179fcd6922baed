// The one TOML section reader: typed getters, integers checked before conversion, unknown keys
// with the known ones, and file:line:column with a fix in every message, in both styles.
#include "loanrisk/config/toml_section.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

struct Doc {
  explicit Doc(const std::string& text, TomlStyle style = TomlStyle::Located)
      : root(parse_toml(text, "s.toml")), section("s.toml", *root.get("s"), "s", style, "s.") {}
  toml::table root;
  TomlSection section;
};

TEST(TomlSection, ReadsEachTypeAndLeavesAbsentKeysAlone) {
  const Doc d(
      "[s]\nname = \"x\"\nflag = true\ncount = 7\nrate = 0.25\nwhole = 3\n"
      "names = [\"a\", \"b\"]\nmode = \"fast\"\n");
  std::string name, mode = "slow";
  bool flag = false;
  int count = 0;
  std::size_t missing = 42;
  double rate = 0, whole = 0;
  std::vector<std::string> names;
  EXPECT_TRUE(d.section.string("name", name));
  EXPECT_TRUE(d.section.boolean("flag", flag));
  EXPECT_TRUE(d.section.integer("count", count, 1, 10));
  EXPECT_TRUE(d.section.number("rate", rate, {.min = 0, .max = 1}));
  EXPECT_TRUE(d.section.number("whole", whole));  // an integer is a number too
  EXPECT_TRUE(d.section.strings("names", names));
  EXPECT_TRUE(d.section.choice("mode", mode, {"fast", "slow"}));
  EXPECT_FALSE(d.section.integer("missing", missing));
  EXPECT_EQ(name, "x");
  EXPECT_TRUE(flag);
  EXPECT_EQ(count, 7);
  EXPECT_EQ(rate, 0.25);
  EXPECT_EQ(whole, 3.0);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(mode, "fast");
  EXPECT_EQ(missing, 42u);
}

TEST(TomlSection, WrongTypesSayWhatAndWhereWithTheValue) {
  const Doc d("[s]\nname = 3\nflag = \"yes\"\nrate = \"high\"\nnames = [\"a\", 2]\nmode = \"x\"\n");
  std::string s;
  bool b = false;
  double x = 0;
  std::vector<std::string> v;
  EXPECT_THROW_MSG(d.section.string("name", s), UsageError,
                   "s.toml:2:8: 's.name' must be a string, in double quotes; got 3");
  EXPECT_THROW_MSG(d.section.boolean("flag", b), UsageError,
                   "s.toml:3:8: 's.flag' must be true or false; got \"yes\"");
  EXPECT_THROW_MSG(d.section.number("rate", x), UsageError,
                   "s.toml:4:8: 's.rate' must be a number; got \"high\"");
  EXPECT_THROW_MSG(d.section.strings("names", v), UsageError,
                   "s.toml:5:15: 's.names' must be an array of strings, each in double quotes; "
                   "got 2");
  EXPECT_THROW_MSG(d.section.choice("mode", s, {"fast", "slow"}), UsageError,
                   "s.toml:6:8: 's.mode' must be one of: fast, slow; got \"x\"");
}

TEST(TomlSection, IntegersAreCheckedBeforeConversion) {
  const Doc d("[s]\nfloat = 2.0\nhuge = 1e300\nbig = 9223372036854775807\nneg = -1\nok = 65535\n");
  int i = 0;
  std::size_t n = 0;
  std::uint16_t port = 0;
  EXPECT_THROW_MSG(d.section.integer("float", i, 1, 10), UsageError,
                   "s.toml:2:9: 's.float' must be an integer >= 1 and <= 10, without a decimal "
                   "point or exponent; got 2.0");
  EXPECT_THROW_MSG(d.section.integer("huge", n, 1), UsageError,
                   "'s.huge' must be an integer of at least 1, without a decimal point or "
                   "exponent; got 1e+300");
  // The int64 maximum does not fit an int: refused, not wrapped round.
  EXPECT_THROW_MSG(d.section.integer("big", i), UsageError,
                   "s.toml:4:7: 's.big' must be an integer >= -2147483648 and <= 2147483647");
  EXPECT_THROW_MSG(d.section.integer("neg", n), UsageError,
                   "'s.neg' must be an integer of at least 0; got -1");
  EXPECT_TRUE(d.section.integer("ok", port));
  EXPECT_EQ(port, 65535);
  EXPECT_TRUE(d.section.integer("big", n));
  EXPECT_EQ(n, 9223372036854775807u);
  EXPECT_THROW_MSG(d.section.integer("neg", n, 1, 100, "a positive integer (rows), e.g. 10000"),
                   UsageError, "'s.neg' must be a positive integer (rows), e.g. 10000; got -1");
}

TEST(TomlSection, NumbersMustBeFiniteAndInRange) {
  const Doc d("[s]\ninf = inf\nnan = nan\nzero = 0\none = 1\n");
  double x = 0;
  EXPECT_THROW_MSG(d.section.number("inf", x), UsageError,
                   "s.toml:2:7: 's.inf' must be a finite number; got inf");
  EXPECT_THROW_MSG(d.section.number("nan", x, {.min = 0}), UsageError,
                   "'s.nan' must be a finite number >= 0; got nan");
  EXPECT_THROW_MSG(d.section.number("zero", x, {.min = 0, .max = 1, .min_open = true}, "e.g. 0.9"),
                   UsageError, "s.toml:4:8: 's.zero' must be in (0, 1], e.g. 0.9; got 0");
  EXPECT_THROW_MSG(d.section.number("one", x, {.max = 1, .max_open = true}), UsageError,
                   "'s.one' must be < 1; got 1");
  EXPECT_TRUE(d.section.number("one", x, {.min = 0, .max = 1}));
  EXPECT_EQ(NumberRange{}.text(), "");
  EXPECT_EQ((NumberRange{.min = 0, .min_open = true}.text()), "> 0");
}

TEST(TomlSection, UnknownKeysListTheKnownOnesAndTheClosest) {
  const Doc d("[s]\nname = 1\n  seeed = 3\n");
  EXPECT_THROW_MSG(d.section.check_keys({"name", "seed"}), UsageError,
                   "s.toml:3:3: unknown key 'seeed' in [s]; known keys: name, seed; did you mean "
                   "'seed'?");
  try {
    d.section.check_keys({"name", "other"});
    ADD_FAILURE() << "seeed accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "s.toml:3:3: unknown key 'seeed' in [s]; known keys: name, other");
  }
  const toml::table root = parse_toml("zzz = 1\n", "s.toml");
  EXPECT_THROW_MSG(TomlSection::document("s.toml", root).check_keys({"a"}), UsageError,
                   "s.toml:1:1: unknown key 'zzz' in the top level; known keys: a");
}

TEST(TomlSection, SubTablesExtendThePathAndMustBeTables) {
  const Doc d("[s]\nflat = 1\n[s.inner]\nx = \"no\"\n");
  const auto inner = d.section.section("inner");
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(inner->path(), "s.inner");
  double x = 0;
  EXPECT_THROW_MSG(inner->number("x", x), UsageError, "s.toml:4:5: 's.inner.x' must be a number");
  EXPECT_FALSE(d.section.section("absent").has_value());
  EXPECT_THROW_MSG(d.section.section("flat"), UsageError,
                   "s.toml:2:8: 's.flat' must be a table ([s.flat])");
}

TEST(TomlSection, SectionedStyleNamesTheSectionFirstAndTheLocationLast) {
  const Doc d("[s]\nport = 8e81\nprot = 1\n[s.log]\n", TomlStyle::Sectioned);
  int port = 0;
  EXPECT_THROW_MSG(d.section.integer("port", port, 0, 65535), UsageError,
                   "s.toml: [s] port must be an integer >= 0 and <= 65535, without a decimal "
                   "point or exponent; got 8e+81 (s.toml:2:8)");
  EXPECT_THROW_MSG(d.section.check_keys({"port", "log"}), UsageError,
                   "s.toml: unknown key [s] prot; known keys: port, log; did you mean 'port'? "
                   "(s.toml:3:1)");
  EXPECT_THROW_MSG(d.section.section_of(*d.section.get("port"), "port"), UsageError,
                   "s.toml: [s.port] must be a table (s.toml:2:8)");
  EXPECT_EQ(d.section.section("log")->subject("dir"), "[s.log] dir");
}

TEST(TomlSection, TextThatIsNotTomlGivesLineAndColumn) {
  EXPECT_THROW_MSG(parse_toml("[s]\nx = = 1\n", "s.toml"), UsageError, "s.toml:2:");
  EXPECT_THROW_MSG(parse_toml("[s]\nx = = 1\n", "s.toml"), UsageError, ": invalid TOML: ");
}

}  // namespace
}  // namespace loanrisk
