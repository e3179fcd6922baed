// `loanrisk train` records its run and registers its bundle; model URIs work wherever a bundle
// does.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace loanrisk::testing {
namespace {

class TrainTracking : public ::testing::Test {
 protected:
  TempDir dir;
  std::string store() const { return "--store 'sqlite:///" + (dir / "s.db").string() + "'"; }
  void SetUp() override {
    ASSERT_EQ(run_cli(dir, "synth --rows 1500 --seed 3 --out book.csv").code, 0);
  }
};

TEST_F(TrainTracking, TrainRecordsTheRunAndRegistersTheAlias) {
  auto r = run_cli(dir,
                   "train --data book.csv --out b1 --json --experiment pd --register demo "
                   "--alias challenger --reason 'first model' " +
                       store());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const std::string run_id = j["tracking"]["run_id"];
  EXPECT_EQ(run_id.size(), 32u);
  EXPECT_EQ(j["tracking"]["version"], 1);

  r = run_cli(dir, "runs show " + run_id + " --json " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"auc_roc\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"val_auc_roc\""), std::string::npos);
  EXPECT_NE(r.out.find("\"max_depth\""), std::string::npos);
  EXPECT_NE(r.out.find("FINISHED"), std::string::npos);

  // The alias, the version and the run all name the same bundle, so they score identically.
  ASSERT_EQ(run_cli(dir, "predict --model b1 --data book.csv --out p0.csv").code, 0);
  for (const std::string& uri :
       std::vector<std::string>{"models:/demo@challenger", "models:/demo/1", "runs:/" + run_id}) {
    r = run_cli(dir, "predict --model " + uri + " --data book.csv --out p.csv " + store());
    ASSERT_EQ(r.code, 0) << uri << r.err;
    EXPECT_EQ(slurp(dir / "p.csv"), slurp(dir / "p0.csv")) << uri;
  }
  r = run_cli(dir, "evaluate --model models:/demo@challenger --data book.csv --json " + store());
  EXPECT_EQ(r.code, 0) << r.err;

  r = run_cli(dir, "models history demo --json " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("first model"), std::string::npos) << r.out;
}

TEST_F(TrainTracking, RecordsTheCalibrationSliceAndTheDuplicatePolicy) {
  auto r = run_cli(dir, "train --data book.csv --out b --json " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto trained = nlohmann::json::parse(r.out);
  const std::string run_id = trained["tracking"]["run_id"];
  r = run_cli(dir, "runs show " + run_id + " --json " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* key : {"\"cal_auc_roc\"", "\"cal_f1\"", "\"rows_calibration\"",
                          "\"duplicate_ids\"", "\"split.calibration\"", "\"on_duplicate_id\""}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key << " in " << r.out;
  }
  EXPECT_NE(r.out.find(std::to_string(trained["rows"]["calibration"].get<int>())),
            std::string::npos);
}

TEST_F(TrainTracking, MisuseIsAUsageErrorAndUnknownAliasesSaySo) {
  auto r = run_cli(dir, "train --data book.csv --out b --alias champion " + store());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--alias needs --register NAME"), std::string::npos) << r.err;
  // Champion needs a validation report, which a model in training cannot have: refused at once.
  r = run_cli(dir, "train --data book.csv --out b --register x --alias champion " + store());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("@champion moves only on validation evidence"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "b"));  // nothing trained
  r = run_cli(dir, "train --data book.csv --out b --no-track --register x " + store());
  EXPECT_EQ(r.code, 2);
  r = run_cli(dir,
              "predict --model models:/nobody@champion --data book.csv --out p.csv " + store());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("nobody"), std::string::npos) << r.err;
  // --no-track trains without touching the store.
  r = run_cli(dir, "train --data book.csv --out b2 --no-track --store sqlite:////nonexistent/x.db");
  EXPECT_EQ(r.code, 0) << r.err;
}

