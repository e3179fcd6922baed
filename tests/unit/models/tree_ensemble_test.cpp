// TreeEnsemble (native tree evaluation and TreeSHAP) against XGBoost's own C API on the same saved
// model: margins, probabilities and pred_contribs for every tree family, on the real loan book and
// a synthetic problem with missing values; malformed and unsupported model JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "loanrisk/core/error.hpp"
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

using models::TreeEnsemble;
using testing::Labelled;
using testing::read_loan_columns;
using testing::TempDir;

constexpr double kTolerance = 1e-6;
// Contributions: the leaf tables compute each tree's values in double, XGBoost in float, so they
// differ by float rounding, relative to the value (one float ULP at |phi| = 9 is 9.5e-7).
bool same_contribution(double got, double want) {
  return std::abs(got - want) <= kTolerance * std::max(1.0, std::abs(want));
}
constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

// XGBoost's predictions of one type (0 probability, 1 margin, 2 contributions) for X, computed
// from the saved model file by the C API directly, independently of TreeClassifier.
std::vector<float> xgboost_predict(const std::filesystem::path& model_file, const DenseMatrix& X,
                                   int type) {
  models::BoosterPtr booster = models::make_booster({});
  LOANRISK_XGB_CHECK(XGBoosterLoadModel(booster.get(), model_file.c_str()));
  const models::DMatrixPtr dmatrix = models::make_dmatrix(X, {});
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
                             R"("strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  LOANRISK_XGB_CHECK(XGBoosterPredictFromDMatrix(booster.get(), dmatrix.get(), config.c_str(),
                                                 &shape, &dim, &result));
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  return std::vector<float>(result, result + total);
}

// Marks about one value in `every` as missing, deterministically.
void add_missing(DenseMatrix& X, std::uint64_t seed, int every) {
  Rng rng(seed);
  for (float& v : X.values) {
    if (rng.uniform() * every < 1) v = kMissing;
  }
}

// Rows [begin, end) of a matrix.
DenseMatrix rows_of(const DenseMatrix& X, std::size_t begin, std::size_t end) {
  DenseMatrix out{end - begin, X.cols, {}, X.names};
  out.values.assign(X.values.begin() + static_cast<std::ptrdiff_t>(begin * X.cols),
                    X.values.begin() + static_cast<std::ptrdiff_t>(end * X.cols));
  return out;
}

struct Setting {
  const char* family;
  ParamValues params;
  std::size_t shap_stride;  // contributions on every n-th row: TreeSHAP is slow in debug builds
};

// The default parameters of each family and one deeper setting (fewer trees, to keep it quick).
std::vector<Setting> settings(std::size_t stride_scale) {
  // One thread each: several of these tests run at once under ctest -j.
  const std::pair<const std::string, double> one_thread{"nthread", 1};
  return {
      {"xgboost", {one_thread}, 1},
      {"xgboost", {one_thread, {"max_depth", 8}, {"n_estimators", 60}}, 2 * stride_scale},
      {"lightgbm", {one_thread}, stride_scale},
      {"lightgbm", {one_thread, {"num_leaves", 127}, {"n_estimators", 60}}, 2 * stride_scale},
      {"random_forest", {one_thread}, 12 * stride_scale},
      {"random_forest", {one_thread, {"max_depth", 14}, {"n_estimators", 20}}, 6 * stride_scale}};
}

std::string describe(const Setting& s) {
  return std::string(s.family) + " " + nlohmann::json(s.params).dump();
}

