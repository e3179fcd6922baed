#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "model_test_data.hpp"
#include "support/logistic_problems.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::auc;
using testing::Labelled;
using testing::logistic_problem;
using testing::TempDir;

// Mean negative log-likelihood, the metric early stopping watches.
double logloss(const std::vector<double>& p, const std::vector<float>& y) {
  double sum = 0;
  for (std::size_t i = 0; i < p.size(); ++i) sum -= y[i] ? std::log(p[i]) : std::log(1 - p[i]);
  return sum / static_cast<double>(p.size());
}

std::unique_ptr<Classifier> fit_xgboost(const ParamValues& params, const Labelled& train,
                                        const Labelled* val = nullptr,
                                        const std::vector<float>* weights = nullptr) {
  auto model = make_classifier("xgboost", params);
  model->fit(train.X, train.y, val ? &val->X : nullptr, val ? &val->y : nullptr, weights);
  return model;
}

using XgboostClassifierTest = testing::LogisticProblems;

TEST_F(XgboostClassifierTest, LearnsTheProblemWithoutEarlyStopping) {
  const auto model = fit_xgboost({{"n_estimators", 100}}, train_);
  const std::vector<double> p = model->predict_proba(test_.X);
  ASSERT_EQ(p.size(), 2000u);
  for (double v : p) {
    EXPECT_GT(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  EXPECT_GT(auc(p, test_.y), 0.9);
  EXPECT_EQ(model->family(), "xgboost");

  const nlohmann::json d = model->describe();
  EXPECT_EQ(d["n_trees"], 100);
  EXPECT_EQ(d["best_iteration"], 99);
  EXPECT_TRUE(d["best_validation_logloss"].is_null());
  EXPECT_EQ(d["feature_names"], nlohmann::json({"x0", "x1", "x2", "x3", "x4"}));
  EXPECT_EQ(d["importance"].size(), 5u);
  // x0 carries the strongest signal; x4 is pure noise.
  EXPECT_GT(d["importance"]["x0"].get<double>(), d["importance"]["x1"].get<double>());
  EXPECT_GT(d["importance"]["x1"].get<double>(), d["importance"]["x4"].get<double>());
}

TEST_F(XgboostClassifierTest, UnnamedColumnsGetPositionalNames) {
  train_.X.names.clear();
  const auto model = fit_xgboost({{"n_estimators", 5}}, train_);
  EXPECT_EQ(model->describe()["feature_names"], nlohmann::json({"f0", "f1", "f2", "f3", "f4"}));
  test_.X.names.clear();
  EXPECT_EQ(model->predict_proba(test_.X).size(), 2000u);
}

TEST_F(XgboostClassifierTest, EarlyStoppingKeepsExactlyTheBestRounds) {
  const ParamValues params = {
      {"n_estimators", 5000}, {"learning_rate", 0.3}, {"early_stopping_rounds", 10}};
  const auto model = fit_xgboost(params, train_, &val_);
  const nlohmann::json d = model->describe();
  const int n_trees = d["n_trees"];
  EXPECT_LT(n_trees, 5000);
  EXPECT_EQ(n_trees, d["best_iteration"].get<int>() + 1);
  const double reported = d["best_validation_logloss"];
  EXPECT_NEAR(reported, logloss(model->predict_proba(val_.X), val_.y), 1e-5);

  // The sliced model is the same as one trained for exactly that many rounds.
  const auto exact = fit_xgboost({{"n_estimators", n_trees}, {"learning_rate", 0.3}}, train_);
  EXPECT_EQ(model->predict_proba(test_.X), exact->predict_proba(test_.X));
  // ...and training further would not have helped on validation.
  const auto longer = fit_xgboost({{"n_estimators", n_trees + 10}, {"learning_rate", 0.3}}, train_);
  EXPECT_GT(logloss(longer->predict_proba(val_.X), val_.y), reported - 1e-5);
}

TEST_F(XgboostClassifierTest, EarlyStoppingOffOrWithoutValidationTrainsAllRounds) {
  const auto off = fit_xgboost({{"n_estimators", 40}, {"early_stopping_rounds", 0}}, train_, &val_);
  EXPECT_EQ(off->describe()["n_trees"], 40);
  const auto no_val = fit_xgboost({{"n_estimators", 40}}, train_);
  EXPECT_EQ(no_val->describe()["n_trees"], 40);
}

TEST_F(XgboostClassifierTest, SaveAndLoadGiveBitIdenticalPredictions) {
  const ParamValues params = {{"n_estimators", 2000}, {"early_stopping_rounds", 15}};
  const auto model = fit_xgboost(params, train_, &val_);
  TempDir dir;
  model->save(dir.path());
  ASSERT_TRUE(std::filesystem::exists(dir / "xgboost.json"));
  const auto loaded = load_classifier("xgboost", params, dir.path());
  EXPECT_EQ(loaded->predict_proba(test_.X), model->predict_proba(test_.X));
  EXPECT_EQ(loaded->describe(), model->describe());
  EXPECT_EQ(loaded->params(), model->params());
  // Saving the reloaded model writes the same bytes.
  TempDir again;
  loaded->save(again.path());
  const auto bytes = [](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(bytes(again / "xgboost.json"), bytes(dir / "xgboost.json"));
}

TEST_F(XgboostClassifierTest, SameSeedSameModelOtherSeedOtherModel) {
  const ParamValues params = {
      {"n_estimators", 30}, {"subsample", 0.7}, {"colsample_bytree", 0.6}, {"seed", 7}};
  const auto a = fit_xgboost(params, train_)->predict_proba(test_.X);
  const auto b = fit_xgboost(params, train_)->predict_proba(test_.X);
  EXPECT_EQ(a, b);
  ParamValues other = params;
  other["seed"] = 8;
  EXPECT_NE(fit_xgboost(other, train_)->predict_proba(test_.X), a);
}

TEST_F(XgboostClassifierTest, TwoThreadsTrainDeterministicallyAndLikeOne) {
  const ParamValues one = {{"n_estimators", 30}, {"subsample", 0.8}, {"nthread", 1}};
  ParamValues two = one;
  two["nthread"] = 2;
  const auto a = fit_xgboost(two, train_)->predict_proba(test_.X);
  EXPECT_EQ(fit_xgboost(two, train_)->predict_proba(test_.X), a);
  EXPECT_EQ(fit_xgboost(one, train_)->predict_proba(test_.X), a);
}

TEST_F(XgboostClassifierTest, ConcurrentPredictionsAreIdentical) {
  const auto model = fit_xgboost({{"n_estimators", 50}}, train_);
  const std::vector<double> expected = model->predict_proba(test_.X);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) mismatches[t] += model->predict_proba(test_.X) != expected;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(XgboostClassifierTest, WeightsShiftTheModel) {
  std::vector<float> weights(train_.y.size());
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = train_.y[i] ? 5.0f : 1.0f;
  const auto plain = fit_xgboost({{"n_estimators", 30}}, train_)->predict_proba(test_.X);
  const auto weighted =
      fit_xgboost({{"n_estimators", 30}}, train_, nullptr, &weights)->predict_proba(test_.X);
  double plain_mean = 0, weighted_mean = 0;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    plain_mean += plain[i];
    weighted_mean += weighted[i];
  }
  EXPECT_GT(weighted_mean, plain_mean * 1.1);
}

TEST_F(XgboostClassifierTest, MissingValuesArePredicted) {
  const auto model = fit_xgboost({{"n_estimators", 20}}, train_);
  DenseMatrix one{1, 5, {NAN, 0.5f, NAN, -1.0f, 0.0f}, {"x0", "x1", "x2", "x3", "x4"}};
  const auto p = model->predict_proba(one);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(std::isfinite(p[0]));
  EXPECT_TRUE(model->predict_proba(DenseMatrix{0, 5, {}, {}}).empty());
}

TEST_F(XgboostClassifierTest, WrongColumnsAreInputErrors) {
  const auto model = fit_xgboost({{"n_estimators", 5}}, train_);
  DenseMatrix four{1, 4, {0, 0, 0, 0}, {}};
  EXPECT_THROW_MSG(model->predict_proba(four), InputError,
                   "matrix has 4 columns but the model expects 5 (x0, x1, x2, x3, x4)");
  DenseMatrix renamed{1, 5, {0, 0, 0, 0, 0}, {"x0", "income", "x2", "x3", "x4"}};
  EXPECT_THROW_MSG(model->predict_proba(renamed), InputError,
                   "matrix column 1 is 'income' but the model expects 'x1'");
  DenseMatrix short_values{2, 5, {0, 0, 0, 0, 0}, {}};
  EXPECT_THROW_MSG(model->predict_proba(short_values), InputError,
                   "matrix has 5 values for 2 rows x 5 columns");
}

TEST_F(XgboostClassifierTest, BadTrainingInputsAreRejectedBeforeTraining) {
  auto model = make_classifier("xgboost", {{"n_estimators", 5}});
  std::vector<float> y = train_.y;
  y[3] = 2;
  EXPECT_THROW_MSG(model->fit(train_.X, y, nullptr, nullptr, nullptr), InputError,
                   "training set label at row 3 is 2; labels must be 0 or 1");
  y.pop_back();
  EXPECT_THROW_MSG(model->fit(train_.X, y, nullptr, nullptr, nullptr), InputError,
                   "training set has 1999 labels for 2000 rows");
  const std::vector<float> weights(10, 1.0f);
  EXPECT_THROW_MSG(model->fit(train_.X, train_.y, nullptr, nullptr, &weights), InputError,
                   "training set has 10 weights for 2000 rows");
  Labelled narrow = logistic_problem(100, 4, 9);
  EXPECT_THROW_MSG(model->fit(train_.X, train_.y, &narrow.X, &narrow.y, nullptr), InputError,
                   "validation matrix has 4 columns but training matrix has 5");
  train_.X.names[2] = "x0";
  EXPECT_THROW_MSG(model->fit(train_.X, train_.y, nullptr, nullptr, nullptr), InputError,
                   "matrix has column 'x0' twice");
  EXPECT_THROW_MSG(model->predict_proba(test_.X), InternalError,
                   "xgboost classifier used before fit() or load");
}

TEST_F(XgboostClassifierTest, ShapContributionsSumToTheMargin) {
  const auto model = fit_xgboost({{"n_estimators", 50}}, train_);
  const std::vector<double> p = model->predict_proba(test_.X);
  const std::vector<double> phi = model->contributions(test_.X);
  ASSERT_EQ(phi.size(), test_.X.rows * (test_.X.cols + 1));
  double spread = 0;
  for (std::size_t r = 0; r < test_.X.rows; ++r) {
    double margin = 0;
    for (std::size_t c = 0; c <= test_.X.cols; ++c) margin += phi[r * (test_.X.cols + 1) + c];
    ASSERT_NEAR(1 / (1 + std::exp(-margin)), p[r], 1e-5) << "row " << r;
    spread += std::abs(phi[r * (test_.X.cols + 1)]);
  }
  // x0 drives the labels, so its contributions are far from zero; the base value is shared.
  EXPECT_GT(spread / static_cast<double>(test_.X.rows), 0.5);
  EXPECT_EQ(phi[test_.X.cols], phi[2 * (test_.X.cols + 1) - 1]);
  EXPECT_THROW_MSG(model->contributions(logistic_problem(3, 4, 9).X), InputError,
                   "matrix has 4 columns but the model expects 5");
}

// One pass for both (the predict route's path) gives what the two calls give, for every batch size
// the native trees serve and for a larger one served by XGBoost.
TEST_F(XgboostClassifierTest, PredictProbaExplainedEqualsTheTwoCalls) {
  const auto model = fit_xgboost({{"n_estimators", 50}}, train_);
  for (const std::size_t rows : {std::size_t{1}, std::size_t{7}, test_.X.rows}) {
    DenseMatrix X = test_.X;
    X.rows = std::min(rows, X.rows);
    X.values.resize(X.rows * X.cols);
    std::vector<double> phi;
    const std::vector<double> p = model->predict_proba_explained(X, phi);
    EXPECT_EQ(p, model->predict_proba(X)) << rows << " rows";
    EXPECT_EQ(phi, model->contributions(X)) << rows << " rows";
  }
}

TEST(XgboostLoad, BadModelFilesAreInputErrors) {
  TempDir dir;
  const std::string prefix =
      "model file '" + (dir / "xgboost.json").string() + "' is missing or unreadable: ";
  EXPECT_THROW_MSG(load_classifier("xgboost", {}, dir.path()), InputError, prefix + "no such file");
  testing::write_text(dir / "xgboost.json", "{}");
  EXPECT_THROW_MSG(load_classifier("xgboost", {}, dir.path()), InputError,
                   prefix + "XGBoost could not load it: Invalid cast, from Null to Object");
  for (const std::string text : {"not json at all", "", R"({"learner": 3})"}) {
    testing::write_text(dir / "xgboost.json", text);
    EXPECT_THROW_MSG(load_classifier("xgboost", {}, dir.path()), InputError,
                     prefix + "XGBoost could not load it: ");
  }
}

class XgboostSavedModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Labelled train = logistic_problem(300, 4, 4);
    fit_xgboost({{"n_estimators", 5}}, train)->save(dir_.path());
    std::ifstream in(dir_ / "xgboost.json");
    text_.assign(std::istreambuf_iterator<char>(in), {});
  }
  TempDir dir_;
  std::string text_;
};

