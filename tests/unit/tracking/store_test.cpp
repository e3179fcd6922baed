// The Store contract, run unchanged against SQLite and PostgreSQL.
#include <cmath>

#include "loanrisk/tracking/migrations.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

using Store_ = StoreTest;

TEST_P(Store_, ExperimentsAreCreatedOnFirstUseAndDefaultIsZero) {
  auto store = open();
  auto exps = store->list_experiments();
  ASSERT_EQ(exps.size(), 1u);
  EXPECT_EQ(exps[0].id, 0);
  EXPECT_EQ(exps[0].name, "Default");
  const Experiment credit = store->get_or_create_experiment("credit");
  EXPECT_EQ(credit.id, 1);
  EXPECT_EQ(store->get_or_create_experiment("credit").id, 1);
  EXPECT_EQ(store->get_or_create_experiment("other").id, 2);
  EXPECT_FALSE(store->find_experiment("missing").has_value());
  EXPECT_THROW_MSG(store->get_or_create_experiment(""), UsageError, "it is empty");
}

TEST_P(Store_, RunLifecycleRecordsWhoWhenAndWhere) {
  auto store = open();
  const std::int64_t before = now_ms();
  const loanrisk::Run run = store->create_run({"credit", "baseline", "", "abc123"});
  EXPECT_EQ(run.id.size(), 32u);
  EXPECT_EQ(run.id.find_first_not_of("0123456789abcdef"), std::string::npos);
  loanrisk::Run got = store->get_run(run.id);
  EXPECT_EQ(got.name, "baseline");
  EXPECT_EQ(got.experiment_name, "credit");
  EXPECT_EQ(got.status, RunStatus::kRunning);
  EXPECT_EQ(got.git_commit, "abc123");
  EXPECT_EQ(got.pid, static_cast<std::int64_t>(::getpid()));
  EXPECT_GE(got.start_ms, before);
  EXPECT_FALSE(got.end_ms.has_value());
  EXPECT_EQ(got.artifact_dir, dir() / "artifacts" / "1" / run.id / "artifacts");
  EXPECT_TRUE(std::filesystem::is_directory(got.artifact_dir));

  store->end_run(run.id, RunStatus::kFinished);
  got = store->get_run(run.id);
  EXPECT_EQ(got.status, RunStatus::kFinished);
  ASSERT_TRUE(got.end_ms.has_value());
  EXPECT_GE(*got.end_ms, got.start_ms);

  const loanrisk::Run unnamed = store->create_run({});
  EXPECT_EQ(unnamed.name, "run-" + unnamed.id.substr(0, 8));
  EXPECT_EQ(unnamed.experiment_id, 0);
  EXPECT_EQ(store->list_runs(std::nullopt).size(), 2u);
  const auto credit_runs = store->list_runs(std::string("credit"));
  ASSERT_EQ(credit_runs.size(), 1u);
  EXPECT_EQ(credit_runs[0].id, run.id);
  EXPECT_THROW_MSG(store->list_runs(std::string("nope")), UsageError,
                   "no experiment 'nope'; experiments: Default, credit");
  EXPECT_THROW_MSG(store->get_run("ffff"), UsageError, "no run 'ffff'");
  EXPECT_THROW_MSG(store->end_run(run.id, RunStatus::kRunning), UsageError, "cannot be ended");
}

TEST_P(Store_, ParentRunMustExist) {
  auto store = open();
  const loanrisk::Run study = store->create_run({"tune", "study", "", ""});
  const loanrisk::Run trial = store->create_run({"tune", "trial-0", study.id, ""});
  EXPECT_EQ(store->get_run(trial.id).parent_run_id, study.id);
  EXPECT_EQ(store->get_run(study.id).parent_run_id, "");
  EXPECT_THROW_MSG(store->create_run({"tune", "orphan", "0123", ""}), UsageError, "no run '0123'");
}

