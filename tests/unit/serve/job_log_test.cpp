// A job's log as pages read it: its tail from a line, a bounded slice from an offset, what a slow
// reader missed, and a character cut at a slice's edge, never sent as broken UTF-8.
#include "loanrisk/serve/job_log.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;
using testing::write_text;

TEST(JobLog, TheTailStartsAtALineAndAnOffsetFollows) {
  TempDir dir;
  const auto file = dir / "job.log";
  write_text(file, "first line\nsecond line\nthird\n");
  LogSlice s = read_log_slice(file, std::nullopt, 16, true);
  EXPECT_EQ(s.text, "third\n");  // the last 16 bytes, from the line that starts in them
  EXPECT_EQ(s.offset, 23u);
  EXPECT_EQ(s.next_offset, 29u);
  EXPECT_EQ(s.size, 29u);
  EXPECT_EQ(s.skipped, 0u);
  s = read_log_slice(file, std::nullopt, 100, true);
  EXPECT_EQ(s.text, "first line\nsecond line\nthird\n");
  // From an offset, the bytes as they come; a reader too far behind gets the newest part and
  // learns how much it missed.
  s = read_log_slice(file, 11, 100, true);
  EXPECT_EQ(s.text, "second line\nthird\n");
  EXPECT_EQ(s.skipped, 0u);
  s = read_log_slice(file, 0, 16, true);
  EXPECT_EQ(s.text, "third\n");
  EXPECT_EQ(s.offset, 23u);
  EXPECT_EQ(s.skipped, 23u);
  s = read_log_slice(file, 29, 16, true);
  EXPECT_EQ(s.text, "");
  EXPECT_EQ(s.next_offset, 29u);
}

TEST(JobLog, ACutCharacterWaitsForTheNextSliceWhileTheLogGrows) {
  TempDir dir;
  const auto file = dir / "job.log";
  write_text(file, "gr\xC3\xBC\xC3");  // "grü" and the first byte of another 2-byte character
  LogSlice s = read_log_slice(file, 0, 100, true);
  EXPECT_EQ(s.text, "gr\xC3\xBC");
  EXPECT_EQ(s.next_offset, 4u);
  write_text(file, "gr\xC3\xBC\xC3\xA9\n");
  s = read_log_slice(file, s.next_offset, 100, true);
  EXPECT_EQ(s.text, "\xC3\xA9\n");
  // Once the job has ended nothing will complete it: the byte is replaced.
  write_text(file, "gr\xC3\xBC\xC3");
  EXPECT_EQ(read_log_slice(file, 0, 100, false).text, "gr\xC3\xBC\xEF\xBF\xBD");
  // A tail without a line in it starts at a whole character.
  write_text(file, "\xE2\x82\xAC\xE2\x82\xAC");  // "€€"
  s = read_log_slice(file, std::nullopt, 4, true);
  EXPECT_EQ(s.text, "\xE2\x82\xAC");
  EXPECT_EQ(s.offset, 3u);
}

TEST(JobLog, NoFileIsAnEmptyLogAndBadBytesAreReplaced) {
  TempDir dir;
  const LogSlice none = read_log_slice(dir / "missing.log", 5, 100, true);
  EXPECT_EQ(none.text, "");
  EXPECT_EQ(none.size, 0u);
  EXPECT_EQ(none.next_offset, 0u);
  write_text(dir / "job.log", std::string("a\xFF\0b\n", 5));
  EXPECT_EQ(read_log_slice(dir / "job.log", std::nullopt, 100, false).text,
            std::string("a\xEF\xBF\xBD\0b\n", 7));
}

}  // namespace
}  // namespace loanrisk
