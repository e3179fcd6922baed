// The MLflow file-store export, checked file by file.
#include <fstream>
#include <sstream>

#include "loanrisk/tracking/mlflow_export.hpp"
#include "loanrisk/tracking/yaml_scalar.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using MlflowExport = StoreTest;

TEST_P(MlflowExport, WritesTheFileStoreLayout) {
  auto store = open();
  const loanrisk::Run parent = store->create_run({"credit", "study", "", "c0ffee"});
  const loanrisk::Run run = store->create_run({"credit", "trial 1", parent.id, "c0ffee"});
  store->log_param(run.id, "max_depth", "4");
  store->set_tag(run.id, "team", "risk");
  store->log_metric(run.id, "auc_roc", 0.1, 0, 1700000000000);
  store->log_metric(run.id, "auc_roc", 0.995, 1, 1700000000500);
  store->set_dataset(run.id, "ab12", "/data/book.csv", 3000);
  write_text(dir() / "card.md", "# card\n");
  store->log_artifact(run.id, dir() / "card.md", "card.md");
  store->end_run(run.id, RunStatus::kKilled);

  const auto out = dir() / "mlruns";
  const MlflowExportSummary s = export_mlflow(*store, out);
  EXPECT_EQ(s.experiments, 2);
  EXPECT_EQ(s.runs, 2);
  EXPECT_EQ(s.metric_values, 2);

  EXPECT_TRUE(std::filesystem::is_directory(out / ".trash"));  // MLflow's FileStore expects it
  EXPECT_NE(slurp(out / "0/meta.yaml").find("\nexperiment_id: \"0\"\n"), std::string::npos);
  EXPECT_NE(slurp(out / "0/meta.yaml").find("\nname: Default\n"), std::string::npos);
  EXPECT_NE(slurp(out / "0/meta.yaml").find("lifecycle_stage: active\n"), std::string::npos);
  EXPECT_EQ(slurp(out / "0/meta.yaml").substr(0, 27), "artifact_location: \"file://");
  EXPECT_NE(slurp(out / "1/meta.yaml").find("\nname: credit\n"), std::string::npos);

  const auto rd = out / "1" / run.id;
  const std::string meta = slurp(rd / "meta.yaml");
  const loanrisk::Run ended = store->get_run(run.id);
  EXPECT_EQ(meta, "artifact_uri: \"file://" + (rd / "artifacts").string() +
                      "\"\nend_time: " + std::to_string(*ended.end_ms) +
                      "\nentry_point_name: \"\"\nexperiment_id: \"1\"\nlifecycle_stage: active\n"
                      "run_id: " +
                      yaml_scalar(run.id) +
                      "\nrun_name: \"trial 1\"\nrun_uuid: " + yaml_scalar(run.id) +
                      "\nsource_name: \"\"\nsource_type: 4\nsource_version: \"\"\nstart_time: " +
                      std::to_string(ended.start_ms) + "\nstatus: 5\ntags: []\nuser_id: " +
                      yaml_scalar(ended.user) + "\ndeleted_time: null\n");
  EXPECT_EQ(slurp(rd / "metrics/auc_roc"), "1700000000000 0.1 0\n1700000000500 0.995 1\n");
  EXPECT_EQ(slurp(rd / "params/max_depth"), "4");
  EXPECT_EQ(slurp(rd / "tags/team"), "risk");
  EXPECT_EQ(slurp(rd / "tags/mlflow.runName"), "trial 1");
  EXPECT_EQ(slurp(rd / "tags/mlflow.parentRunId"), parent.id);
  EXPECT_EQ(slurp(rd / "tags/mlflow.source.git.commit"), "c0ffee");
  EXPECT_EQ(slurp(rd / "tags/loanrisk.dataset.sha256"), "ab12");
  EXPECT_EQ(slurp(rd / "tags/loanrisk.dataset.rows"), "3000");
  EXPECT_EQ(slurp(rd / "artifacts/card.md"), "# card\n");
  EXPECT_NE(slurp(out / "1" / parent.id / "meta.yaml").find("\nstatus: 1\n"), std::string::npos);
  EXPECT_NE(slurp(out / "1" / parent.id / "meta.yaml").find("\nend_time: null\n"),
            std::string::npos);

  EXPECT_THROW_MSG(export_mlflow(*store, out), UsageError, "is not empty");
}

TEST_P(MlflowExport, EncodesUrisKeepsDeletedRunsAndLinksTheDataset) {
  auto store = open();
  const loanrisk::Run run = store->create_run({"credit", "r", "", ""});
  store->set_dataset(run.id, "ab12", "/data/book #2.csv", 10);
  store->end_run(run.id, RunStatus::kFinished);
  const loanrisk::Run gone = store->create_run({"credit", "gone", "", ""});
  store->end_run(gone.id, RunStatus::kFailed);
  store->set_run_deleted(gone.id, true);

  const auto out = dir() / "ml runs #1 100% ü";
  const MlflowExportSummary s = export_mlflow(*store, out);
  EXPECT_EQ(s.datasets, 1);
  const std::string encoded =
      "file://" + dir().path().string() + "/ml%20runs%20%231%20100%25%20%C3%BC";
  EXPECT_NE(slurp(out / "1/meta.yaml").find("artifact_location: \"" + encoded + "/1\"\n"),
            std::string::npos)
      << slurp(out / "1/meta.yaml");
  // MLflow keeps a deleted run in its experiment, marked deleted (only experiments move to .trash)
  EXPECT_NE(slurp(out / "1" / gone.id / "meta.yaml").find("\nlifecycle_stage: deleted\n"),
            std::string::npos);
  EXPECT_NE(slurp(out / "1" / run.id / "meta.yaml").find("\nlifecycle_stage: active\n"),
            std::string::npos);

  const auto inputs = out / "1" / run.id / "inputs";
  ASSERT_TRUE(std::filesystem::is_directory(inputs));
  const auto input = std::filesystem::directory_iterator(inputs)->path();
  const std::string link = slurp(input / "meta.yaml");
  EXPECT_NE(link.find("\ndestination_type: RUN\n"), std::string::npos) << link;
  EXPECT_NE(link.find("\nsource_type: DATASET\ntags:\n  mlflow.data.context: training\n"),
            std::string::npos)
      << link;
  std::string id = link.substr(link.find("source_id: ") + 11, 34);  // quoted when it starts
  id = id[0] == '"' ? id.substr(1, 32) : id.substr(0, 32);          // with a digit
  const std::string dataset = slurp(out / "1" / "datasets" / id / "meta.yaml");
  EXPECT_NE(dataset.find("digest: ab12\n"), std::string::npos) << dataset;
  EXPECT_NE(dataset.find("name: \"book #2.csv\"\n"), std::string::npos) << dataset;
  EXPECT_NE(dataset.find(R"(file:///data/book%20%232.csv)"), std::string::npos) << dataset;
}

LOANRISK_INSTANTIATE_STORE_SUITE(MlflowExport);

TEST(MlflowStatus, Codes) {
  EXPECT_EQ(mlflow_status_code(RunStatus::kRunning), 1);
  EXPECT_EQ(mlflow_status_code(RunStatus::kFinished), 3);
  EXPECT_EQ(mlflow_status_code(RunStatus::kFailed), 4);
  EXPECT_EQ(mlflow_status_code(RunStatus::kKilled), 5);
}

}  // namespace
}  // namespace loanrisk::testing
