// A study written into Optuna's SQLite storage: distributions exactly as python3-optuna 3.1.0
// serialises them, parameters in Optuna's internal representation, every state, value and
// intermediate value read back from the file, and every bad target refused with the file left
// as it was. tests/interop/optuna_load.py opens such a file with the real optuna.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loanrisk/core/error.hpp"
#include "loanrisk/tuning/optuna_export.hpp"
#include "loanrisk/tuning/optuna_file.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

using Kind = ParamDistribution::Kind;

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

SearchSpace space() {
  SearchSpace s;
  s.family = "xgboost";
  s.params = {{"n_estimators", Kind::Int, 50, 200, false, 1, {}},
              {"learning_rate", Kind::Float, 0.01, 0.3, true, 0, {}},
              {"subsample", Kind::Float, 0.5, 1, false, 0.1, {}},
              {"max_bin", Kind::Categorical, 0, 0, false, 0, {64, 128, 256}}};
  return s;
}

StudyInfo study(const std::string& name = "curves") {
  return {7,
          name,
          "xgboost",
          space().to_json().dump(),
          R"({"seed":42,"sampler":"tpe"})",
          "run-parent",
          1'700'000'000'000};
}

TrialRecord trial(std::int64_t number, TrialState state, std::optional<double> value) {
  TrialRecord t;
  t.number = number;
  t.state = state;
  t.value = value;
  t.params = {{"n_estimators", 120}, {"learning_rate", 0.05}, {"subsample", 0.7}, {"max_bin", 128}};
  t.run_id = "run-" + std::to_string(number);
  t.started_ms = 1'700'000'000'123 + number * 1000;
  if (state != TrialState::kRunning) t.ended_ms = t.started_ms + 500;
  return t;
}

std::vector<TrialRecord> trials() {
  auto complete = trial(0, TrialState::kComplete, 0.91);
  complete.intermediate = {{10, 0.8}, {20, std::numeric_limits<double>::quiet_NaN()}};
  auto pruned = trial(1, TrialState::kPruned, std::nullopt);
  pruned.intermediate = {{10, 0.5}, {20, 0.55}};
  pruned.rungs = {{0, 0.5}};
  return {complete, pruned, trial(2, TrialState::kFail, std::nullopt),
          trial(3, TrialState::kRunning, std::nullopt)};
}

std::string uri_of(const std::filesystem::path& p) {
  return "sqlite:///" + p.string();
}

TEST(OptunaExport, DistributionsAreOptunasJson) {
  // The distribution_json python3-optuna 3.1.0 wrote for the same suggest_* calls.
  const auto s = space();
  EXPECT_EQ(optuna_distribution_json(s.params[0]),
            nlohmann::json::parse(R"({"name": "IntDistribution", "attributes": {"log": false,
                                  "step": 1, "low": 50, "high": 200}})"));
  EXPECT_EQ(optuna_distribution_json(s.params[1]),
            nlohmann::json::parse(R"({"name": "FloatDistribution", "attributes": {"step": null,
                                  "low": 0.01, "high": 0.3, "log": true}})"));
  EXPECT_EQ(optuna_distribution_json(s.params[2]),
            nlohmann::json::parse(R"({"name": "FloatDistribution", "attributes": {"step": 0.1,
                                  "low": 0.5, "high": 1.0, "log": false}})"));
  EXPECT_EQ(optuna_distribution_json(s.params[3]).dump(),
            R"({"attributes":{"choices":[64.0,128.0,256.0]},"name":"CategoricalDistribution"})");
  const ParamDistribution log_step{"n", Kind::Int, 1, 100, true, 3, {}};
  EXPECT_THROW_MSG(optuna_distribution_json(log_step), UsageError, "cannot combine log");
}

TEST(OptunaExport, InternalValuesAreOptunas) {
  const auto s = space();
  EXPECT_EQ(optuna_internal_value(s.params[0], 120), 120);
  EXPECT_EQ(optuna_internal_value(s.params[3], 256), 2);  // a categorical is its choice's index
  EXPECT_THROW_MSG(optuna_internal_value(s.params[3], 100), InputError, "outside");
  EXPECT_THROW_MSG(optuna_internal_value(s.params[0], 10), InputError, "outside");
  EXPECT_THROW_MSG(optuna_internal_value(s.params[0], 60.5), InputError, "outside");
  EXPECT_THROW_MSG(optuna_internal_value(s.params[1], std::nan("")), InputError, "outside");
}

