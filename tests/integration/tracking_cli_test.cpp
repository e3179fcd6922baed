// `loanrisk runs ...` and `loanrisk models ...` as a user meets them, on a real SQLite store filled
// through the library (as `loanrisk train` and tuning do).
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "loanrisk/registry/registry.hpp"
#include "unit/registry/report_fixture.hpp"

namespace loanrisk::testing {
namespace {

class TrackingCli : public ::testing::Test {
 protected:
  TempDir dir;
  std::string store_flag;
  std::string fast, slow;  // run ids

  void SetUp() override {
    const std::string uri = "sqlite:///" + (dir / "store/loanrisk.db").string();
    store_flag = " --store '" + uri + "'";
    auto store = open_store(uri);
    fast = make_run(*store, "fast", "4", 0.995);
    slow = make_run(*store, "slow", "6", 0.97);
  }

  std::string make_run(Store& store, const std::string& name, const std::string& depth,
                       double auc) {
    const loanrisk::Run run = store.create_run({"credit", name, "", "c0ffee"});
    store.log_params(run.id, {{"max_depth", depth}, {"eta", "0.1"}});
    store.log_metric(run.id, "auc_roc", auc, 0, 1000);
    store.log_metric(run.id, "ks", 0.6, 0, 1000);
    std::filesystem::create_directories(dir / name / "model");
    write_text(dir / name / "manifest.json", "{\"run\": \"" + name + "\"}");
    store.log_artifact(run.id, dir / name, "bundle");
    store.end_run(run.id, RunStatus::kFinished);
    return run.id;
  }
};

TEST_F(TrackingCli, ListFilterSortAndJson) {
  auto r = run_cli(dir, "runs list" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("run_id"), std::string::npos);
  EXPECT_NE(r.out.find(fast), std::string::npos);
  EXPECT_NE(r.out.find("2 run(s)"), std::string::npos);

  r = run_cli(dir, "runs list --filter \"metric.auc_roc > 0.99\" --json" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["run_id"], fast);
  EXPECT_EQ(j[0]["params"]["max_depth"], "4");
  EXPECT_EQ(j[0]["metrics"]["auc_roc"], 0.995);

  r = run_cli(dir, "runs list --sort auc_roc --ascending --json --experiment credit" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j[0]["name"], "slow");
  EXPECT_EQ(j[1]["name"], "fast");

  r = run_cli(dir, "runs list --filter \"metric.auc_roc >> 0.99\"" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad filter 'metric.auc_roc >> 0.99' at character 17"), std::string::npos)
      << r.err;
  r = run_cli(dir, "runs list --experiment nope" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no experiment 'nope'"), std::string::npos) << r.err;
}

TEST_F(TrackingCli, ShowAndCompareMarkDifferences) {
  auto r = run_cli(dir, "runs show " + fast + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("status      FINISHED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max_depth  4"), std::string::npos) << r.out;
  r = run_cli(dir, "runs compare " + fast + " " + slow + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("*  param   max_depth  4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("   param   eta        0.1"), std::string::npos) << r.out;
  r = run_cli(dir, "runs compare --json " + fast + " " + slow + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["metrics"][0]["key"], "auc_roc");
  EXPECT_EQ(j["metrics"][0]["differs"], true);
  EXPECT_EQ(j["metrics"][1]["key"], "ks");
  EXPECT_EQ(j["metrics"][1]["differs"], false);
  r = run_cli(dir, "runs show 0000" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no run '0000'"), std::string::npos);
  EXPECT_EQ(run_cli(dir, "runs compare " + fast + store_flag).code, 2);  // needs two
}

TEST_F(TrackingCli, RegistryRoundTrip) {
  auto r = run_cli(dir, "models register pd --run " + slow + " --reason 'first'" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "registered pd version 1 from run " + slow + " (models:/pd/1)\n");
  ASSERT_EQ(run_cli(dir, "models register pd --run " + fast + store_flag).code, 0);
  // Champion moves on validation evidence: exit 4 without it, an override needs its reason.
  r = run_cli(dir, "models alias pd champion 1 --reason 'go live'" + store_flag);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("@champion needs validation evidence: version 1 of 'pd' has no validation "
                       "report attached"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("`loanrisk models attach-report pd 1 DIR`"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli(dir, "models alias pd champion 1 --override" + store_flag).code, 2);
  r = run_cli(dir, "models alias pd champion 1 --override --reason 'go live'" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "models:/pd@champion now points at version 1 (validation gate overridden; the "
            "history keeps the reason)\n");
  {
    auto store = open_store("sqlite:///" + (dir / "store/loanrisk.db").string());
    write_report(dir / "rep2", ModelRegistry(*store).get_version("pd", 2).source, "green");
    write_report(dir / "rep1", ModelRegistry(*store).get_version("pd", 1).source, "green");
  }
  r = run_cli(dir, "models attach-report pd 2 rep1" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("validated another model"), std::string::npos) << r.err;
  r = run_cli(dir, "models attach-report pd 2 rep2" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("attached validation report ", 0), 0u) << r.out;
  r = run_cli(dir, "models reports pd" + store_flag);
  EXPECT_NE(r.out.find("green"), std::string::npos) << r.out;
  r = run_cli(dir, "models alias pd champion 2 --reason 'higher AUC'" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("now points at version 2 (validation report "), std::string::npos) << r.out;
  r = run_cli(dir, "models archive pd 1 --reason old" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run_cli(dir, "models archive pd 2" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is @champion; move the alias"), std::string::npos) << r.err;

  r = run_cli(dir, "models history pd --json" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto h = nlohmann::json::parse(r.out);
  ASSERT_EQ(h.size(), 6u);
  EXPECT_EQ(h[2]["override_gate"], true);
  EXPECT_EQ(h[3]["event"], "attach-report");
  EXPECT_EQ(h[4]["event"], "alias");
  EXPECT_EQ(h[4]["version"], 2);
  EXPECT_EQ(h[4]["previous_version"], 1);
  EXPECT_EQ(h[4]["reason"], "higher AUC");
  EXPECT_EQ(h[4]["report_sha256"], h[3]["report_sha256"]);
  EXPECT_EQ(h[5]["event"], "archive");
  r = run_cli(dir, "models history pd" + store_flag);
  EXPECT_NE(r.out.find("@champion -> v2 (was v1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("@champion -> v1 (gate overridden)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("attach-report v2 report " +
                       h[3]["report_sha256"].get<std::string>().substr(0, 12)),
            std::string::npos)
      << r.out;

  r = run_cli(dir, "models show pd --json" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto m = nlohmann::json::parse(r.out);
  EXPECT_EQ(m["aliases"]["champion"], 2);
  EXPECT_EQ(m["versions"][0]["status"], "ARCHIVED");
  r = run_cli(dir, "models list" + store_flag);
  EXPECT_NE(r.out.find("pd    2       @champion=2"), std::string::npos) << r.out;
  EXPECT_EQ(run_cli(dir, "models alias pd champion 0" + store_flag).code, 2);
}

TEST_F(TrackingCli, ExportMlflowAndStoreSelection) {
  auto r = run_cli(dir, "runs export-mlflow --out mlruns" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "exported 2 experiment(s), 2 run(s) and 4 metric value(s) in MLflow's "
            "file-store layout to mlruns\n");
  EXPECT_EQ(slurp(dir / "mlruns/1" / fast / "params/max_depth"), "4");
  EXPECT_EQ(slurp(dir / "mlruns/1" / fast / "metrics/auc_roc"), "1000 0.995 0\n");
  EXPECT_TRUE(std::filesystem::exists(dir / "mlruns/1" / fast / "artifacts/bundle/manifest.json"));

  // $LOANRISK_STORE is used when --store is absent; the default is ./loanrisk-store.
  ::setenv("LOANRISK_STORE", ("sqlite:///" + (dir / "store/loanrisk.db").string()).c_str(), 1);
  r = run_cli(dir, "runs list --json");
  ::unsetenv("LOANRISK_STORE");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).size(), 2u);
  r = run_cli(dir, "runs list --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "[]\n");
  EXPECT_TRUE(std::filesystem::exists(dir / "loanrisk-store/loanrisk.db"));
  r = run_cli(dir, "runs list --store mysql://x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown store URI 'mysql://x'"), std::string::npos);
}

}  // namespace
}  // namespace loanrisk::testing
