// `loanrisk pipeline run` end to end, as the closed loop runs in production: a drifted book makes
// it train a challenger, validate it against the champion on a holdout and register it; the server
// shadows it; @champion refuses it without a green report and takes it with one (HTTP and CLI).
// A pipeline killed (SIGKILL) at the start or end of any step resumes and ends as an uninterrupted
// one does.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "http_client.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/workflow/pipeline.hpp"
#include "server_process.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

// Gates loose enough that a better challenger on a book like its training one is green on every
// test; each gate's own behaviour is tested in the validation unit tests.
constexpr const char* kLooseGates =
    "[validation]\njeffreys_amber = 1e-9\njeffreys_red = 1e-10\nhosmer_lemeshow_amber = 1e-9\n"
    "hosmer_lemeshow_red = 1e-10\nece_amber = 0.4\nece_red = 0.5\nherfindahl_amber = 0.9\n"
    "herfindahl_red = 0.95\nauc_decline_amber = 1e-9\nauc_decline_red = 1e-10\n"
    "auc_compare_red = 1e-12\npsi_amber = 5\npsi_red = 10\n";

class Pipeline : public ::testing::Test {
 protected:
  TempDir dir;
  std::string store_uri, store_flag;

  // A champion trained on a small book (so that a challenger trained on more rows beats it).
  void SetUp() override {
    store_uri = "sqlite:///" + (dir / "store/loanrisk.db").string();
    store_flag = " --store '" + store_uri + "'";
    ASSERT_EQ(run_cli(dir, "synth --rows 400 --seed 1 --out small.csv").code, 0);
    const auto r = run_cli(dir,
                           "train --data small.csv --out b1 --register loan-default --alias "
                           "champion --override --reason 'first start'" +
                               store_flag);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  json state(const RunResult& r) const {
    const json j = json::parse(r.out);
    return j["state"];
  }
  std::map<std::string, std::int64_t> aliases() {
    auto store = open_store(store_uri);
    return ModelRegistry(*store).get_model("loan-default").aliases;
  }
};

double metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

TEST_F(Pipeline, ADriftedBookGivesAChallengerThatIsShadowedAndPromotedOnlyOnGreenEvidence) {
  ASSERT_EQ(run_cli(dir, "synth --rows 3000 --seed 2 --drift income_shock --out drifted.csv").code,
            0);
  write_text(dir / "loanrisk.toml", "[pipeline]\nmodel = \"loan-default\"\nwork_dir = \"work\"\n");
  auto r =
      run_cli(dir, "pipeline run --config loanrisk.toml --data drifted.csv --json" + store_flag);
  // Red: the default concentration gate, on a book the drift pushed into few grades.
  ASSERT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("pipeline stopped: validation has"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("@challenger (v2) is registered for review and shadowing, @champion is "
                       "unchanged"),
            std::string::npos)
      << r.err;
  const json s = state(r);
  EXPECT_EQ(s["steps"]["check"]["drift"], "red");  // the reason to retrain, measured
  EXPECT_EQ(s["steps"]["validate"]["status"], "red");
  EXPECT_EQ(s["steps"]["register"]["version"], 2);
  EXPECT_FALSE(s["steps"].contains("promote"));
  EXPECT_EQ(aliases(), (std::map<std::string, std::int64_t>{{"champion", 1}, {"challenger", 2}}));
  // The report compares the challenger with the champion on the held-out rows.
  const std::string work = json::parse(r.out)["work"];
  const json report = json::parse(slurp(dir / work / "validation/report.json"));
  EXPECT_EQ(report["against"]["source"], "models:/loan-default@champion (v1)");
  EXPECT_NEAR(report["data"]["rows"].get<double>(), 750, 2);  // a quarter, stratified
  // Lineage: every step is a child run of the pipeline run.
  {
    auto store = open_store(store_uri);
    const std::string parent = json::parse(r.out)["parent_run_id"];
    for (const char* step : {"check", "train", "validate", "register"}) {
      const loanrisk::Run run = store->get_run(s["steps"][step]["run_id"]);
      EXPECT_EQ(run.parent_run_id, parent) << step;
      EXPECT_EQ(run.status, RunStatus::kFinished) << step;
    }
    const std::string train_run = s["steps"]["train"]["train_run_id"];
    EXPECT_EQ(store->get_run(train_run).parent_run_id, parent);
    EXPECT_EQ(ModelRegistry(*store).get_version("loan-default", 2).run_id, train_run);
  }

  // The server answers with the champion and scores the challenger in shadow.
  ServerProcess server(dir,
                       "--model models:/loan-default@champion --challenger "
                       "models:/loan-default@challenger" +
                           store_flag,
                       {{"LOANRISK_ADMIN_TOKEN", "t0ken"}});
  ASSERT_GT(server.port(), 0) << slurp(dir / "serve.err");
  const std::string applicant =
      R"({"credit_lines_outstanding":2,"loan_amt_outstanding":5200,"total_debt_outstanding":21000,)"
      R"("income":40000,"years_employed":2,"fico_score":590})";
  auto h = http_call(server.port(), "POST", "/api/v1/predict", applicant);
  ASSERT_EQ(h.status, 200) << h.body;
  EXPECT_EQ(json::parse(h.body)["model"]["version"], "1");
  const auto start = std::chrono::steady_clock::now();
  while (metric(http_call(server.port(), "GET", "/metrics").body, "loanrisk_shadow_rows_total") <
             1 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(metric(http_call(server.port(), "GET", "/metrics").body, "loanrisk_shadow_rows_total"),
            1);

  // Without a green report the promotion is refused, through HTTP and the CLI.
  const std::string promote =
      R"({"model":"loan-default","version":2,"reason":"the pipeline's challenger"})";
  h = http_call(server.port(), "POST", "/api/v1/admin/promote", promote, "application/json",
                "Bearer t0ken");
  ASSERT_EQ(h.status, 409) << h.body;
  EXPECT_NE(h.body.find("has a red validation report"), std::string::npos) << h.body;
  r = run_cli(dir, "models alias loan-default champion challenger --reason go" + store_flag);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("has a red validation report"), std::string::npos) << r.err;

  // The bank's own gates: the same comparison on the same holdout, green, attached; now it moves.
  write_text(dir / "policy.toml", kLooseGates);
  r = run_cli(dir,
              "validate --model models:/loan-default@challenger --against "
              "models:/loan-default@champion --data '" +
                  (dir / work / "holdout.csv").string() + "' --config policy.toml --out green" +
                  store_flag);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  ASSERT_EQ(run_cli(dir, "models attach-report loan-default challenger green" + store_flag).code,
            0);
  // Accepted through the CLI, then (after a recorded override back to v1) through HTTP.
  r = run_cli(
      dir, "models alias loan-default champion challenger --reason 'green on policy'" + store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("now points at version 2 (validation report "), std::string::npos) << r.out;
  r = run_cli(dir, "models alias loan-default champion 1 --override --reason 'drill: roll back'" +
                       store_flag);
  ASSERT_EQ(r.code, 0) << r.err;
  h = http_call(server.port(), "POST", "/api/v1/admin/promote", promote, "application/json",
                "Bearer t0ken");
  ASSERT_EQ(h.status, 200) << h.body;
  EXPECT_TRUE(json::parse(h.body)["moved"]);
  EXPECT_EQ(json::parse(h.body)["serving"]["version"], "2");
  EXPECT_EQ(aliases().at("champion"), 2);
  EXPECT_EQ(server.stop(), 0);

  // A finished pipeline is not run twice: the same book and config give the recorded outcome.
  r = run_cli(dir, "pipeline run --config loanrisk.toml --data drifted.csv" + store_flag);
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.out.find("finished earlier; nothing to do"), std::string::npos) << r.out;
}

