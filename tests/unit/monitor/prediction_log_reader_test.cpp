// Reading a prediction log back: a malformed line is an InputError naming the file and line;
// lines written before shadowing existed read as before, the challenger's PD beside the champion's.
#include <gtest/gtest.h>

#include <cmath>

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

TEST(PredictionLogReader, ReadsTheChallengersPdWhereALineHasOne) {
  testing::TempDir dir;
  PredictionRecord r;
  r.time_ms = 1'795'000'000'000;
  r.customer_id = "c1";
  r.input_names =
      std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"income"});
  r.inputs = {1000};
  r.pd = 0.25;
  r.grade = "8";
  r.decision = "decline";
  std::string text = prediction_log_line(r);  // no challenger: as every line before it existed
  r.challenger = ChallengerVerdict{"loan-default", "7", 0.125, "7", "approve", ""};
  const std::string scored = prediction_log_line(r);
  EXPECT_NE(scored.find(R"(,"challenger":{"name":"loan-default","version":"7","pd":0.125,)"
                        R"("grade":"7","decision":"approve"}})"),
            std::string::npos)
      << scored;
  text += scored;
  r.challenger = ChallengerVerdict{"loan-default", "7", 0, "", "", "fico_score = 760 is out"};
  const std::string failed = prediction_log_line(r);
  EXPECT_NE(failed.find(R"(,"challenger":{"name":"loan-default","version":"7",)"
                        R"("error":"fico_score = 760 is out"}})"),
            std::string::npos)
      << failed;
  text += failed;
  testing::write_text(dir / "predictions-20261118-1.jsonl", text);
  const LoggedPredictions got = read_prediction_log(dir.path(), {"income"}, {}, {});
  ASSERT_EQ(got.pd.size(), 3u);
  EXPECT_EQ(got.pd, (std::vector<double>{0.25, 0.25, 0.25}));
  ASSERT_EQ(got.challenger_pd.size(), 3u);
  EXPECT_TRUE(std::isnan(got.challenger_pd[0]));
  EXPECT_EQ(got.challenger_pd[1], 0.125);
  EXPECT_TRUE(std::isnan(got.challenger_pd[2]));
  // A log without any challenger has no challenger column at all.
  r.challenger.reset();
  testing::write_text(dir / "predictions-20261118-1.jsonl", prediction_log_line(r));
  const LoggedPredictions old = read_prediction_log(dir.path(), {"income"}, {}, {});
  EXPECT_EQ(old.pd.size(), 1u);
  EXPECT_TRUE(old.challenger_pd.empty());
}

}  // namespace
}  // namespace loanrisk::monitor
