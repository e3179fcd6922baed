// What an MLflow client does to the store (sql_store_client.cpp), on SQLite and PostgreSQL, and
// the pure translation its REST API uses: MLflow's search grammar and JSON fields.
#include <cmath>
#include <limits>

#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/mlflow_search.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

using ClientRuns = StoreTest;
LOANRISK_INSTANTIATE_STORE_SUITE(ClientRuns);

TEST_P(ClientRuns, KeepTheClientsTimesNameUserAndTagsAndAreNeverReaped) {
  std::string id;
  {
    auto store = open();
    const auto exp = store->create_experiment("notebook");
    ASSERT_TRUE(exp.has_value());
    EXPECT_FALSE(store->create_experiment("notebook").has_value());  // the name is taken
    EXPECT_EQ(store->find_experiment_by_id(exp->id)->name, "notebook");
    EXPECT_FALSE(store->find_experiment_by_id(exp->id + 100).has_value());
    const loanrisk::Run r = store->create_client_run(
        {.experiment_id = exp->id,
         .name = "lr-baseline",
         .start_ms = 1'700'000'000'123,
         .user = "ana",
         .tags = {{"mlflow.source.git.commit", "abc123"}, {"team", "risk"}}});
    id = r.id;
    EXPECT_EQ(r.name, "lr-baseline");
    EXPECT_EQ(r.start_ms, 1'700'000'000'123);
    EXPECT_EQ(r.user, "ana");
    EXPECT_EQ(r.pid, 0);
    EXPECT_EQ(r.git_commit, "abc123");
    EXPECT_EQ(r.status, RunStatus::kRunning);
    EXPECT_TRUE(std::filesystem::is_directory(r.artifact_dir));
    EXPECT_EQ(store->get_run_record(id).tags.at("team"), "risk");
    EXPECT_THROW_MSG(
        store->create_client_run(
            {.experiment_id = 999, .name = "", .start_ms = 0, .user = "ana", .tags = {}}),
        UsageError, "no experiment with id 999");
  }
  // Reopened with reaping on (what every CLI command does): the client's run stays RUNNING.
  auto store = open(true);
  EXPECT_EQ(store->reap_dead_runs(), 0);
  EXPECT_EQ(store->get_run(id).status, RunStatus::kRunning);
  const loanrisk::Run ended = store->update_run(
      id, {.status = RunStatus::kFinished, .end_ms = 1'700'000'999'000, .name = "renamed"});
  EXPECT_EQ(ended.status, RunStatus::kFinished);
  EXPECT_EQ(ended.end_ms, 1'700'000'999'000);
  EXPECT_EQ(ended.name, "renamed");
  // Listed like any other run.
  const auto runs = store->list_runs(std::string("notebook"));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, id);
  EXPECT_THROW(store->update_run(std::string(32, 'f'), {}), UsageError);
}

TEST_P(ClientRuns, DeletionIsALifecycleStageAndTagsCanBeRemoved) {
  auto store = open();
  const loanrisk::Run r = store->create_client_run(
      {.experiment_id = 0, .name = "", .start_ms = 0, .user = "ana", .tags = {{"a", "1"}}});
  EXPECT_EQ(r.name, "run-" + r.id.substr(0, 8));
  EXPECT_TRUE(store->deleted_run_ids().empty());
  store->set_run_deleted(r.id, true);
  EXPECT_EQ(store->deleted_run_ids(), std::vector<std::string>{r.id});
  store->set_run_deleted(r.id, false);
  EXPECT_TRUE(store->deleted_run_ids().empty());
  EXPECT_TRUE(store->delete_tag(r.id, "a"));
  EXPECT_FALSE(store->delete_tag(r.id, "a"));
  EXPECT_TRUE(store->get_run_record(r.id).tags.empty());
  EXPECT_THROW(store->delete_tag(std::string(32, '0'), "a"), UsageError);
}

