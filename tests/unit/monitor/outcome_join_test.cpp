// Outcomes joined to the prediction log: each outcome meets the customer's last scoring at or
// before its observation date within the horizon; the log's hashed and non-ASCII ids meet the
// outcome file's ids as the server received them; whatever does not join is counted by reason.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/monitor/outcome_join.hpp"
#include "loanrisk/monitor/prediction_log_writer.hpp"
#include "loanrisk/monitor/shadow_compare.hpp"
#include "support/test_support.hpp"

namespace loanrisk::monitor {
namespace {

std::int64_t at(const std::string& text) {
  return *parse_utc_time(text);
}

/// Writes scorings (id, time, pd) through the server's own writer and reads them back.
LoggedPredictions logged(const testing::TempDir& dir,
                         const std::vector<std::tuple<std::string, std::string, double>>& rows,
                         const std::string& salt = "") {
  {
    PredictionLogSettings s;
    s.dir = (dir / "log").string();
    s.hash_customer_id = !salt.empty();
    s.salt = salt;
    PredictionLogWriter writer(s);
    static const auto names =
        std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"income"});
    for (const auto& [id, time, pd] : rows) {
      PredictionRecord r;
      r.time_ms = at(time);
      r.model_name = "loan-default";
      r.model_version = "3";
      r.customer_id = id;
      r.input_names = names;
      r.inputs = {1000};
      r.pd = pd;
      EXPECT_TRUE(writer.submit(std::move(r)));
    }
  }  // the destructor writes out the queue
  return read_prediction_log(dir / "log", {"income"}, {}, {});
}

std::vector<Outcome> outcomes(const std::string& rows) {
  return parse_outcomes("customer_id,observation_date,default\n" + rows, "outcomes.csv");
}

bool no_outcome(double t) {
  return std::isnan(t);
}

TEST(OutcomeJoin, EachOutcomeMeetsTheLastScoringBeforeItWithinTheHorizon) {
  testing::TempDir dir;
  const auto log = logged(dir, {{"a", "2026-01-10T09:00:00Z", 0.10},
                                {"a", "2026-03-10T09:00:00Z", 0.20},  // the re-scoring: joined
                                {"b", "2026-03-15T23:59:59Z", 0.30},  // the observation day
                                {"c", "2026-05-01T00:00:00Z", 0.40},  // after its observation
                                {"d", "2025-01-01T00:00:00Z", 0.50},  // past the horizon
                                {"", "2026-03-01T00:00:00Z", 0.60},   // scored without an id
                                {"e", "2026-02-01T00:00:00Z", 0.70}});
  ASSERT_EQ(log.pd.size(), 7u);
  const OutcomeJoin j = join_outcomes(log,
                                      outcomes("a,2026-12-31,1\n"
                                               "b,2026-03-15,0\n"
                                               "c,2026-04-30,1\n"
                                               "d,2026-06-30,1\n"
                                               "zz,2026-06-30,0\n"
                                               "e,2026-06-30,0\n"
                                               "e,2026-12-31,1\n"),  // e: later a default
                                      {});
  // The log reads back day file by day file, so rows are found by id and time.
  const auto outcome = [&](const OutcomeJoin& join, const std::string& id,
                           const std::string& time) {
    for (std::size_t i = 0; i < log.pd.size(); ++i) {
      if (log.inputs.ids[i] == id && log.time_ms[i] == at(time)) return join.target[i];
    }
    ADD_FAILURE() << "no row " << id << " at " << time;
    return -1.0;
  };
  EXPECT_TRUE(no_outcome(outcome(j, "a", "2026-01-10T09:00:00Z")));  // superseded by the next
  EXPECT_EQ(outcome(j, "a", "2026-03-10T09:00:00Z"), 1.0);
  EXPECT_EQ(outcome(j, "b", "2026-03-15T23:59:59Z"), 0.0);
  EXPECT_TRUE(no_outcome(outcome(j, "c", "2026-05-01T00:00:00Z")));
  EXPECT_TRUE(no_outcome(outcome(j, "d", "2025-01-01T00:00:00Z")));
  EXPECT_TRUE(no_outcome(outcome(j, "", "2026-03-01T00:00:00Z")));
  EXPECT_EQ(outcome(j, "e", "2026-02-01T00:00:00Z"), 1.0);  // a default in the horizon stays one
  EXPECT_EQ(j.outcomes, 7u);
  EXPECT_EQ(j.joined, 4u);
  EXPECT_EQ(j.scorings, 3u);
  EXPECT_EQ(j.defaults, 2u);
  EXPECT_EQ(j.not_scored, 1u);
  EXPECT_EQ(j.scored_after, 1u);
  EXPECT_EQ(j.beyond_horizon, 1u);
  EXPECT_FALSE(j.hashed_ids);
  const nlohmann::json js = j.to_json();
  EXPECT_EQ(js["horizon_days"], 365);
  EXPECT_NE(js["rule"].get<std::string>().find("last scoring at or before"), std::string::npos);
  // A longer horizon reaches d's scoring.
  const OutcomeJoin wide = join_outcomes(log, outcomes("d,2026-06-30,1\n"), {"", 730});
  EXPECT_EQ(outcome(wide, "d", "2025-01-01T00:00:00Z"), 1.0);
  EXPECT_THROW_MSG(join_outcomes(log, outcomes("d,2026-06-30,1\n"), {"", 0}), UsageError,
                   "at least 1 day");
}

