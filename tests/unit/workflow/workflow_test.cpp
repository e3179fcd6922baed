#include <gtest/gtest.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/workflow/workflows.hpp"
#include "support/synthetic_book.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::TempDir;

TEST(Workflow, ReloadedBundleScoresBitIdentically) {
  TempDir dir;
  const TrainRequest req = testing::train_on_synthetic_book(dir, 4000, 11);
  const TrainOutcome trained = train_model(req);
  EXPECT_EQ(trained.rows_read, 4000u);
  EXPECT_EQ(trained.rows_train + trained.rows_validation + trained.rows_test + trained.rows_dropped,
            4000u);

  const Frame all = read_csv(dir / "book.csv", Schema::loan_default()).frame;
  const std::vector<double> before = trained.bundle.predict(all);
  const Bundle reloaded = Bundle::load(dir / "bundle");
  const std::vector<double> after = reloaded.predict(all);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) ASSERT_EQ(before[i], after[i]) << "row " << i;
  EXPECT_EQ(reloaded.threshold, trained.bundle.threshold);
  EXPECT_EQ(reloaded.pipeline.feature_names(), trained.bundle.pipeline.feature_names());

  // The test metrics stored in the bundle are those of the reloaded model too.
  EXPECT_DOUBLE_EQ(reloaded.metrics["test"]["auc_roc"].get<double>(), trained.test.auc_roc);
}

TEST(Workflow, SameSeedSameModelDifferentSeedDifferentSplit) {
  TempDir dir;
  TrainRequest req = testing::train_on_synthetic_book(dir, 2000, 5);
  req.out = dir / "a";
  const auto a = train_model(req);
  req.out = dir / "b";
  const auto b = train_model(req);
  EXPECT_EQ(a.test.auc_roc, b.test.auc_roc);
  EXPECT_EQ(a.test.log_loss, b.test.log_loss);
  req.out = dir / "c";
  req.config.split.seed = 43;
  const auto c = train_model(req);
  EXPECT_NE(a.test.log_loss, c.test.log_loss);
}

TEST(Workflow, BundleErrorsNameTheProblem) {
  TempDir dir;
  EXPECT_THROW_MSG(Bundle::load(dir / "nope"), InputError, "is not a folder");
  std::filesystem::create_directories(dir / "empty");
  EXPECT_THROW_MSG(Bundle::load(dir / "empty"), InputError, "is not a loanrisk bundle");
  const TrainRequest req = testing::train_on_synthetic_book(dir, 1500, 5);
  train_model(req);
  testing::write_text(dir / "bundle/pipeline.json", "{\"schema\": ");
  EXPECT_THROW_MSG(Bundle::load(dir / "bundle"), InputError, "pipeline.json' is not valid JSON");
  // A failed save leaves the existing bundle untouched.
  EXPECT_THROW_MSG(train_model(req), UsageError, "already exists");
  EXPECT_TRUE(std::filesystem::exists(dir / "bundle/manifest.json"));
}

}  // namespace
}  // namespace loanrisk