// Killed at the start and at the end of every step, the pipeline resumes and ends exactly as an
// uninterrupted run: one new version, challenger and (auto_promote, every gate green) champion on
// it, one report, every step done once in the state.
TEST_F(Pipeline, KilledAtAnyStepItResumesWhereItStopped) {
  ASSERT_EQ(run_cli(dir, "synth --rows 2000 --seed 3 --out book.csv").code, 0);
  write_text(dir / "auto.toml", std::string("[pipeline]\nmodel = \"loan-default\"\nwork_dir = "
                                            "\"work\"\nauto_promote = true\n") +
                                    kLooseGates);
  // The pristine store, copied back before each kill.
  std::filesystem::copy(dir / "store", dir / "pristine", std::filesystem::copy_options::recursive);
  const auto reset = [&] {
    for (const char* p : {"store", "work"}) std::filesystem::remove_all(dir / p);
    std::filesystem::copy(dir / "pristine", dir / "store",
                          std::filesystem::copy_options::recursive);
  };
  const std::string cmd = "'" + std::string(LOANRISK_BINARY) +
                          "' pipeline run --config auto.toml --data book.csv --json" + store_flag;
  for (const std::string& step : kPipelineSteps) {
    for (const char* phase : {"start", "end"}) {
      SCOPED_TRACE(step + ":" + phase);
      reset();
      auto r = run_shell(dir, "LOANRISK_TEST_KILL_AT=" + step + ":" + phase + " " + cmd);
      ASSERT_EQ(r.code, 128 + 9) << r.out << r.err;  // SIGKILL
      r = run_shell(dir, cmd);
      ASSERT_EQ(r.code, 0) << r.out << r.err;
      const json out = json::parse(r.out);
      EXPECT_TRUE(out["resumed"]);
      const json s = out["state"];
      EXPECT_EQ(s["attempts"].size(), 2u);
      for (const auto& name : kPipelineSteps) {
        EXPECT_EQ(s["steps"][name]["status"], "done") << name;
      }
      auto store = open_store(store_uri);
      ModelRegistry reg(*store);
      EXPECT_EQ(reg.versions("loan-default").size(), 2u);  // never registered twice
      EXPECT_EQ(reg.get_model("loan-default").aliases,
                (std::map<std::string, std::int64_t>{{"champion", 2}, {"challenger", 2}}));
      EXPECT_EQ(reg.reports("loan-default", 2).size(), 1u);
      const RegistryEvent last = reg.history("loan-default").back();
      EXPECT_EQ(last.alias, "champion");
      EXPECT_EQ(last.report_sha256, s["steps"]["register"]["report_sha256"]);
      // The killed attempt's run is reaped as killed, the resumed one finished and linked to it.
      const loanrisk::Run resumed = store->get_run(out["parent_run_id"]);
      EXPECT_EQ(resumed.status, RunStatus::kFinished);
      EXPECT_EQ(store->get_run(s["attempts"][0]).status, RunStatus::kKilled);
    }
  }
}