TEST(OptunaExport, WritesEveryTrialAsOptunaStoresIt) {
  TempDir dir;
  const auto path = dir / "optuna.db";
  const auto summary = export_optuna_study(study(), space(), trials(), uri_of(path));
  EXPECT_TRUE(summary.created_file);
  EXPECT_EQ(summary.study_id, 1);
  EXPECT_EQ(summary.trials, 4);
  EXPECT_EQ(summary.params, 16);
  EXPECT_EQ(summary.intermediate_values, 4);

  OptunaFile f(path, false);
  EXPECT_FALSE(f.check_empty_or_optuna());  // every table, at Optuna 3.1's revision
  EXPECT_EQ(f.query("SELECT version_num FROM alembic_version")[0].text(0), "v3.0.0.d");
  const auto version = f.query("SELECT schema_version, library_version FROM version_info");
  EXPECT_EQ(version[0].integer(0), 12);
  EXPECT_EQ(version[0].text(1), "3.1.0");
  EXPECT_EQ(f.query("SELECT study_name FROM studies")[0].text(0), "curves");
  EXPECT_EQ(f.query("SELECT direction, objective FROM study_directions")[0].text(0), "MAXIMIZE");
  std::map<std::string, nlohmann::json> attrs;
  for (const auto& row : f.query("SELECT key, value_json FROM study_user_attributes")) {
    attrs[row.text(0)] = nlohmann::json::parse(row.text(1));
  }
  EXPECT_EQ(attrs.size(), 5u);
  EXPECT_EQ(attrs["family"], "xgboost");
  EXPECT_EQ(attrs["settings"].at("seed"), 42);  // an object, not a JSON text in a string
  EXPECT_EQ(attrs["search_space"], space().to_json());
  EXPECT_EQ(attrs["loanrisk_parent_run_id"], "run-parent");

  const auto rows = f.query(
      "SELECT number, state, datetime_start, datetime_complete FROM trials ORDER BY number");
  ASSERT_EQ(rows.size(), 4u);
  const std::vector<std::string> states = {"COMPLETE", "PRUNED", "FAIL", "RUNNING"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].integer(0), static_cast<std::int64_t>(i));
    EXPECT_EQ(rows[i].text(1), states[i]);
    EXPECT_EQ(rows[i].text(2).size(), 26u) << rows[i].text(2);  // YYYY-MM-DD HH:MM:SS.ffffff
    EXPECT_EQ(rows[i].text(2).substr(19), ".123000");
  }
  EXPECT_FALSE(rows[0].is_null(3));
  EXPECT_TRUE(rows[3].is_null(3));  // a running trial has not completed

  const auto params = f.query(
      "SELECT param_name, param_value FROM trial_params WHERE trial_id = 1 ORDER BY param_name");
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].text(0), "learning_rate");
  EXPECT_DOUBLE_EQ(params[0].real(1), 0.05);
  EXPECT_EQ(params[1].text(0), "max_bin");
  EXPECT_DOUBLE_EQ(params[1].real(1), 1);  // index of 128

  // Complete: its value; pruned without one: its last intermediate value (Optuna's rule);
  // failed and running: none.
  const auto values = f.query(
      "SELECT t.number, v.value, v.value_type FROM trial_values v JOIN trials t USING (trial_id) "
      "ORDER BY t.number");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_DOUBLE_EQ(values[0].real(1), 0.91);
  EXPECT_EQ(values[1].integer(0), 1);
  EXPECT_DOUBLE_EQ(values[1].real(1), 0.55);
  EXPECT_EQ(values[1].text(2), "FINITE");

  const auto steps = f.query(
      "SELECT step, intermediate_value, intermediate_value_type FROM trial_intermediate_values "
      "WHERE trial_id = 1 ORDER BY step");
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_DOUBLE_EQ(steps[0].real(1), 0.8);
  EXPECT_TRUE(steps[1].is_null(1));
  EXPECT_EQ(steps[1].text(2), "NAN");

  const auto run_ids = f.query(
      "SELECT value_json FROM trial_user_attributes WHERE key = 'loanrisk_run_id' ORDER BY "
      "trial_id");
  ASSERT_EQ(run_ids.size(), 4u);
  EXPECT_EQ(run_ids[2].text(0), "\"run-2\"");
  const auto rungs = f.query("SELECT key, value_json FROM trial_system_attributes");
  ASSERT_EQ(rungs.size(), 1u);
  EXPECT_EQ(rungs[0].text(0), "completed_rung_0");
  EXPECT_EQ(rungs[0].text(1), "0.5");
}

