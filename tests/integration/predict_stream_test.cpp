// predict in chunks against predict in memory: the same bytes in the scored file and the rejects
// file, the same first bad row in strict mode (and no output then), on a file full of the things
// that make cutting a CSV hard (quoted ids with commas and line breaks, blank and whitespace lines,
// CRLF, bad rows), on the synthetic book and on the real data; and sharded runs whose parts, in
// order, are the unsharded output, checked by verify_shards.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

// A bundle trained once for every test here (a few trees: scoring is what is tested).
class PredictStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    write_frame_csv(*dir_ / "train.csv", synth_loan_book({3000, 5}), Schema::loan_default());
    TrainRequest req;
    req.data = *dir_ / "train.csv";
    req.out = *dir_ / "bundle";
    req.config.family = "xgboost";
    req.config.params = {{"n_estimators", 40}};
    req.write_report = false;
    train_model(req);
  }
  static void TearDownTestSuite() { delete dir_; }

  // Scores `data` into `name` (and name + ".rejects" with rejects): whole when chunk_bytes is 0.
  static PredictRequest request(const std::filesystem::path& data, const std::string& name,
                                std::size_t chunk_bytes, bool rejects) {
    PredictRequest p;
    p.model = *dir_ / "bundle";
    p.data = data;
    p.out = tmp_.path() / name;
    if (rejects) p.rejects = tmp_.path() / (name + ".rejects");
    p.chunk_bytes = chunk_bytes == 0 ? std::size_t{1} << 40 : chunk_bytes;
    return p;
  }

  // The same file scored whole and in chunks of each size: the same bytes.
  static void expect_streams_as_whole(const std::filesystem::path& data, bool rejects) {
    const PredictRequest whole = request(data, "whole.csv", 0, rejects);
    const PredictOutcome w = predict_file(whole);
    for (const std::size_t chunk : {std::size_t{997}, std::size_t{4096}, std::size_t{65536}}) {
      SCOPED_TRACE("chunks of " + std::to_string(chunk) + " bytes");
      PredictRequest streamed = request(data, "streamed.csv", chunk, rejects);
      streamed.threads = 3;
      const PredictOutcome s = predict_file(streamed);
      EXPECT_EQ(s.rows_read, w.rows_read);
      EXPECT_EQ(s.rows_scored, w.rows_scored);
      EXPECT_EQ(s.rows_rejected, w.rows_rejected);
      EXPECT_EQ(read_file(streamed.out), read_file(whole.out));
      if (rejects) {
        EXPECT_EQ(read_file(*streamed.rejects), read_file(*whole.rejects));
      }
    }
  }

  static TempDir* dir_;
  static inline TempDir tmp_;
};
TempDir* PredictStreamTest::dir_ = nullptr;

// The synthetic book with every hard case spliced in, ending in blank lines.
std::filesystem::path messy_book(const TempDir& dir) {
  write_frame_csv(dir / "book.csv", synth_loan_book({6000, 77}), Schema::loan_default());
  const std::string book = read_file(dir / "book.csv");
  std::string out;
  std::size_t row = 0;
  for (std::size_t at = 0; at < book.size();) {
    const std::size_t nl = book.find('\n', at);
    std::string line = book.substr(at, nl - at);
    at = nl + 1;
    const std::size_t comma = line.find(',');
    if (row > 0 && row % 97 == 0) {  // a comma and a line break in an id
      line = "\"A,\n" + line.substr(0, comma) + "\"" + line.substr(comma);
    }
    if (row > 0 && row % 131 == 0) line.insert(line.find(',') + 1, "x");  // not a number
    if (row > 0 && row % 173 == 0) out += "\n";                           // a blank line
    if (row > 0 && row % 211 == 0) out += "  \t\r\n";                     // a whitespace line
    if (row > 0 && row % 257 == 0) line += ",extra";                      // a ragged row
    if (row > 0 && row % 89 == 0) {  // a doubled quote in an id
      line = "\"" + line.substr(0, comma) + "\"\"q\"" + line.substr(comma);
    }
    out += line + (row % 5 == 0 ? "\r\n" : "\n");
    ++row;
  }
  out += "\n \n\r\n";
  write_file_atomic(dir / "messy.csv", out);
  return dir / "messy.csv";
}