// A store named with the older absolute three-slash form (sqlite:///abs/path) is refused with
// exit 2 and the corrected four-slash URI, and no empty store appears relative to the cwd.
TEST_F(TrainTracking, AnOldAbsoluteUriExitsTwoWithTheCorrectedUri) {
  auto r = run_cli(dir, "train --data book.csv --out b " + store());  // a real store at dir/s.db
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string abs = (dir / "s.db").string();
  r = run_cli(dir, "runs list --store 'sqlite://" + abs + "'");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("write sqlite:///" + abs + " (four slashes)"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / abs.substr(1)));
  r = run_cli(dir, "runs list --store 'sqlite:///" + abs + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("FINISHED"), std::string::npos) << r.out;
}

TEST_F(TrainTracking, AFailedTrainingIsRecordedAsFailed) {
  write_text(dir / "bad.csv", "customer_id,credit_lines_outstanding\n1,2\n");
  auto r = run_cli(dir, "train --data bad.csv --out b " + store());
  EXPECT_EQ(r.code, 3) << r.err;
  r = run_cli(dir, "runs list --json " + store());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
}

// `loanrisk job run SPEC.json`, as the server's background jobs start: a train spec registers a
// version, a tune spec refits its best trial, and a bad spec is refused with the field and exit 3.
TEST_F(TrainTracking, JobRunRunsTrainTuneAndMonitorSpecs) {
  const std::string uri = "sqlite:///" + (dir / "s.db").string();
  nlohmann::json train = {
      {"kind", "train"},
      {"data", "book.csv"},
      {"out", "jb"},
      {"model",
       {{"family", "logistic_regression"}, {"features", {"fico_score", "debt_to_income_ratio"}}}},
      {"tracking", {{"store", uri}, {"register_as", "jobs"}}}};
  { std::ofstream(dir / "train.json") << train.dump(); }
  auto r = run_cli(dir, "job run train.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["kind"], "train");
  EXPECT_EQ(out["families"][0]["family"], "logistic_regression");
  EXPECT_EQ(out["families"][0]["version"], 1);
  EXPECT_EQ(out["families"][0]["run_id"].get<std::string>().size(), 32u);
  const auto features =
      nlohmann::json::parse(slurp(dir / "jb" / "pipeline.json"))["pipeline"]["features"];
  EXPECT_EQ(features, nlohmann::json({"fico_score", "debt_to_income_ratio"})) << features;

  const nlohmann::json tune = {{"kind", "tune"},
                               {"data", "book.csv"},
                               {"out", "jt"},
                               {"study", "job-study"},
                               {"trials", 3},
                               {"model", {{"family", "logistic_regression"}}},
                               {"tracking", {{"store", uri}}}};
  { std::ofstream(dir / "tune.json") << tune.dump(); }
  r = run_cli(dir, "job run tune.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto tuned = nlohmann::json::parse(r.out);
  EXPECT_EQ(tuned["families"][0]["study"], "job-study");
  EXPECT_EQ(tuned["families"][0]["trials"], 3);
  EXPECT_TRUE(std::filesystem::exists(dir / "jt" / "job-study" / "model.json") ||
              std::filesystem::exists(dir / "jt" / "job-study" / "manifest.json"));

  // A monitoring job of the version the train job registered, by its URI through the store.
  const nlohmann::json monitor = {{"kind", "monitor"}, {"model", "models:/jobs/1"},
                                  {"store", uri},      {"data", "book.csv"},
                                  {"out", "jm"},       {"window_rows", 500}};
  { std::ofstream(dir / "monitor.json") << monitor.dump(); }
  r = run_cli(dir, "job run monitor.json");
  ASSERT_TRUE(r.code == 0 || r.code == 4) << r.code << " " << r.err;
  const auto watched = nlohmann::json::parse(r.out);
  EXPECT_EQ(watched["kind"], "monitor");
  EXPECT_GT(watched["rows"].get<int>(), 0);
  EXPECT_EQ(r.code == 4, watched["status"] == "red");
  EXPECT_TRUE(std::filesystem::exists(dir / "jm" / "report.json"));

  { std::ofstream(dir / "bad.json") << R"({"kind": "train", "data": "book.csv", "out": 3})"; }
  r = run_cli(dir, "job run bad.json");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("bad.json: out must be a string"), std::string::npos) << r.err;
  r = run_cli(dir, "job run missing.json");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("missing.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace loanrisk::testing