// Trains the setting on `train` (early stopping on `val`), saves it and checks the native ensemble
// read from the saved file against XGBoost on every row of `test` (contributions on every
// s.shap_stride-th row).
void expect_native_matches_xgboost(const Setting& s, const Labelled& train, const Labelled& val,
                                   const DenseMatrix& test) {
  SCOPED_TRACE(describe(s));
  auto model = make_classifier(s.family, s.params);
  model->fit(train.X, train.y, &val.X, &val.y, nullptr);
  TempDir dir;
  model->save(dir.path());
  const std::filesystem::path file = dir / models::TreeClassifier::kModelFile;
  const TreeEnsemble native = TreeEnsemble::from_json(read_file(file));
  ASSERT_EQ(native.num_features(), test.cols);

  const std::vector<float> want_margin = xgboost_predict(file, test, 1);
  const std::vector<float> want_proba = xgboost_predict(file, test, 0);
  std::vector<float> margin(test.rows), proba(test.rows);
  native.margins(test.values.data(), test.rows, margin.data());
  native.probabilities(test.values.data(), test.rows, proba.data());
  ASSERT_EQ(want_margin.size(), test.rows);
  std::size_t bad_rows = 0;
  for (std::size_t r = 0; r < test.rows; ++r) {
    const bool ok = std::abs(margin[r] - want_margin[r]) <= kTolerance &&
                    std::abs(proba[r] - want_proba[r]) <= kTolerance;
    if (!ok && ++bad_rows <= 5) {
      ADD_FAILURE() << "row " << r << ": margin " << margin[r] << " vs " << want_margin[r]
                    << ", probability " << proba[r] << " vs " << want_proba[r];
    }
  }
  EXPECT_EQ(bad_rows, 0u);

  DenseMatrix sample{0, test.cols, {}, test.names};
  for (std::size_t r = 0; r < test.rows; r += s.shap_stride) {
    sample.values.insert(sample.values.end(), test.row(r), test.row(r) + test.cols);
    ++sample.rows;
  }
  const std::size_t width = test.cols + 1;
  const std::vector<float> want_phi = xgboost_predict(file, sample, 2);
  ASSERT_EQ(want_phi.size(), sample.rows * width);
  std::vector<float> phi(sample.rows * width);
  std::vector<float> sample_margin(sample.rows);
  native.contributions(sample.values.data(), sample.rows, phi.data());
  native.margins(sample.values.data(), sample.rows, sample_margin.data());
  // The leaf tables (and threshold grids) and the recursive algorithm give the same values.
  EXPECT_GT(native.tabled_trees(), 0u);
  ::testing::Test::RecordProperty("tabled_trees", static_cast<int>(native.tabled_trees()));
  ::testing::Test::RecordProperty("gridded_trees", static_cast<int>(native.gridded_trees()));
  if (s.params.size() == 1 && std::string(s.family) == "xgboost") {
    // Depth-4 trees: every tree's threshold grid is small enough to tabulate.
    EXPECT_EQ(native.gridded_trees(), native.num_trees());
  }
  // With the tables built, gridded trees give their leaf from the row's cell: the same margins,
  // bit for bit, as walking the trees did before the tables existed.
  std::vector<float> margin_from_cells(test.rows);
  native.margins(test.values.data(), test.rows, margin_from_cells.data());
  for (std::size_t r = 0; r < test.rows; ++r) {
    ASSERT_EQ(std::memcmp(&margin[r], &margin_from_cells[r], sizeof(float)), 0)
        << "row " << r << ": " << margin[r] << " vs " << margin_from_cells[r];
  }
  // explain(): probabilities and contributions from one pass, the same as the two calls.
  std::vector<float> sample_proba(sample.rows), explained_proba(sample.rows);
  std::vector<float> explained_phi(phi.size());
  native.probabilities(sample.values.data(), sample.rows, sample_proba.data());
  native.explain(sample.values.data(), sample.rows, explained_proba.data(), explained_phi.data());
  EXPECT_EQ(std::memcmp(sample_proba.data(), explained_proba.data(), sample.rows * sizeof(float)),
            0);
  EXPECT_EQ(std::memcmp(phi.data(), explained_phi.data(), phi.size() * sizeof(float)), 0);
  std::vector<float> recursive(phi.size());
  native.recursive_contributions(sample.values.data(), sample.rows, recursive.data());
  for (std::size_t i = 0; i < phi.size(); ++i) {
    ASSERT_TRUE(same_contribution(phi[i], recursive[i]))
        << "sample row " << i / width << ": " << phi[i] << " vs " << recursive[i];
  }
  bad_rows = 0;
  for (std::size_t r = 0; r < sample.rows; ++r) {
    double sum = 0;
    bool ok = true;
    for (std::size_t c = 0; c < width; ++c) {
      sum += phi[r * width + c];
      ok = ok && same_contribution(phi[r * width + c], want_phi[r * width + c]);
    }
    ok = ok && std::abs(sum - sample_margin[r]) <= 1e-5;
    if (!ok && ++bad_rows <= 5) {
      std::string detail;
      for (std::size_t c = 0; c < width; ++c) {
        detail += " " + std::to_string(phi[r * width + c]) + "/" +
                  std::to_string(want_phi[r * width + c]);
      }
      ADD_FAILURE() << "contributions of sample row " << r << " (native/xgboost):" << detail
                    << "; sum " << sum << " vs margin " << sample_margin[r];
    }
  }
  EXPECT_EQ(bad_rows, 0u);
}