TEST_F(PredictStreamTest, CleanBookStreamsAsWhole) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({20000, 9}), Schema::loan_default());
  expect_streams_as_whole(dir / "book.csv", false);
}

TEST_F(PredictStreamTest, MessyBookStreamsAsWholeWithRejects) {
  TempDir dir;
  expect_streams_as_whole(messy_book(dir), true);
}

TEST_F(PredictStreamTest, RealDataStreamsAsWhole) {
  const auto path = testing::real_data();
  if (!path) GTEST_SKIP() << "real data not present";
  expect_streams_as_whole(*path, true);
}

TEST_F(PredictStreamTest, ClassicMacLineEndingsAreReadWhole) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({500, 3}), Schema::loan_default());
  std::string text = read_file(dir / "book.csv");
  std::replace(text.begin(), text.end(), '\n', '\r');
  write_file_atomic(dir / "mac.csv", text);
  expect_streams_as_whole(dir / "mac.csv", true);
}

TEST_F(PredictStreamTest, StrictModeStopsAtTheFirstBadRowAndWritesNothing) {
  TempDir dir;
  const std::filesystem::path data = messy_book(dir);
  std::string whole_error, streamed_error;
  try {
    predict_file(request(data, "whole.csv", 0, false));
  } catch (const InputError& e) {
    whole_error = e.what();
  }
  PredictRequest streamed = request(data, "streamed.csv", 4096, false);
  std::filesystem::remove(streamed.out);
  try {
    predict_file(streamed);
  } catch (const InputError& e) {
    streamed_error = e.what();
  }
  EXPECT_NE(whole_error.find("line "), std::string::npos) << whole_error;
  EXPECT_EQ(streamed_error, whole_error);
  EXPECT_FALSE(std::filesystem::exists(streamed.out));
  for (const auto& entry : std::filesystem::directory_iterator(tmp_.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST_F(PredictStreamTest, ShardsInOrderAreTheUnshardedOutput) {
  TempDir dir;
  const std::filesystem::path data = messy_book(dir);
  const PredictRequest whole = request(data, "whole.csv", 0, true);
  const PredictOutcome w = predict_file(whole);
  for (const std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
    SCOPED_TRACE(std::to_string(n) + " shards");
    const std::filesystem::path out = dir / ("parts-" + std::to_string(n));
    std::string scored, rejected;
    std::size_t read = 0;
    for (std::size_t i = 0; i < n; ++i) {
      PredictRequest p = request(data, "unused", 2048, true);
      p.out = out;
      p.rejects = out / "rejects";
      p.shard = PredictRequest::Shard{i, n};
      read += predict_file(p).rows_read;
      const std::string name = "part-0000" + std::to_string(i) + "-of-0000" + std::to_string(n);
      scored += read_file(out / (name + ".csv"));
      const std::string rejects = read_file(out / "rejects" / ("rejects-" + name + ".csv"));
      rejected += rejects.substr(rejects.find('\n') + 1);
    }
    EXPECT_EQ(read, w.rows_read);
    EXPECT_EQ(scored, read_file(whole.out));
    const std::string whole_rejects = read_file(*whole.rejects);
    EXPECT_EQ(rejected, whole_rejects.substr(whole_rejects.find('\n') + 1));
    const ShardCheck check = verify_shards(out, data);
    EXPECT_EQ(check.parts, n);
    EXPECT_EQ(check.rows_read, w.rows_read);
    EXPECT_EQ(check.rows_rejected, w.rows_rejected);
  }
}

TEST(PredictShardArgument, BadShardsAreUsageErrorsNamingTheValue) {
  EXPECT_EQ(parse_shard("2/4").index, 2u);
  EXPECT_EQ(parse_shard("2/4").count, 4u);
  EXPECT_THROW_MSG(parse_shard("5/4"), UsageError,
                   "--shard '5/4': the index must be below the shard count (0 to 3 for 4 shards)");
  EXPECT_THROW_MSG(parse_shard("x"), UsageError, "--shard 'x': it is not of the form I/N");
  EXPECT_THROW_MSG(parse_shard("1/0"), UsageError, "the shard count must be 1 to 100000");
  EXPECT_THROW_MSG(parse_shard("-1/4"), UsageError, "the index '-1' is not a whole number");
  EXPECT_THROW_MSG(parse_shard("1/4x"), UsageError, "the shard count '4x' is not a whole number");
}

}  // namespace
}  // namespace loanrisk
