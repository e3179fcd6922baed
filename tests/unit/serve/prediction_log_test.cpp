// The prediction log writer: lines read back by the monitor's reader, rotation by size, hashed
// ids, sampling, the total-size cap, and the [serve.prediction_log] settings.
#include <gtest/gtest.h>

#include <cstdlib>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/monitor/prediction_log_writer.hpp"
#include "loanrisk/serve/settings.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using loanrisk::testing::TempDir;
using loanrisk::testing::write_text;

monitor::PredictionRecord record(int i) {
  monitor::PredictionRecord r;
  r.time_ms = 1'795'000'000'000 + i;  // 2026-11-18 UTC
  r.request_id = "r" + std::to_string(i);
  r.model_name = "loan-default";
  r.model_version = "3";
  r.route = "/api/v1/predict";
  r.customer_id = i == 3 ? "c\"3\\\n\xe9" : "c" + std::to_string(i);
  static const auto names = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"income", "fico_score"});
  r.input_names = names;
  r.inputs = {1000.0 + i, 600};
  r.pd = i / 1000.0;
  r.grade = "5";
  r.decision = "approve";
  return r;
}

PredictionLogSettings settings_in(const TempDir& dir) {
  PredictionLogSettings s;
  s.dir = (dir / "log").string();
  return s;
}

TEST(PredictionLogWriter, WritesLinesTheMonitorReadsBackInOrder) {
  TempDir dir;
  {
    PredictionLogWriter w(settings_in(dir));
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(w.submit(record(i)));
    w.flush();
    EXPECT_EQ(w.counters().written, 100u);
    EXPECT_EQ(w.counters().dropped, 0u);
  }
  const auto files = monitor::prediction_log_files(dir / "log");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename(), "predictions-20261118-1.jsonl");
  const auto log = monitor::read_prediction_log(dir / "log", {"income"}, {}, {});
  ASSERT_EQ(log.pd.size(), 100u);
  EXPECT_EQ(log.inputs.column("income")[42], 1042.0);
  EXPECT_EQ(log.pd[42], 0.042);
  EXPECT_EQ(log.time_ms[42], 1'795'000'000'042);
  EXPECT_EQ(log.inputs.ids[42], "c42");
  EXPECT_TRUE(log.target.empty());
  // Quotes and controls are escaped and bytes > 127 written as \u00XX; read back, the id is the
  // bytes the server received, so outcome files join to it.
  EXPECT_EQ(log.inputs.ids[3], "c\"3\\\n\xe9");
  // --since/--until select by time: [since, until).
  const auto part =
      monitor::read_prediction_log(dir / "log", {"income"}, 1'795'000'000'010, 1'795'000'000'020);
  EXPECT_EQ(part.pd.size(), 10u);
  EXPECT_EQ(part.skipped, 90u);
}

TEST(PredictionLogWriter, RotatesBySizeAndHashesIdsWithTheSalt) {
  TempDir dir;
  PredictionLogSettings s = settings_in(dir);
  s.max_file_bytes = 4096;
  s.hash_customer_id = true;
  s.salt = "pepper";
  {
    PredictionLogWriter w(s);
    for (int i = 0; i < 200; ++i) w.submit(record(i));
  }  // the destructor writes what is queued
  const auto files = monitor::prediction_log_files(dir / "log");
  ASSERT_GT(files.size(), 5u);
  for (const auto& f : files) EXPECT_LE(std::filesystem::file_size(f), 4096u) << f;
  EXPECT_EQ(files[1].filename(), "predictions-20261118-2.jsonl");
  const auto log = monitor::read_prediction_log(dir / "log", {"fico_score"}, {}, {});
  ASSERT_EQ(log.pd.size(), 200u);
  EXPECT_EQ(log.pd[199], 0.199);  // files are read in rotation order
  EXPECT_EQ(log.inputs.ids[7], sha256_hex("pepperc7"));
}

TEST(PredictionLogWriter, SamplesTheConfiguredShareEvenly) {
  TempDir dir;
  PredictionLogSettings s = settings_in(dir);
  s.sample_rate = 0.25;
  PredictionLogWriter w(s);
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += w.sample() ? 1 : 0;
  EXPECT_NEAR(kept, 2500, 5);
}

// The folder stays under max_total_bytes by removing its oldest files: the newest lines are kept
// and nothing is dropped (before, every line past the cap was dropped and the log went silent).
TEST(PredictionLogWriter, RemovesTheOldestFilesToStayUnderTheTotalSizeCap) {
  TempDir dir;
  PredictionLogSettings s = settings_in(dir);
  s.max_total_bytes = 2000;
  PredictionLogWriter w(s);
  for (int i = 0; i < 50; ++i) {
    w.submit(record(i));
    w.flush();  // one line per batch, so the cap is reached line by line
  }
  const auto c = w.counters();
  EXPECT_EQ(c.written, 50u);
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_GT(c.removed_files, 0u);
  std::uintmax_t total = 0;
  for (const auto& f : monitor::prediction_log_files(dir / "log")) {
    total += std::filesystem::file_size(f);
  }
  EXPECT_LE(total, 2000u);
  const auto kept = monitor::read_prediction_log(dir / "log", {"income", "fico_score"},
                                                 std::nullopt, std::nullopt);
  ASSERT_GT(kept.lines, 0u);
  EXPECT_LT(kept.lines, 50u);
  EXPECT_EQ(kept.time_ms.back(), record(49).time_ms);  // the newest line survives
}