// One test per setting, so ctest runs them in parallel.
class TreeEnsembleMatchTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(TreeEnsembleMatchTest, RealDataEveryRow) {
  const auto path = testing::real_data();
  if (!path) GTEST_SKIP() << "real data not present";
  const Labelled all = read_loan_columns(*path);
  ASSERT_EQ(all.X.rows, 10000u);
  Labelled train{rows_of(all.X, 0, 6000), {all.y.begin(), all.y.begin() + 6000}};
  Labelled val{rows_of(all.X, 6000, 8000), {all.y.begin() + 6000, all.y.begin() + 8000}};
  // Every row of the book, plus a copy of the last 500 with missing values, which no training
  // row has (so every NaN follows a default direction chosen without missing data).
  DenseMatrix test = all.X;
  DenseMatrix holes = rows_of(all.X, 9500, 10000);
  add_missing(holes, 7, 3);
  test.values.insert(test.values.end(), holes.values.begin(), holes.values.end());
  test.rows += holes.rows;
  expect_native_matches_xgboost(settings(2).at(GetParam()), train, val, test);
}

TEST_P(TreeEnsembleMatchTest, SyntheticWithMissingValues) {
  Labelled train = testing::logistic_problem(3000, 6, 11);
  Labelled val = testing::logistic_problem(1000, 6, 12);
  Labelled test = testing::logistic_problem(1500, 6, 13);
  for (Labelled* part : {&train, &val, &test}) add_missing(part->X, 99, 10);
  // A row entirely missing.
  for (std::size_t c = 0; c < test.X.cols; ++c) test.X.at(0, c) = kMissing;
  expect_native_matches_xgboost(settings(1).at(GetParam()), train, val, test.X);
}

INSTANTIATE_TEST_SUITE_P(Families, TreeEnsembleMatchTest, ::testing::Range<std::size_t>(0, 6),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           const Setting s = settings(1).at(param.param);
                           return std::string(s.family) +
                                  (s.params.size() == 1 ? "_default" : "_deeper");
                         });

// A tree with a leaf whose path has more distinct features than a table allows (12) keeps the
// recursive algorithm; the other trees use tables, and the mix is still XGBoost's pred_contribs.
TEST(TreeEnsembleTables, TreesTooWideForATableKeepTheRecursiveAlgorithm) {
  Labelled train = testing::logistic_problem(3000, 16, 31);
  Labelled test = testing::logistic_problem(200, 16, 32);
  add_missing(test.X, 3, 12);
  auto model = make_classifier(
      "xgboost",
      {{"nthread", 1}, {"max_depth", 16}, {"n_estimators", 40}, {"min_child_weight", 0}});
  model->fit(train.X, train.y, nullptr, nullptr, nullptr);
  TempDir dir;
  model->save(dir.path());
  const std::filesystem::path file = dir / models::TreeClassifier::kModelFile;
  const TreeEnsemble native = TreeEnsemble::from_json(read_file(file));
  // Late trees, fitting small residuals, are shallow enough for tables; the first are not.
  EXPECT_LT(native.tabled_trees(), native.num_trees());
  EXPECT_GT(native.tabled_trees(), 0u);
  const std::size_t width = test.X.cols + 1;
  const std::vector<float> want = xgboost_predict(file, test.X, 2);
  std::vector<float> phi(test.X.rows * width), recursive(phi.size());
  native.contributions(test.X.values.data(), test.X.rows, phi.data());
  native.recursive_contributions(test.X.values.data(), test.X.rows, recursive.data());
  ASSERT_EQ(want.size(), phi.size());
  for (std::size_t i = 0; i < phi.size(); ++i) {
    ASSERT_TRUE(same_contribution(phi[i], want[i]))
        << "row " << i / width << " column " << i % width << ": " << phi[i] << " vs " << want[i];
    ASSERT_TRUE(same_contribution(phi[i], recursive[i])) << "row " << i / width;
  }
}

// The classifier scores every batch natively, and contributions of large batches with XGBoost;
// each agrees with XGBoost row by row.
TEST(TreeEnsembleClassifier, SmallAndLargeBatchesAgreeBeforeAndAfterLoading) {
  Labelled train = testing::logistic_problem(2000, 5, 21);
  // One row more than the native contributions' limit, so those go to XGBoost.
  using models::TreeClassifier;
  Labelled test = testing::logistic_problem(TreeClassifier::kNativeShapMaxRows + 1, 5, 22);
  add_missing(test.X, 5, 8);
  for (const char* family : {"xgboost", "lightgbm", "random_forest"}) {
    SCOPED_TRACE(family);
    auto model = make_classifier(family, {{"n_estimators", 30}});
    model->fit(train.X, train.y, nullptr, nullptr, nullptr);
    TempDir dir;
    model->save(dir.path());
    const auto loaded = load_classifier(family, model->params(), dir.path());
    for (const Classifier* c : {model.get(), loaded.get()}) {
      const auto* tree = dynamic_cast<const models::TreeClassifier*>(c);
      ASSERT_NE(tree, nullptr);
      EXPECT_TRUE(tree->native());
      const std::vector<double> reference = tree->xgboost_predict_proba(test.X);
      const std::vector<double> reference_phi = tree->xgboost_contributions(test.X);
      for (std::size_t r = 0; r < test.X.rows; r += 37) {
        const DenseMatrix one = rows_of(test.X, r, r + 1);
        const std::vector<double> p = c->predict_proba(one);
        ASSERT_EQ(p.size(), 1u);
        EXPECT_NEAR(p[0], reference[r], kTolerance) << "row " << r;
        const std::vector<double> phi = c->contributions(one);
        ASSERT_EQ(phi.size(), test.X.cols + 1);
        for (std::size_t k = 0; k < phi.size(); ++k) {
          EXPECT_TRUE(same_contribution(phi[k], reference_phi[r * (test.X.cols + 1) + k]))
              << "row " << r << " column " << k;
        }
      }
      // A whole batch, native too, gives XGBoost's numbers exactly.
      const std::vector<double> batch = c->predict_proba(test.X);
      for (std::size_t r = 0; r < batch.size(); ++r) EXPECT_EQ(batch[r], reference[r]);
      EXPECT_EQ(c->contributions(test.X), reference_phi);
    }
  }
}