TEST(OptunaExport, AddsToAnOptunaStorageButNeverOverASameNamedStudy) {
  TempDir dir;
  const auto path = dir / "optuna.db";
  export_optuna_study(study(), space(), trials(), uri_of(path));
  const std::string before = file_bytes(path);
  EXPECT_THROW_MSG(export_optuna_study(study(), space(), trials(), uri_of(path)), UsageError,
                   "already holds a study named 'curves' (study_id 1, 4 trials); nothing was "
                   "written");
  EXPECT_EQ(file_bytes(path), before);
  const auto second = export_optuna_study(study("other"), space(), trials(), uri_of(path));
  EXPECT_FALSE(second.created_file);
  EXPECT_EQ(second.study_id, 2);
}

TEST(OptunaExport, AFailedExportLeavesNothingBehind) {
  TempDir dir;
  auto bad = trials();
  bad[2].params["max_bin"] = 100;  // not a choice: fails after rows were inserted
  EXPECT_THROW_MSG(export_optuna_study(study(), space(), bad, uri_of(dir / "new.db")), InputError,
                   "'max_bin' = 100 is outside");
  EXPECT_FALSE(std::filesystem::exists(dir / "new.db"));  // the file it created is gone

  const auto path = dir / "optuna.db";
  export_optuna_study(study(), space(), trials(), uri_of(path));
  const std::string before = file_bytes(path);
  EXPECT_THROW(export_optuna_study(study("other"), space(), bad, uri_of(path)), InputError);
  EXPECT_EQ(file_bytes(path), before);  // rolled back
}

TEST(OptunaExport, RefusesEveryOtherTarget) {
  TempDir dir;
  write_text(dir / "book.csv", "customer_id,income\n1,2\n");
  {
    OptunaFile other(dir / "other.db", true);
    other.query("CREATE TABLE loans (id INTEGER)");
    OptunaFile old(dir / "old.db", true);
    old.create_schema();
    old.query("UPDATE alembic_version SET version_num = 'v2.6.0.a'");
  }
  const auto export_to = [&](const std::string& uri) {
    return export_optuna_study(study(), space(), trials(), uri);
  };
  expect_refusals<UsageError>(
      export_to, {{"postgresql://u@h/db", "is not an SQLite URI"},
                  {"optuna.db", "is not an SQLite URI"},
                  {"sqlite:///" + (dir / "x.db").string() + "?mode=ro", "has a query string"},
                  {"sqlite:///:memory:", "in-memory"},
                  {"sqlite:///" + (dir / "missing" / "x.db").string(), "missing does not exist"},
                  {"sqlite:///" + dir.path().string(), "names a folder"},
                  {uri_of(dir / "book.csv"), "is not an SQLite database"},
                  {uri_of(dir / "other.db"), "not an Optuna storage (it has the tables loans"},
                  {uri_of(dir / "old.db"), "at schema revision v2.6.0.a"}});
  EXPECT_EQ(file_bytes(dir / "book.csv"), "customer_id,income\n1,2\n");
  OptunaFile other(dir / "other.db", false);
  EXPECT_EQ(other.query("SELECT name FROM sqlite_master WHERE type = 'table'").size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir / "missing"));
}

TEST(OptunaExport, FillsAnEmptySqliteFile) {
  TempDir dir;
  write_text(dir / "empty.db", "");  // zero bytes: an SQLite database without tables
  const auto s = export_optuna_study(study(), space(), trials(), uri_of(dir / "empty.db"));
  EXPECT_FALSE(s.created_file);
  EXPECT_EQ(s.trials, 4);
}

}  // namespace
}  // namespace loanrisk::testing