TEST(PredictionLogWriter, DefaultsCapTheFolderAndWriteAsynchronously) {
  const PredictionLogSettings s;
  EXPECT_EQ(s.max_total_bytes, std::size_t{1} << 30);
  EXPECT_EQ(s.durability, "async");
}

// Durability "sync": the call returns once the lines are in the file (no flush needed), and says
// so when they cannot be written.
TEST(PredictionLogWriter, SyncDurabilityWaitsForTheDiskAndReportsFailure) {
  TempDir dir;
  PredictionLogSettings s = settings_in(dir);
  s.durability = "sync";
  {
    PredictionLogWriter w(s);
    std::vector<monitor::PredictionRecord> two = {record(1), record(2)};
    ASSERT_TRUE(w.submit_and_wait(std::move(two)));
    const auto files = monitor::prediction_log_files(dir / "log");
    ASSERT_EQ(files.size(), 1u);
    std::ifstream in(files[0]);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  }
  // The folder replaced by a file: every open fails, and the caller is told.
  std::filesystem::remove_all(dir / "log");
  PredictionLogWriter w(s);
  std::filesystem::remove_all(dir / "log");
  write_text(dir / "log", "not a folder");
  std::vector<monitor::PredictionRecord> one = {record(3)};
  EXPECT_FALSE(w.submit_and_wait(std::move(one)));
  EXPECT_EQ(w.counters().dropped, 1u);
  s.durability = "later";
  EXPECT_THROW_MSG(s.validate(), UsageError, "prediction_log durability 'later' is not one of");
}

TEST(PredictionLogWriter, RefusesAFolderItCannotCreate) {
  TempDir dir;
  write_text(dir / "file", "x");
  PredictionLogSettings s;
  s.dir = (dir / "file" / "log").string();
  EXPECT_THROW_MSG(PredictionLogWriter{s}, UsageError, "cannot create the prediction log folder");
}

TEST(PredictionLogSettings, ParsesTheTomlTableAndRejectsUnknownKeys) {
  ServeSettings s;
  apply_serve_toml_text(s,
                        "[serve]\ndrift_window = 500\n[serve.prediction_log]\ndir = \"p\"\n"
                        "sample_rate = 0.5\nhash_customer_id = true\nsalt = \"s\"\n"
                        "max_file_bytes = 8192\nmax_total_bytes = 100000\nqueue_capacity = 7\n",
                        "t.toml");
  EXPECT_EQ(s.drift_window, 500u);
  EXPECT_EQ(s.prediction_log.dir, "p");
  EXPECT_EQ(s.prediction_log.sample_rate, 0.5);
  EXPECT_TRUE(s.prediction_log.hash_customer_id);
  EXPECT_EQ(s.prediction_log.max_file_bytes, 8192u);
  EXPECT_EQ(s.prediction_log.max_total_bytes, 100000u);
  EXPECT_EQ(s.prediction_log.queue_capacity, 7u);
  ServeSettings t;
  EXPECT_THROW_MSG(apply_serve_toml_text(t, "[serve.prediction_log]\nfolder = \"p\"\n", "t.toml"),
                   UsageError,
                   "t.toml: unknown key [serve.prediction_log] folder; known keys: dir, "
                   "sample_rate");
  EXPECT_THROW_MSG(
      apply_serve_toml_text(t, "[serve.prediction_log]\nhash_customer_id = true\n", "t.toml"),
      UsageError, "hash_customer_id needs a salt");
  // The salt from the environment (applied after the file) satisfies the file's hashing.
  ::setenv("LOANRISK_PREDICTION_LOG_SALT", "from-env", 1);
  ServeSettings with_env;
  apply_serve_toml_text(with_env, "[serve.prediction_log]\nhash_customer_id = true\n", "t.toml");
  apply_serve_env(with_env);
  ::unsetenv("LOANRISK_PREDICTION_LOG_SALT");
  EXPECT_EQ(with_env.prediction_log.salt, "from-env");
  EXPECT_NO_THROW(with_env.validate());
  EXPECT_THROW_MSG(apply_serve_toml_text(t, "[serve.prediction_log]\nsample_rate = 0\n", "t.toml"),
                   UsageError, "sample_rate must be in (0, 1]");
  EXPECT_THROW_MSG(apply_serve_toml_text(t, "[serve]\ndrift_window = 0\n", "t.toml"), UsageError,
                   "[serve] drift_window must be a positive integer");
}

}  // namespace
}  // namespace loanrisk
