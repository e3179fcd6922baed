// Reading a prediction log back: a malformed line is an InputError naming the file and line.
#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "support/test_support.hpp"

namespace loanrisk::monitor {
namespace {

// Found by fuzz_prediction_log (tests/fuzz/regressions/prediction_log/): nlohmann reports a
// number no double holds as out_of_range, not as a parse error, and the reader let it through.
TEST(PredictionLogReader, NumberBeyondDoubleIsAMalformedLine) {
  testing::TempDir dir;
  testing::write_text(
      dir / "predictions-20261128-1.jsonl",
      "{\"ts\":\"2026-11-28T01:02:03Z\",\"inputs\":{\"income\":1},\"pd\":0.1}\n"
      "{\"ts\":\"2026-11-28T01:02:04Z\",\"inputs\":{\"income\":1e400},\"pd\":0.1}\n");
  EXPECT_THROW_MSG(read_prediction_log(dir.path(), {"income"}, {}, {}), InputError,
                   "predictions-20261128-1.jsonl:2: not a JSON line");
}

}  // namespace
}  // namespace loanrisk::monitor