TEST_P(ClientRuns, LatestMetricsCarryTheirStepAndTimestamp) {
  auto store = open();
  const loanrisk::Run r = store->create_client_run(
      {.experiment_id = 0, .name = "m", .start_ms = 0, .user = "ana", .tags = {}});
  store->log_metrics(r.id, {{"loss", 0.9, 0, 1000},
                            {"loss", 0.5, 2, 3000},
                            {"loss", 0.7, 1, 2000},
                            {"auc", std::nan(""), 0, 1000}});
  const auto latest = store->latest_metrics(r.id);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].key, "auc");
  EXPECT_TRUE(std::isnan(latest[0].value));
  EXPECT_EQ(latest[1].key, "loss");
  EXPECT_DOUBLE_EQ(latest[1].value, 0.5);
  EXPECT_EQ(latest[1].step, 2);
  EXPECT_EQ(latest[1].timestamp_ms, 3000);
}

MlflowSearchRun search_run(const std::string& id, std::int64_t start, double auc,
                           const std::string& depth) {
  MlflowSearchRun s;
  s.record.run.id = id;
  s.record.run.name = "run-" + id;
  s.record.run.start_ms = start;
  s.record.run.status = RunStatus::kFinished;
  s.record.run.user = "ana";
  s.record.metrics["auc"] = auc;
  s.record.params["max_depth"] = depth;
  s.record.tags["mlflow.runName"] = s.record.run.name;
  return s;
}

TEST(MlflowSearch, ParsesMlflowsGrammar) {
  const auto c = parse_mlflow_filter(
      "metrics.auc >= 0.8 AND params.`max depth` = '4' and tags.\"mlflow.runName\" LIKE 'lr%' "
      "AND attributes.status IN ('FINISHED', \"KILLED\") and run.run_name NOT IN ('x') AND "
      "tags.team ILIKE '%RISK'");
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0].entity, "metrics");
  EXPECT_TRUE(c[0].number);
  EXPECT_DOUBLE_EQ(c[0].numeric, 0.8);
  EXPECT_EQ(c[1].key, "max depth");
  EXPECT_EQ(c[2].key, "mlflow.runName");
  EXPECT_EQ(c[2].op, "LIKE");
  EXPECT_EQ(c[3].values, (std::vector<std::string>{"FINISHED", "KILLED"}));
  EXPECT_EQ(c[4].entity, "attributes");
  EXPECT_EQ(c[4].op, "NOT IN");
  EXPECT_EQ(c[5].op, "ILIKE");
  EXPECT_NO_THROW(check_mlflow_run_filter(c));
  EXPECT_TRUE(parse_mlflow_filter("  ").empty());
}

