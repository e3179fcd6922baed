// One table of names per enum: both directions read it.
#include "loanrisk/core/enum_names.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace loanrisk {
namespace {

enum class Colour { Red, Green, Blue };

constexpr auto kColours = enum_names<Colour>(
    "colour", {{Colour::Red, "red"}, {Colour::Green, "green"}, {Colour::Blue, "blue"}});

TEST(EnumNames, NamesAndParsesBothWays) {
  EXPECT_EQ(kColours.name(Colour::Green), "green");
  EXPECT_EQ(kColours.parse("blue"), Colour::Blue);
  EXPECT_FALSE(kColours.parse("Blue").has_value());
  EXPECT_EQ(kColours.names(), (std::vector<std::string>{"red", "green", "blue"}));
  EXPECT_THROW_MSG(kColours.name(static_cast<Colour>(7)), InternalError, "unknown colour value 7");
}

}  // namespace
}  // namespace loanrisk
