// count_lines (data/csv_ranges.hpp) counts 16 bytes per step: it must agree with a plain count at
// every length, alignment and density, across the 255-step sums and at the tail.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "loanrisk/core/rng.hpp"
#include "loanrisk/data/csv_ranges.hpp"

namespace loanrisk {
namespace {

TEST(CountLines, EqualsAPlainCountAtEveryLengthAlignmentAndDensity) {
  Rng rng(11);
  for (const double density : {0.0, 0.02, 0.5, 1.0}) {
    std::string text(20'000, 'x');
    for (char& c : text) c = rng.uniform() < density ? '\n' : static_cast<char>(rng.uniform() * 9);
    for (std::size_t offset = 0; offset < 17; ++offset) {
      for (const std::size_t length : {0, 1, 15, 16, 17, 31, 4080, 4096, 4111, 19'000}) {
        const std::string_view view = std::string_view(text).substr(offset, length);
        EXPECT_EQ(count_lines(view), std::count(view.begin(), view.end(), '\n'))
            << "density " << density << ", offset " << offset << ", length " << length;
      }
    }
  }
  // Every byte a line feed for far more than 255 steps: no lane may wrap.
  const std::string all(100'000, '\n');
  EXPECT_EQ(count_lines(all), 100'000);
}

}  // namespace
}  // namespace loanrisk