TEST(MlflowSearch, RefusesWhatItCannotAnswer) {
  for (const std::string bad :
       {"metrics.auc > ", "metrics.auc ~ 1", "metrics.auc > 1 OR metrics.auc < 0",
        "params.x = 'unterminated", "params.x IN 'a'", "params.x IN ('a' 'b')", "metrics.auc > nan",
        "tags.x = 1e999"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_mlflow_filter(bad), UsageError);
  }
  for (const std::string bad : {"metrics.auc LIKE '0.9%'", "params.x > '3'", "run_name = 'a'",
                                "attributes.colour = 'red'", "params.x = 4"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(check_mlflow_run_filter(parse_mlflow_filter(bad)), UsageError);
  }
  EXPECT_THROW(parse_mlflow_filter(std::string("params.x = '\xff'")), UsageError);
}

TEST(MlflowSearch, FiltersAndOrdersRuns) {
  std::vector<MlflowSearchRun> runs = {search_run("a", 100, 0.7, "3"),
                                       search_run("b", 300, 0.9, "4"),
                                       search_run("c", 200, std::nan(""), "4")};
  const auto depth4 = parse_mlflow_filter("params.max_depth = '4'");
  EXPECT_FALSE(mlflow_run_matches(depth4, runs[0]));
  EXPECT_TRUE(mlflow_run_matches(depth4, runs[1]));
  const auto auc = parse_mlflow_filter("metrics.auc > 0.5");
  EXPECT_TRUE(mlflow_run_matches(auc, runs[0]));
  EXPECT_FALSE(mlflow_run_matches(auc, runs[2]));  // NaN compares false
  EXPECT_TRUE(mlflow_run_matches(parse_mlflow_filter("attributes.start_time >= 200"), runs[2]));
  EXPECT_TRUE(
      mlflow_run_matches(parse_mlflow_filter("tags.mlflow.runName ILIKE 'RUN-_'"), runs[0]));
  sort_mlflow_runs(runs, {});  // newest first
  EXPECT_EQ(runs[0].record.run.id, "b");
  EXPECT_EQ(runs[2].record.run.id, "a");
  sort_mlflow_runs(runs, {"metrics.auc ASC"});  // NaN last
  EXPECT_EQ(runs[0].record.run.id, "a");
  EXPECT_EQ(runs[2].record.run.id, "c");
  sort_mlflow_runs(runs, {"params.max_depth DESC", "attributes.start_time"});
  EXPECT_EQ(runs[0].record.run.id, "c");
  EXPECT_EQ(runs[1].record.run.id, "b");
  EXPECT_THROW(sort_mlflow_runs(runs, {"metrics.auc SIDEWAYS"}), UsageError);
}

TEST(MlflowSearch, LikeAndPageTokens) {
  EXPECT_TRUE(sql_like("loan-default", "loan%", false));
  EXPECT_TRUE(sql_like("loan-default", "%default", false));
  EXPECT_TRUE(sql_like("loan-default", "loan_default", false));
  EXPECT_FALSE(sql_like("loan-default", "LOAN%", false));
  EXPECT_TRUE(sql_like("loan-default", "LOAN%", true));
  EXPECT_TRUE(sql_like("", "%", false));
  EXPECT_FALSE(sql_like("abc", "", false));
  EXPECT_EQ(parse_mlflow_page_token(""), 0u);
  EXPECT_EQ(parse_mlflow_page_token(mlflow_page_token(250)), 250u);
  for (const std::string bad : {"x", "o", "o-1", "o99999999999999", "250"}) {
    EXPECT_THROW(parse_mlflow_page_token(bad), UsageError) << bad;
  }
}

TEST(MlflowJson, FieldsAsMlflowSendsThem) {
  const auto req = nlohmann::json::parse(
      R"({"a": 17, "b": "1700000000000", "c": "NaN", "d": "-Infinity", "e": 0.5, "f": "x1",
          "g": [1], "h": "1e999", "ids": ["0", "4"]})");
  EXPECT_EQ(mlflow_int64(req, "a"), 17);
  EXPECT_EQ(mlflow_int64(req, "b"), 1'700'000'000'000);
  EXPECT_FALSE(mlflow_int64(req, "missing").has_value());
  EXPECT_THROW(mlflow_int64(req, "f"), UsageError);
  EXPECT_THROW(mlflow_int64(req, "g"), UsageError);
  EXPECT_TRUE(std::isnan(*mlflow_double(req, "c")));
  EXPECT_EQ(*mlflow_double(req, "d"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(*mlflow_double(req, "e"), 0.5);
  EXPECT_THROW(mlflow_double(req, "f"), UsageError);
  EXPECT_THROW(mlflow_double(req, "h"), UsageError);
  EXPECT_EQ(mlflow_strings(req, "ids"), (std::vector<std::string>{"0", "4"}));
  EXPECT_THROW(mlflow_required_string(req, "missing"), UsageError);
  EXPECT_EQ(mlflow_double_json(std::nan("")), "NaN");
  EXPECT_EQ(mlflow_double_json(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(file_uri("/srv/loan risk/ü#1"), "file:///srv/loan%20risk/%C3%BC%231");
  EXPECT_THROW(check_mlflow_param("k", std::string(6001, 'x')), UsageError);
  EXPECT_NO_THROW(check_mlflow_param("k", std::string(6000, 'x')));
  EXPECT_THROW(check_mlflow_tag("k", std::string(8001, 'x')), UsageError);
  EXPECT_THROW(check_mlflow_tag("../k", "v"), UsageError);
  EXPECT_THROW(check_mlflow_tag("k", "\xc3"), UsageError);
}

}  // namespace
}  // namespace loanrisk::testing