TEST(OutcomeJoin, HashedIdsMeetTheOutcomeIdsHashedWithTheServersSalt) {
  testing::TempDir dir;
  const auto log = logged(dir,
                          {{"8153374", "2026-03-01T00:00:00Z", 0.1},
                           {"Zo\xC3\xAB", "2026-03-01T00:00:00Z", 0.2},
                           {"raw\xE9", "2026-03-01T00:00:00Z", 0.3}},
                          "pepper");
  ASSERT_EQ(log.id_hashed, (std::vector<std::uint8_t>{1, 1, 1}));
  EXPECT_NE(log.inputs.ids[0], "8153374");
  const auto file =
      outcomes("8153374,2026-12-31,1\nZo\xC3\xAB,2026-12-31,0\nraw\xE9,2026-12-31,1\n");
  const OutcomeJoin j = join_outcomes(log, file, {"pepper", 365});
  EXPECT_EQ(j.joined, 3u);
  EXPECT_TRUE(j.hashed_ids);
  EXPECT_EQ(j.target, (std::vector<double>{1, 0, 1}));
  EXPECT_THROW_MSG(join_outcomes(log, file, {}), UsageError,
                   "customer ids are hashed (hash_customer_id): set $LOANRISK_PREDICTION_LOG_SALT");
  EXPECT_THROW_MSG(join_outcomes(log, file, {"salt", 365}), InputError,
                   "no outcome joins a logged scoring (3 outcomes: 3 customers never scored");
  EXPECT_THROW_MSG(join_outcomes(log, file, {"salt", 365}), InputError, "and the server's salt");
}

TEST(OutcomeJoin, IdsOutsideAsciiMeetAsTheServerReceivedThem) {
  // The writer escapes each byte above 127 as \u00XX; the reader turns them back into bytes, so
  // a UTF-8 id and a Latin-1 id both meet the outcome file's bytes.
  testing::TempDir dir;
  const auto log = logged(
      dir, {{"Zo\xC3\xAB", "2026-03-01T00:00:00Z", 0.1}, {"raw\xE9", "2026-03-01T00:00:00Z", 0.2}});
  EXPECT_EQ(log.inputs.ids, (std::vector<std::string>{"Zo\xC3\xAB", "raw\xE9"}));
  const OutcomeJoin j =
      join_outcomes(log, outcomes("Zo\xC3\xAB,2026-12-31,1\nraw\xE9,2026-12-31,0\n"), {});
  EXPECT_EQ(j.target, (std::vector<double>{1, 0}));
  EXPECT_EQ(log.models.at("loan-default/3"), 2u);
}

TEST(ShadowComparison, PdDifferencesOnShadowedRowsAndDeLongOnTheLabelledOnes) {
  const double nan = std::nan("");
  const std::vector<double> champion = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
  const std::vector<double> challenger = {0.2, 0.1, 0.5, nan, 0.4, 0.9, 0.8};
  const std::vector<double> target = {0, 0, 1, 1, nan, 1, 0};
  const nlohmann::json c = shadow_comparison(champion, challenger, target);
  EXPECT_EQ(c["rows"], 6);  // the unshadowed row is left out
  EXPECT_NEAR(c["champion_mean_pd"].get<double>(), (0.1 + 0.2 + 0.3 + 0.5 + 0.6 + 0.7) / 6, 1e-15);
  const auto& d = c["pd_difference"];
  // Differences: 0.1, -0.1, 0.2, -0.1, 0.3, 0.1 (challenger minus champion).
  EXPECT_NEAR(d["mean"].get<double>(), 0.5 / 6, 1e-12);
  EXPECT_NEAR(d["mean_abs"].get<double>(), 0.9 / 6, 1e-12);
  EXPECT_NEAR(d["max_abs"].get<double>(), 0.3, 1e-12);
  EXPECT_NEAR(d["p50"].get<double>(), 0.1, 1e-12);
  const auto& w = c["with_outcomes"];
  EXPECT_EQ(w["rows"], 5);  // shadowed and labelled
  EXPECT_EQ(w["defaults"], 2);
  // Labelled rows: y = 0,0,1,1,0; champion 0.1,0.2,0.3,0.6,0.7: pairs (pos, neg) ranked right:
  // 0.3 > 0.1, 0.2 (2 of 3), 0.6 > 0.1, 0.2 (2 of 3): AUC 4/6. Challenger 0.2,0.1,0.5,0.9,0.8:
  // 0.5 > 0.2, 0.1; 0.9 > all three: 5/6.
  EXPECT_NEAR(w["champion"]["auc_roc"].get<double>(), 4.0 / 6, 1e-12);
  EXPECT_NEAR(w["challenger"]["auc_roc"].get<double>(), 5.0 / 6, 1e-12);
  EXPECT_NEAR(w["auc_difference"].get<double>(), 1.0 / 6, 1e-12);
  EXPECT_GT(w["auc_p_value"].get<double>(), 0);
  EXPECT_LT(w["auc_p_value"].get<double>(), 1);
  const double brier_a = (0.01 + 0.04 + 0.49 + 0.16 + 0.49) / 5;
  const double brier_b = (0.04 + 0.01 + 0.25 + 0.01 + 0.64) / 5;
  EXPECT_NEAR(w["brier_difference"].get<double>(), brier_b - brier_a, 1e-12);
  // Nothing shadowed: no comparison; one class only: no AUC, and the note says why.
  EXPECT_TRUE(shadow_comparison(champion, std::vector<double>(7, nan), target).is_null());
  const nlohmann::json one = shadow_comparison(champion, challenger, {0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(one["with_outcomes"]["champion"]["auc_roc"].is_null());
  EXPECT_TRUE(one["with_outcomes"]["challenger"]["auc_roc"].is_null());
  EXPECT_NE(one["with_outcomes"]["note"].get<std::string>().find("one class only"),
            std::string::npos);
}

}  // namespace
}  // namespace loanrisk::monitor