TEST_P(Store_, ParamsAreImmutable) {
  auto store = open();
  const loanrisk::Run run = store->create_run({});
  store->log_param(run.id, "max_depth", "4");
  store->log_param(run.id, "max_depth", "4");  // same value again: fine
  EXPECT_THROW_MSG(store->log_param(run.id, "max_depth", "5"), UsageError,
                   "param 'max_depth' of run " + run.id +
                       " was already logged as '4'; params are immutable, cannot change it to '5'");
  // A batch with one conflicting value logs nothing.
  EXPECT_THROW_MSG(store->log_params(run.id, {{"eta", "0.1"}, {"max_depth", "6"}}), UsageError,
                   "already logged as '4'");
  const RunRecord rec = store->get_run_record(run.id);
  EXPECT_EQ(rec.params, (std::map<std::string, std::string>{{"max_depth", "4"}}));
  EXPECT_THROW_MSG(store->log_param("nope", "a", "b"), UsageError, "no run 'nope'");
  EXPECT_THROW_MSG(store->log_param(run.id, "../x", "b"), UsageError, "invalid param key '../x'");
}

TEST_P(Store_, MetricsKeepTheirFullHistory) {
  auto store = open();
  const loanrisk::Run run = store->create_run({});
  store->log_metric(run.id, "loss", 0.5, 0, 1000);
  store->log_metric(run.id, "loss", 0.25, 1, 2000);
  store->log_metric(run.id, "loss", 0.125, 2, 3000);
  store->log_metric(run.id, "auc_roc", 0.9912345678901234, 0, 1500);
  store->log_metric(run.id, "odd", std::nan(""), 0, 1500);
  store->log_metric(run.id, "big", -INFINITY, 0, 1500);
  const auto hist = store->metric_history(run.id, "loss");
  ASSERT_EQ(hist.size(), 3u);
  EXPECT_EQ(hist[0].value, 0.5);
  EXPECT_EQ(hist[1].step, 1);
  EXPECT_EQ(hist[1].timestamp_ms, 2000);
  EXPECT_EQ(hist[2].value, 0.125);
  const RunRecord rec = store->get_run_record(run.id);
  EXPECT_EQ(rec.metrics.at("loss"), 0.125);                  // latest = highest step
  EXPECT_EQ(rec.metrics.at("auc_roc"), 0.9912345678901234);  // exact round trip
  EXPECT_TRUE(std::isnan(rec.metrics.at("odd")));
  EXPECT_EQ(rec.metrics.at("big"), -INFINITY);
  EXPECT_EQ(store->count_metric_rows(run.id), 6);
}

TEST_P(Store_, LatestMetricIsMaxOfStepThenTimestamp) {
  auto store = open();
  const loanrisk::Run run = store->create_run({});
  store->log_metric(run.id, "m", 3.0, 5, 100);
  store->log_metric(run.id, "m", 2.0, 5, 200);  // same step, later: wins
  store->log_metric(run.id, "m", 9.0, 4, 900);  // earlier step: loses despite the time
  EXPECT_EQ(store->get_run_record(run.id).metrics.at("m"), 2.0);
}

TEST_P(Store_, BatchedMetricsAreAllOrNothing) {
  auto store = open();
  const loanrisk::Run run = store->create_run({});
  std::vector<MetricPoint> points;
  for (int i = 0; i < 10000; ++i) points.push_back({"curve", i * 0.5, i, 1000 + i});
  store->log_metrics(run.id, points);
  EXPECT_EQ(store->count_metric_rows(run.id), 10000);
  const auto hist = store->metric_history(run.id, "curve");
  EXPECT_EQ(hist[9999].value, 4999.5);
  EXPECT_EQ(hist[9999].timestamp_ms, 10999);
  points[5].key = "bad key!";
  EXPECT_THROW_MSG(store->log_metrics(run.id, points), UsageError, "invalid metric key 'bad key!'");
  EXPECT_EQ(store->count_metric_rows(run.id), 10000);
}

