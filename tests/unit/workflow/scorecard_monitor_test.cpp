// A scorecard's characteristic analysis in `loanrisk monitor`: each characteristic's population
// shares on the scorecard's own bins against the training rows, its CSI and the points the
// population gains or loses there; a FICO shift is red on the FICO characteristics only.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/jobs.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

TEST(ScorecardMonitor, CharacteristicStabilityOnTheScorecardsOwnBins) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({4000, 41}), Schema::loan_default());
  write_frame_csv(dir / "same.csv", synth_loan_book({3000, 42}), Schema::loan_default());
  write_frame_csv(dir / "shifted.csv", synth_loan_book({3000, 43, "fico_shift", 1.0}),
                  Schema::loan_default());
  TrainRequest req;
  req.data = dir / "book.csv";
  req.out = dir / "card";
  req.write_report = false;
  req.config.family = "scorecard";
  train_model(req);
  const auto analysis = [&](const std::string& csv) {
    MonitorJob job;
    job.model = req.out.string();
    job.data = (dir / csv).string();
    job.out = (dir / ("mon-" + csv)).string();
    return run_monitor_job(job, nullptr).report.json["characteristics"];
  };
  const nlohmann::json same = analysis("same.csv"), shifted = analysis("shifted.csv");
  ASSERT_TRUE(same.is_array());
  ASSERT_EQ(same.size(), 10u);  // one per model input
  for (const auto& c : same) {
    SCOPED_TRACE(c["name"].get<std::string>());
    double reference = 0, live = 0, csi = 0, shift = 0;
    for (const auto& b : c["bins"]) {
      reference += b["reference"].get<double>();
      live += b["live"].get<double>();
      const double a = std::max(b["live"].get<double>(), 1e-4);
      const double e = std::max(b["reference"].get<double>(), 1e-4);
      csi += (a - e) * std::log(a / e);
      shift += (b["live"].get<double>() - b["reference"].get<double>()) * b["points"].get<int>();
    }
    EXPECT_NEAR(reference, 1, 1e-12);
    EXPECT_NEAR(live, 1, 1e-12);
    EXPECT_NEAR(c["csi"].get<double>(), csi, 1e-12);
    EXPECT_NEAR(c["score_shift"].get<double>(), shift, 1e-9);
    EXPECT_EQ(c["status"], "green");  // the same population
  }
  for (const auto& c : shifted) {
    const std::string name = c["name"];
    if (name.find("fico") != std::string::npos) {
      EXPECT_EQ(c["status"], "red") << name << " csi " << c["csi"];
    } else {
      EXPECT_NE(c["status"], "red") << name << " csi " << c["csi"];
    }
  }
  // Another family has no characteristics.
  req.out = dir / "xgb";
  req.config.family = "xgboost";
  train_model(req);
  MonitorJob job;
  job.model = req.out.string();
  job.data = (dir / "same.csv").string();
  job.out = (dir / "mon-xgb").string();
  EXPECT_TRUE(run_monitor_job(job, nullptr).report.json["characteristics"].is_null());
}

}  // namespace
}  // namespace loanrisk