TEST_F(XgboostSavedModelTest, TruncatedModelIsInputError) {
  testing::write_text(dir_ / "xgboost.json", text_.substr(0, text_.size() / 2));
  EXPECT_THROW_MSG(load_classifier("xgboost", {}, dir_.path()), InputError,
                   "is missing or unreadable: XGBoost could not load it: ");
}

TEST_F(XgboostSavedModelTest, ModelOfAnotherObjectiveIsInputError) {
  const auto at = text_.find("binary:logistic");
  ASSERT_NE(at, std::string::npos);
  testing::write_text(dir_ / "xgboost.json", text_.replace(at, 15, "reg:logistic"));
  EXPECT_THROW_MSG(load_classifier("xgboost", {}, dir_.path()), InputError,
                   "is missing or unreadable: objective is 'reg:logistic', expected "
                   "'binary:logistic'");
}

// The real loan book: the six numeric predictors, first 8,000 rows to train, last 2,000 to test.
TEST(XgboostRealData, SeparatesDefaultsOnTheLoanBook) {
  const auto path = testing::real_data();
  if (!path) GTEST_SKIP() << "real data not present";
  std::ifstream in(*path);
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line.rfind("customer_id,credit_lines_outstanding", 0), 0u) << line;
  Labelled train, test;
  for (Labelled* part : {&train, &test}) {
    part->X.cols = 6;
    part->X.names = {"credit_lines_outstanding", "loan_amt_outstanding",
                     "total_debt_outstanding",   "income",
                     "years_employed",           "fico_score"};
  }
  for (int row = 0; std::getline(in, line); ++row) {
    Labelled& part = row < 8000 ? train : test;
    std::stringstream fields(line);
    std::string field;
    std::vector<double> values;
    while (std::getline(fields, field, ',')) values.push_back(std::stod(field));
    ASSERT_EQ(values.size(), 8u) << line;
    for (int c = 1; c <= 6; ++c) part.X.values.push_back(static_cast<float>(values[c]));
    part.y.push_back(static_cast<float>(values[7]));
    ++part.X.rows;
  }
  ASSERT_EQ(train.X.rows + test.X.rows, 10000u);
  const auto model = fit_xgboost({{"n_estimators", 200}}, train);
  EXPECT_GT(auc(model->predict_proba(test.X), test.y), 0.99);
}

}  // namespace
}  // namespace loanrisk
