// The shadow scorer without HTTP: agreement counted against a challenger whose verdicts are known
// (the champion's own model at a lower threshold), a challenger that cannot score some rows or any,
// no challenger at all, and the log lines it completes.
#include "loanrisk/serve/shadow.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "support/synthetic_book.hpp"

namespace loanrisk {
namespace {

using loanrisk::testing::TempDir;

class ShadowScorerTest : public ::testing::Test {
 protected:
  static inline std::unique_ptr<TempDir> dir;

  static void SetUpTestSuite() {
    dir = std::make_unique<TempDir>();
    TrainRequest req = loanrisk::testing::train_on_synthetic_book(*dir, 2000, 5);
    req.write_report = false;
    train_model(req);
    Bundle strict = Bundle::load(*dir / "bundle");
    strict.threshold = 0.05;
    strict.save(*dir / "strict");
    Bundle narrow = Bundle::load(*dir / "bundle");
    for (auto& c : narrow.schema.columns) {
      if (c.name == "fico_score") c.max = 700;
    }
    narrow.save(*dir / "narrow");
  }
  static void TearDownTestSuite() { dir.reset(); }

  static ServeSettings settings(const std::string& challenger) {
    ServeSettings s;
    s.challenger = challenger.empty() ? "" : (*dir / challenger).string();
    return s;
  }
  static std::shared_ptr<const LoadedModel> champion() {
    ModelHolder h((*dir / "bundle").string(), "");
    return h.reload(true).model;
  }
  /// 200 applicants: one call of the native tree evaluator for both models, so equal models
  /// give bit-equal PDs.
  static Frame applicants() { return synth_loan_book({200, 11}); }
};

TEST_F(ShadowScorerTest, CountsFlipsAgainstTheSameModelAtALowerThreshold) {
  ShadowScorer shadow(settings("strict"), "", nullptr);
  ASSERT_TRUE(shadow.challenger().reload(true).model);
  const auto m = champion();
  const Frame frame = applicants();
  const std::vector<double> pd = m->bundle.predict(frame);
  shadow.submit(m, frame, pd, {});
  shadow.flush();
  std::uint64_t flips = 0;
  for (double p : pd) flips += p >= 0.05 && p < m->bundle.threshold;
  ASSERT_GT(flips, 0u);
  const ShadowCounts c = shadow.counts();
  EXPECT_EQ(c.requests, 1u);
  EXPECT_EQ(c.rows, 200u);
  EXPECT_EQ(c.errors, 0u);
  EXPECT_EQ(c.approve_to_decline, flips);
  EXPECT_EQ(c.decline_to_approve, 0u);
  EXPECT_EQ(c.same_grade, 200u);
  const std::string text = shadow.render_metrics();
  EXPECT_NE(text.find("loanrisk_shadow_decision_flips_total{champion=\"approve\",challenger="
                      "\"decline\"} " +
                      std::to_string(flips) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("loanrisk_shadow_pd_difference{quantile=\"0.5\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("loanrisk_shadow_pd_difference_count 200\n"), std::string::npos);
  EXPECT_NE(
      text.find("loanrisk_challenger_info{name=\"strict\",version=\"\",family=\"xgboost\"} 1"),
      std::string::npos)
      << text;
}

TEST_F(ShadowScorerTest, ScoresNowForSyncLogsAndFillsTheRecord) {
  ShadowScorer shadow(settings("strict"), "", nullptr);
  ASSERT_TRUE(shadow.challenger().reload(true).model);
  const auto m = champion();
  const Frame frame = applicants();
  const std::vector<double> pd = m->bundle.predict(frame);
  const ShadowVerdicts v = shadow.score_now(m, frame, pd);
  ASSERT_EQ(v.rows.size(), 200u);
  EXPECT_EQ(shadow.counts().rows, 200u);  // counted at once, no flush needed
  monitor::PredictionRecord r;
  v.fill(r, 7);
  ASSERT_TRUE(r.challenger);
  EXPECT_EQ(r.challenger->model_name, "strict");
  EXPECT_EQ(r.challenger->pd, pd[7]);
  EXPECT_EQ(r.challenger->decision, pd[7] >= 0.05 ? "decline" : "approve");
  EXPECT_EQ(r.challenger->grade, grade_of(ServeSettings::default_grades(), pd[7]).name);
  EXPECT_TRUE(r.challenger->error.empty());
}

TEST_F(ShadowScorerTest, RowsOutsideTheChallengersSchemaAreErrorsNotAnswers) {
  ShadowScorer shadow(settings("narrow"), "", nullptr);
  ASSERT_TRUE(shadow.challenger().reload(true).model);
  const auto m = champion();
  const Frame frame = applicants();
  const std::vector<double> pd = m->bundle.predict(frame);
  const ShadowVerdicts v = shadow.score_now(m, frame, pd);
  std::uint64_t high = 0;
  const auto& fico = frame.column("fico_score");
  for (std::size_t i = 0; i < fico.size(); ++i) {
    if (fico[i] > 700) {
      ++high;
      EXPECT_EQ(v.rows[i].error, "fico_score = " + format_double(fico[i]) +
                                     " is outside the challenger's valid range 300 to 700");
    } else {
      EXPECT_EQ(v.rows[i].error, "");
      EXPECT_EQ(v.rows[i].pd, pd[i]);
    }
  }
  ASSERT_GT(high, 0u);
  EXPECT_EQ(shadow.counts().errors, high);
  EXPECT_EQ(shadow.counts().rows, 200 - high);
}

TEST_F(ShadowScorerTest, AnInputTheRequestLacksFailsEveryRowOfIt) {
  ShadowScorer shadow(settings("strict"), "", nullptr);
  ASSERT_TRUE(shadow.challenger().reload(true).model);
  const auto m = champion();
  Frame frame = applicants();
  const std::vector<double> pd = m->bundle.predict(frame);
  const int income = frame.index_of("income");
  frame.names.erase(frame.names.begin() + income);
  frame.columns.erase(frame.columns.begin() + income);
  shadow.submit(m, frame, pd, {});
  shadow.flush();
  EXPECT_EQ(shadow.counts().errors, 200u);
  EXPECT_EQ(shadow.counts().rows, 0u);
  const ShadowVerdicts v = shadow.score_now(m, frame, pd);
  EXPECT_EQ(v.rows.at(0).error,
            "the challenger reads 'income', which the champion's schema does not take from the "
            "request");
}

TEST_F(ShadowScorerTest, CompletesTheHeldBackLogLines) {
  TempDir logs;
  PredictionLogSettings ls;
  ls.dir = (logs / "log").string();
  PredictionLogWriter writer(ls);
  const auto m = champion();
  const Frame frame = applicants();
  const std::vector<double> pd = m->bundle.predict(frame);
  const auto lines = [&] {
    PendingLines p;
    for (std::size_t row : {3u, 150u}) {
      monitor::PredictionRecord r;
      r.time_ms = 1'795'000'000'000;
      r.customer_id = "c" + std::to_string(row);
      r.pd = pd[row];
      p.records.push_back(r);
      p.rows.push_back(row);
    }
    return p;
  };
  {
    ShadowScorer shadow(settings("strict"), "", &writer);
    ASSERT_TRUE(shadow.challenger().reload(true).model);
    shadow.submit(m, frame, pd, lines());
  }  // the destructor scores what is queued and hands the lines on
  {
    ShadowScorer none(settings("does-not-exist"), "", &writer);  // never loaded
    none.submit(m, frame, pd, lines());
    EXPECT_EQ(none.counts().requests, 0u);
    const std::string text = none.render_metrics();
    EXPECT_EQ(text.find("loanrisk_challenger_info{"), std::string::npos);
    EXPECT_NE(text.find("loanrisk_shadow_pd_difference{quantile=\"0.5\"} NaN\n"),
              std::string::npos);
    EXPECT_FALSE(none.to_json()["loaded"].get<bool>());
  }
  writer.flush();
  const auto files = monitor::prediction_log_files(logs / "log");
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0]);
  std::vector<nlohmann::json> got;
  for (std::string line; std::getline(in, line);) got.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["customer_id"], "c3");
  EXPECT_EQ(got[0]["challenger"]["pd"].get<double>(), pd[3]);
  EXPECT_EQ(got[0]["challenger"]["decision"], pd[3] >= 0.05 ? "decline" : "approve");
  EXPECT_EQ(got[1]["challenger"]["pd"].get<double>(), pd[150]);
  EXPECT_FALSE(got[2].contains("challenger"));  // no challenger: the lines as they were
  EXPECT_FALSE(got[3].contains("challenger"));
}

}  // namespace
}  // namespace loanrisk
