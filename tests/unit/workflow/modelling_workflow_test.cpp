// The credit-risk modelling options through the whole training workflow: PDs anchored to a
// portfolio default rate ([calibration] target_rate), and the points scorecard family with its
// score in `predict`'s output and its table in the model card.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/files.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

double mean(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return s / static_cast<double>(v.size());
}

TEST(ModellingWorkflow, TargetRateAnchorsTheMeanTrainingPdAndKeepsTheRanking) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({3000, 31}), Schema::loan_default());
  TrainRequest plain;
  plain.data = dir / "book.csv";
  plain.out = dir / "plain";
  plain.write_report = false;
  TrainRequest anchored = plain;
  anchored.out = dir / "anchored";
  anchored.config.target_rate = 0.035;
  const TrainOutcome a = train_model(plain), b = train_model(anchored);
  // The training rows are the ones the bundle's lineage counts; the PDs of every row of the book
  // move by one log-odds shift, so AUC is unchanged and the mean falls toward 3.5%.
  const Frame book = read_csv(dir / "book.csv", Schema::loan_default()).frame;
  const Bundle loaded = Bundle::load(anchored.out);
  EXPECT_EQ(loaded.calibrator.target_rate(), 0.035);
  EXPECT_LT(loaded.calibrator.shift(), 0);
  const std::vector<double> pa = a.bundle.predict(book), pb = loaded.predict(book);
  EXPECT_LT(mean(pb), mean(pa));
  EXPECT_NEAR(mean(pb), 0.035, 0.01);  // the book is training rows and held-out rows alike
  EXPECT_EQ(b.test.auc_roc, a.test.auc_roc);
  EXPECT_NE(model_card(loaded).find("PDs anchored to a portfolio default rate of 3.5%"),
            std::string::npos);
  // The config recorded in the lineage says so too.
  EXPECT_EQ(loaded.lineage["config"]["model"]["target_rate"], 0.035);
}

TEST(ModellingWorkflow, ScorecardTrainsPredictsWithPointsAndShowsItsTable) {
  TempDir dir;
  write_frame_csv(dir / "book.csv", synth_loan_book({3000, 32}), Schema::loan_default());
  TrainRequest req;
  req.data = dir / "book.csv";
  req.out = dir / "card";
  req.config.family = "scorecard";
  req.config.params = {};
  const TrainOutcome trained = train_model(req);
  EXPECT_GT(trained.test.auc_roc, 0.8);
  PredictRequest p;
  p.model = req.out;
  p.data = dir / "book.csv";
  p.out = dir / "scored.csv";
  predict_file(p);
  const std::string scored = read_file(p.out);
  EXPECT_EQ(scored.substr(0, scored.find('\n')),
            "customer_id,pd,grade,decision,expected_loss,score");
  const Bundle loaded = Bundle::load(req.out);
  const std::string card = model_card(loaded);
  EXPECT_NE(card.find("## Scorecard"), std::string::npos);
  EXPECT_NE(card.find("| characteristic | bin | count | default rate | WoE | IV | points |"),
            std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(req.out / "model" / "scorecard.csv"));
  // The evaluation report in the bundle shows the table too.
  EXPECT_NE(read_file(req.out / "report" / "report.html").find("<h3>Scorecard (600 points at 50:1"),
            std::string::npos);
}

}  // namespace
}  // namespace loanrisk