TEST_F(Pipeline, BadConfigAndBooksSayWhatToFix) {
  write_text(dir / "typo.toml", "[pipeline]\nauto_promot = true\n");
  auto r = run_cli(dir, "pipeline run --config typo.toml --data small.csv" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown key 'auto_promot' in [pipeline]"), std::string::npos) << r.err;
  write_text(dir / "share.toml", "[pipeline]\nholdout = 1.5\n");
  r = run_cli(dir, "pipeline run --config share.toml --data small.csv" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("holdout"), std::string::npos) << r.err;
  write_text(dir / "ok.toml", "[pipeline]\nwork_dir = \"work\"\n");
  r = run_cli(dir, "pipeline run --config ok.toml" + store_flag);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("pipeline needs a book: --data FILE or [pipeline] data"), std::string::npos)
      << r.err;
  r = run_cli(dir, "pipeline run --config ok.toml --data missing.csv" + store_flag);
  EXPECT_EQ(r.code, 3);
  write_text(dir / "bad.csv", "customer_id,income\n1,\xff\n");
  r = run_cli(dir, "pipeline run --config ok.toml --data bad.csv" + store_flag);
  EXPECT_EQ(r.code, 3) << r.err;
  // A book with almost no defaults cannot train nor validate a PD model: a red check, exit 4.
  {
    std::ifstream in(dir / "small.csv");
    std::string line, header;
    std::getline(in, header);
    std::string body;
    while (std::getline(in, line)) {
      if (line.back() == '0') body += line + "\n";  // only the rows that did not default
    }
    write_text(dir / "few.csv", header + "\n" + body);
  }
  r = run_cli(dir, "pipeline run --config ok.toml --data few.csv" + store_flag);
  EXPECT_EQ(r.code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("too few of one outcome"), std::string::npos) << r.err;
  EXPECT_EQ(aliases(), (std::map<std::string, std::int64_t>{{"champion", 1}}));
}

}  // namespace
}  // namespace loanrisk::testing
