// The batch layout (TreeEnsemble::batch_margins, TreeClassifier::predict_proba at any size) against
// XGBoost's own C API: every family, batch sizes around the block size and far beyond it, random
// and real data with missing values. XGBoost computes in float and so does the batch path: the
// probabilities must be equal exactly (float widened to double), not merely close.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/core/xgb_check.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/models/tree_classifier.hpp"
#include "loanrisk/models/tree_ensemble.hpp"
#include "loanrisk/models/xgb_handles.hpp"
#include "model_test_data.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using models::TreeClassifier;
using models::TreeEnsemble;
using testing::Labelled;

constexpr std::size_t kSizes[] = {1, 255, 256, 257, 10'000, 100'000};

// `rows` rows drawn from `pool` (cycling through it, so any size can be made from a small book),
// about one value in `every` set missing; row 0 is entirely missing.
DenseMatrix batch_of(const DenseMatrix& pool, std::size_t rows, std::uint64_t seed, int every) {
  DenseMatrix out{rows, pool.cols, {}, pool.names};
  out.values.reserve(rows * pool.cols);
  Rng rng(seed);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t from = (r * 7919 + seed) % pool.rows;  // a prime stride: rows mixed
    for (std::size_t c = 0; c < pool.cols; ++c) {
      const bool missing = r == 0 || rng.uniform() * every < 1;
      out.values.push_back(missing ? std::numeric_limits<float>::quiet_NaN() : pool.at(from, c));
    }
  }
  return out;
}

// XGBoost's margins (type 1) of X by the C API, on the classifier's own booster saved and loaded.
std::vector<float> xgboost_margins(const Classifier& model, const DenseMatrix& X) {
  testing::TempDir dir;
  model.save(dir.path());
  models::BoosterPtr booster = models::make_booster({});
  const auto file = dir / TreeClassifier::kModelFile;
  LOANRISK_XGB_CHECK(XGBoosterLoadModel(booster.get(), file.c_str()));
  const models::DMatrixPtr dmatrix = models::make_dmatrix(X, {});
  const char* config =
      R"({"type": 1, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  LOANRISK_XGB_CHECK(
      XGBoosterPredictFromDMatrix(booster.get(), dmatrix.get(), config, &shape, &dim, &result));
  return std::vector<float>(result, result + X.rows);
}

// Every size: the classifier's probabilities equal XGBoost's exactly, and the margins of the batch
// layout (one thread and several) equal XGBoost's and the row-by-row evaluator's bit for bit.
void expect_every_size_exact(const char* family, const Labelled& train, const DenseMatrix& pool,
                             const ParamValues& params = {{"n_estimators", 60}}) {
  SCOPED_TRACE(family);
  auto model = make_classifier(family, params);
  model->fit(train.X, train.y, nullptr, nullptr, nullptr);
  const auto* tree = dynamic_cast<const TreeClassifier*>(model.get());
  ASSERT_NE(tree, nullptr);
  ASSERT_TRUE(tree->native());
  testing::TempDir dir;
  model->save(dir.path());
  const TreeEnsemble native = TreeEnsemble::from_json(read_file(dir / TreeClassifier::kModelFile));
  for (const std::size_t rows : kSizes) {
    SCOPED_TRACE(std::to_string(rows) + " rows");
    const DenseMatrix X = batch_of(pool, rows, rows, 9);
    const std::vector<double> got = model->predict_proba(X);
    const std::vector<double> want = tree->xgboost_predict_proba(X);
    ASSERT_EQ(got.size(), rows);
    std::size_t differ = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      if (got[r] != want[r] && ++differ <= 3) {
        ADD_FAILURE() << "row " << r << ": native " << got[r] << ", XGBoost " << want[r];
      }
    }
    EXPECT_EQ(differ, 0u);

    const std::vector<float> want_margin = xgboost_margins(*model, X);
    std::vector<float> one(rows), many(rows), by_row(rows), walked(rows);
    native.batch_margins(X.values.data(), rows, one.data(), 1);
    native.batch_margins(X.values.data(), rows, many.data(), 4);
    native.batch_margins(X.values.data(), rows, walked.data(), 1, TreeEnsemble::BatchKernel::walk);
    native.margins(X.values.data(), rows, by_row.data());
    EXPECT_EQ(std::memcmp(one.data(), want_margin.data(), rows * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(many.data(), one.data(), rows * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(walked.data(), one.data(), rows * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(by_row.data(), one.data(), rows * sizeof(float)), 0);
  }
}

class TreeBatchTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TreeBatchTest, RandomDataEverySizeEqualsXGBoost) {
  Labelled train = testing::logistic_problem(3000, 6, 41);
  // Missing values in training too, so the trees learn default directions from data.
  const DenseMatrix holes = batch_of(train.X, train.X.rows, 3, 12);
  train.X.values = holes.values;
  const Labelled pool = testing::logistic_problem(5000, 6, 42);
  expect_every_size_exact(GetParam(), train, pool.X);
}

TEST_P(TreeBatchTest, RealDataEverySizeEqualsXGBoost) {
  const auto path = testing::real_data();
  if (!path) GTEST_SKIP() << "real data not present";
  const Labelled all = testing::read_loan_columns(*path);
  Labelled train{DenseMatrix{6000, all.X.cols, {}, all.X.names},
                 {all.y.begin(), all.y.begin() + 6000}};
  train.X.values.assign(all.X.values.begin(), all.X.values.begin() + 6000 * all.X.cols);
  expect_every_size_exact(GetParam(), train, all.X);
}

// The bitvector kernel's edges: trees of exactly 32 leaves (the top bit of a lane), of 33 and more
// (walked, between runs of vector trees in one model), and of one leaf; missing values that go
// either way. Every size equals XGBoost and the walk bit for bit.
TEST(TreeBatchKernel, TreesAtAndPastThirtyTwoLeavesEqualXGBoost) {
  if (!TreeEnsemble::vector_kernel_available()) {
    GTEST_SKIP() << "this CPU has no AVX2: batches are walked, which the family tests cover";
  }
  Labelled train = testing::logistic_problem(4000, 6, 43);
  const DenseMatrix holes = batch_of(train.X, train.X.rows, 5, 10);
  train.X.values = holes.values;
  const Labelled pool = testing::logistic_problem(5000, 6, 44);
  for (const double leaves : {32.0, 33.0, 48.0}) {
    SCOPED_TRACE(std::to_string(static_cast<int>(leaves)) + " leaves at most");
    expect_every_size_exact(
        "lightgbm", train, pool.X,
        {{"n_estimators", 30}, {"num_leaves", leaves}, {"min_child_weight", 0}});
  }
  // What the kernel took: lightgbm trees of 32 leaves, and part of those of 48.
  for (const double leaves : {32.0, 48.0}) {
    auto model = make_classifier(
        "lightgbm", {{"n_estimators", 30}, {"num_leaves", leaves}, {"min_child_weight", 0}});
    model->fit(train.X, train.y, nullptr, nullptr, nullptr);
    testing::TempDir dir;
    model->save(dir.path());
    const TreeEnsemble native =
        TreeEnsemble::from_json(read_file(dir / TreeClassifier::kModelFile));
    if (leaves == 32.0) {
      EXPECT_EQ(native.vector_trees(), native.num_trees());
    } else {
      EXPECT_LT(native.vector_trees(), native.num_trees());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Families, TreeBatchTest,
                         ::testing::Values("xgboost", "lightgbm", "random_forest"));

}  // namespace
}  // namespace loanrisk
