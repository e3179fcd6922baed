// `runs export-mlflow` read back by a real YAML parser: a store with hostile names (an experiment
// named "a: b #c\n- d", run names with quotes, tags with newlines, unicode, a YAML keyword and a
// number as names), a deleted run, a dataset, a bundle and the registry is exported into a folder
// whose path needs percent-encoding; tests/interop/mlflow_export_check.py (Debian's python3 and
// PyYAML) then checks every field against what this test reads from the store.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "loanrisk/core/files.hpp"
#include "loanrisk/registry/mlflow_registry_export.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/mlflow_export.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

namespace fs = std::filesystem;

// A small bundle as the registry and the MLmodel writer read it: manifest, pipeline schema,
// lineage and an XGBoost booster file.
fs::path fake_bundle(const fs::path& dir) {
  fs::create_directories(dir / "model");
  write_json_file(dir / "manifest.json",
                  {{"format_version", 2}, {"family", "xgboost"}, {"loanrisk_version", "0.9.0"}});
  write_json_file(
      dir / "pipeline.json",
      {{"schema",
        {{"columns",
          {{{"name", "customer_id"}, {"type", "text"}, {"role", "id"}, {"required", true}},
           {{"name", "income"}, {"type", "real"}, {"role", "feature"}, {"required", true}},
           {{"name", "fico_score"}, {"type", "integer"}, {"role", "feature"}, {"required", true}},
           {{"name", "default"}, {"type", "binary"}, {"role", "target"}, {"required", false}}}}}}});
  write_json_file(dir / "lineage.json", {{"libraries", {{"xgboost", "1.7.4"}}}});
  write_text(dir / "model" / "xgboost.json", "{}");
  return dir;
}

nlohmann::json run_json(Store& store, const std::string& id, bool deleted, bool bundle) {
  const Run r = store.get_run(id);
  const RunRecord rec = store.get_run_record(id);
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [key, latest] : rec.metrics) {
    for (const MetricPoint& p : store.metric_history(id, key)) {
      metrics[key].push_back({p.timestamp_ms, p.value, p.step});
    }
  }
  nlohmann::json dataset = nullptr;
  if (!r.dataset_sha256.empty()) {
    dataset = {{"sha256", r.dataset_sha256}, {"path", r.dataset_path}, {"rows", *r.dataset_rows}};
  }
  nlohmann::json b = nullptr;
  if (bundle) {
    b = {{"family", "xgboost"},
         {"format_version", 2},
         {"xgboost", true},
         {"inputs", {"customer_id", "income", "fico_score"}}};
  }
  return {{"id", r.id},
          {"experiment_id", std::to_string(r.experiment_id)},
          {"name", r.name},
          {"user", r.user},
          {"status_code", mlflow_status_code(r.status)},
          {"start", r.start_ms},
          {"end", r.end_ms ? nlohmann::json(*r.end_ms) : nlohmann::json()},
          {"deleted", deleted},
          {"params", rec.params},
          {"tags", rec.tags},
          {"metrics", metrics},
          {"dataset", dataset},
          {"bundle", b}};
}

TEST(MlflowExportRoundTrip, PyYamlReadsBackEveryField) {
  TempDir dir;
  auto store = open_store("sqlite:///" + (dir / "store" / "loanrisk.db").string());
  const std::string hostile_experiment = "a: b #c\n- d";

  const loanrisk::Run trained = store->create_run({"credit", "say \"hi\" it's", "", "c0ffee"});
  store->log_param(trained.id, "max_depth", "4");
  store->log_param(trained.id, "note", "yes");  // a YAML keyword as a value
  store->set_tag(trained.id, "team", "risk\nline two\t# not a comment");
  store->set_tag(trained.id, "owner", "Zoë 模型 🚀");
  store->log_metric(trained.id, "auc_roc", 0.1, 0, 1700000000000);
  store->log_metric(trained.id, "auc_roc", 0.995, 1, 1700000000500);
  store->set_dataset(trained.id, "ab12cd", (dir / "data #1" / "book 100%.csv").string(), 3000);
  store->log_artifact(trained.id, fake_bundle(dir / "bundle-src"), "bundle");
  store->end_run(trained.id, RunStatus::kFinished);

  const loanrisk::Run gone = store->create_run({"credit", "null", "", ""});
  store->end_run(gone.id, RunStatus::kFailed);
  store->set_run_deleted(gone.id, true);
  const loanrisk::Run running = store->create_run({"Default", "007", "", ""});

  // Names the CLI refuses can still reach a store (older versions, direct SQL, other clients):
  // the export must write them safely anyway.
  store->database().exec("UPDATE lr_experiments SET name = ? WHERE name = 'credit'",
                         {hostile_experiment});

  ModelRegistry registry(*store, "Zoë");
  registry.register_version("loan-default", trained.id, "first", "line one\nline \"two\"");
  registry.set_version_tag("loan-default", 1, "validated by", "- me: #1");
  registry.set_alias("loan-default", "challenger", 1, "try it");

  const fs::path out = dir / "ml runs #1 %x ü";
  const MlflowExportSummary s = export_mlflow(*store, out);
  const MlflowRegistryExportSummary r = export_mlflow_registry(*store, out);
  EXPECT_EQ(s.runs, 3);
  EXPECT_EQ(s.datasets, 1);
  EXPECT_EQ(s.models, 1);
  EXPECT_EQ(r.versions, 1);
  EXPECT_EQ(r.aliases, 1);

  nlohmann::json expected = {{"experiments", nlohmann::json::array()},
                             {"runs", nlohmann::json::array()},
                             {"models", nlohmann::json::array()}};
  for (const Experiment& e : store->list_experiments()) {
    expected["experiments"].push_back(
        {{"id", std::to_string(e.id)}, {"name", e.name}, {"created", e.created_ms}});
  }
  EXPECT_EQ(expected["experiments"][1]["name"], hostile_experiment);
  expected["runs"] = {run_json(*store, trained.id, false, true),
                      run_json(*store, gone.id, true, false),
                      run_json(*store, running.id, false, false)};
  for (const RegisteredModel& m : registry.list_models()) {
    nlohmann::json versions = nlohmann::json::array();
    for (const ModelVersion& v : registry.versions(m.name)) {
      versions.push_back({{"version", v.version},
                          {"run_id", v.run_id},
                          {"description", v.description},
                          {"status", v.status},
                          {"user", v.created_by},
                          {"created", v.created_ms},
                          {"tags", v.tags}});
    }
    expected["models"].push_back({{"name", m.name},
                                  {"description", m.description},
                                  {"created", m.created_ms},
                                  {"updated", m.updated_ms},
                                  {"aliases", m.aliases},
                                  {"versions", versions}});
  }
  write_json_file(dir / "expected.json", expected);

  // Debian's interpreter, where scripts/setup.sh installs python3-yaml (not a pyenv one).
  const std::string command = "/usr/bin/python3 '" LOANRISK_SOURCE_DIR
                              "/tests/interop/mlflow_export_check.py' '" +
                              out.string() + "' '" + (dir / "expected.json").string() + "' 2>&1";
  std::string output;
  FILE* p = popen(command.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) output += buf;
  EXPECT_EQ(pclose(p), 0) << output << "\n(python3-yaml missing? run scripts/setup.sh)";
  EXPECT_NE(output.find("0 failure(s)"), std::string::npos) << output;
}

}  // namespace
}  // namespace loanrisk::testing