TEST_P(Store_, TagsDatasetAndArtifacts) {
  auto store = open();
  const loanrisk::Run run = store->create_run({});
  store->set_tag(run.id, "owner", "risk-team");
  store->set_tag(run.id, "owner", "credit-team");  // tags can be replaced
  store->set_dataset(run.id, std::string(64, 'a'), "/data/book.csv", 10000);
  write_text(dir() / "card.md", "# card\n");
  std::filesystem::create_directories(dir() / "bundle" / "model");
  write_text(dir() / "bundle" / "model" / "xgboost.json", "{}");
  const auto dest = store->log_artifact(run.id, dir() / "bundle", "bundle");
  store->log_artifact(run.id, dir() / "card.md", "card.md");
  const RunRecord rec = store->get_run_record(run.id);
  EXPECT_EQ(rec.tags.at("owner"), "credit-team");
  EXPECT_EQ(rec.run.dataset_sha256, std::string(64, 'a'));
  EXPECT_EQ(rec.run.dataset_path, "/data/book.csv");
  EXPECT_EQ(rec.run.dataset_rows, 10000);
  EXPECT_EQ(dest, rec.run.artifact_dir / "bundle");
  EXPECT_TRUE(std::filesystem::exists(dest / "model" / "xgboost.json"));
  EXPECT_TRUE(std::filesystem::exists(rec.run.artifact_dir / "card.md"));
  EXPECT_THROW_MSG(store->log_artifact(run.id, dir() / "missing", "x"), InputError,
                   "does not exist");
}

TEST_P(Store_, ReopeningKeepsDataAndANewerSchemaIsRefused) {
  std::string run_id;
  {
    auto store = open();
    run_id = store->create_run({}).id;
    store->end_run(run_id, RunStatus::kFinished);
  }
  auto store = open();
  EXPECT_EQ(store->get_run(run_id).status, RunStatus::kFinished);
  EXPECT_EQ(migrate_store(store->database(), uri()), kStoreSchemaVersion);
  store->database().transaction(
      true, [&] { store->database().exec("UPDATE schema_version SET version = 999"); });
  store.reset();
  EXPECT_THROW_MSG(open(), UsageError,
                   "has schema version 999, newer than the version " +
                       std::to_string(kStoreSchemaVersion) + " this loanrisk understands");
}

// MLflow's and Optuna's SQLAlchemy stores would take a table named runs, experiments, studies
// or trials for their own: every loanrisk table carries lr_ (schema_version excepted, which an
// older loanrisk reads to refuse this store), and a store of version 6 keeps its data when
// renamed.
TEST_P(Store_, EveryTableCarriesThePrefixAndAVersionSixStoreIsRenamed) {
  auto store = open();
  const std::string run_id = store->create_run({}).id;
  store->log_metric(run_id, "auc", 0.9);
  Database& db = store->database();
  const std::string tables_sql =
      GetParam() == "sqlite"
          ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
          : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() ORDER BY table_name";
  std::vector<std::string> names;
  db.transaction(false, [&] {
    for (const auto& row : db.query(tables_sql, {})) names.push_back(row.text(0));
  });
  ASSERT_GE(names.size(), 18u);
  for (const auto& name : names) {
    EXPECT_TRUE(name.starts_with("lr_") || name == "schema_version") << name;
  }
  db.transaction(true, [&] {
    undo_versions_after_7(db);
    for (const auto& name : names) {
      if (name == "schema_version" || name == "lr_study_refits") continue;
      db.execute_direct("ALTER TABLE " + name + " RENAME TO " + name.substr(3));
    }
    db.exec("UPDATE schema_version SET version = 6");
  });
  store.reset();
  store = open();
  EXPECT_EQ(store->get_run_record(run_id).metrics.at("auc"), 0.9);
  store->database().transaction(
      false, [&] { EXPECT_EQ(store->database().query(tables_sql, {}).size(), names.size()); });
}

LOANRISK_INSTANTIATE_STORE_SUITE(Store_);

TEST(RunStatusNames, RoundTripAndErrors) {
  for (RunStatus s :
       {RunStatus::kRunning, RunStatus::kFinished, RunStatus::kFailed, RunStatus::kKilled}) {
    EXPECT_EQ(parse_run_status(to_string(s)), s);
  }
  EXPECT_THROW_MSG(
      parse_run_status("done"), UsageError,
      "unknown run status 'done': valid statuses are RUNNING, FINISHED, FAILED, KILLED");
}

}  // namespace
}  // namespace loanrisk::testing