// A small saved model to break in the malformed-JSON tests.
class TreeEnsembleJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Labelled train = testing::logistic_problem(500, 4, 31);
    auto model = make_classifier("xgboost", {{"n_estimators", 3}, {"max_depth", 2}});
    model->fit(train.X, train.y, nullptr, nullptr, nullptr);
    TempDir dir;
    model->save(dir.path());
    model_ = nlohmann::json::parse(read_file(dir / models::TreeClassifier::kModelFile));
  }
  nlohmann::json& tree(int i) { return model_["learner"]["gradient_booster"]["model"]["trees"][i]; }
  nlohmann::json model_;
};

TEST_F(TreeEnsembleJsonTest, ValidModelParses) {
  const TreeEnsemble ensemble = TreeEnsemble::from_json(model_.dump());
  EXPECT_EQ(ensemble.num_trees(), 3u);
  EXPECT_EQ(ensemble.num_features(), 4u);
  EXPECT_FLOAT_EQ(ensemble.base_margin(), 0.0f);  // base_score 0.5
}

TEST_F(TreeEnsembleJsonTest, NotJsonIsInputError) {
  EXPECT_THROW_MSG(TreeEnsemble::from_json(std::string_view("{\"learner\": ")), InputError,
                   "XGBoost model JSON: the text is not valid JSON");
}

TEST_F(TreeEnsembleJsonTest, GblinearIsRefusedByName) {
  model_["learner"]["gradient_booster"]["name"] = "gblinear";
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/gradient_booster/name' is \"gblinear\"; only gbtree is "
                   "supported");
}

TEST_F(TreeEnsembleJsonTest, OtherObjectiveIsRefusedByName) {
  model_["learner"]["objective"]["name"] = "reg:squarederror";
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/objective/name' is \"reg:squarederror\"; only binary:logistic");
}

TEST_F(TreeEnsembleJsonTest, MissingFieldIsNamedWithItsPath) {
  tree(1).erase("sum_hessian");
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/gradient_booster/model/trees/1/sum_hessian' is missing");
  model_["learner"]["learner_model_param"].erase("base_score");
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/learner_model_param/base_score' is missing");
  model_.erase("learner");
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError, "field 'learner' is missing");
}

TEST_F(TreeEnsembleJsonTest, WrongSizesTypesAndIndicesAreNamed) {
  nlohmann::json copy = model_;
  tree(0)["split_conditions"].erase(0);
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/gradient_booster/model/trees/0/split_conditions' has");
  model_ = copy;
  tree(0)["split_indices"][0] = 17;
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/gradient_booster/model/trees/0/split_indices/0' is 17, outside "
                   "the model's 4 features");
  model_ = copy;
  tree(2)["left_children"][0] = 99;
  EXPECT_THROW_MSG(
      TreeEnsemble::from_parsed(model_), InputError,
      "field 'learner/gradient_booster/model/trees/2/left_children/0' has children 99");
  model_ = copy;
  tree(0)["left_children"][1] = 0;  // node 1 points back at the root
  tree(0)["right_children"][1] = 2;
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError, "the tree has a cycle");
  model_ = copy;
  tree(0)["sum_hessian"][0] = "lots";
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/gradient_booster/model/trees/0/sum_hessian/0' is not a number: "
                   "\"lots\"");
  model_ = copy;
  model_["learner"]["learner_model_param"]["base_score"] = "1.5";
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError,
                   "field 'learner/learner_model_param/base_score' is 1.5; it must be in (0, 1)");
  model_ = copy;
  tree(1)["split_type"][0] = 1;
  EXPECT_THROW_MSG(TreeEnsemble::from_parsed(model_), InputError, "is a categorical split");
}

}  // namespace
}  // namespace loanrisk
