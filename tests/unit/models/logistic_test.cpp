// The logistic_regression family: sklearn-equal coefficients, class weights, SHAP, round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "model_test_data.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using testing::auc;
using testing::Labelled;
using testing::logistic_problem;
using testing::read_loan_columns;
using testing::TempDir;

struct Reference {
  double C;
  double intercept;
  std::vector<double> coef;
};

TEST(LogisticRealData, StandardisedCoefficientsMatchScikitLearn) {
  const auto path = testing::real_data();
  if (!path) GTEST_SKIP() << "real data not present";
  const Labelled data = read_loan_columns(*path);
  ASSERT_EQ(data.X.rows, 10000u);
  // From tests/unit/models/logistic_reference.py (scikit-learn 1.2, lbfgs, tol 1e-12).
  const Reference references[] = {
      {1.0,
       -14.276291831016474,
       {9.313251005068471, 0.220625917265565, 4.3677913300033495, -2.830289895073079,
        -3.1127244585078033, -1.2639716045346783}},
      {0.01,
       -3.672376841752841,
       {2.0615339443912104, -0.09399080962145495, 1.232070931759077, -0.5234915572262021,
        -0.6475957757360872, -0.3829179454931986}},
  };
  for (const Reference& ref : references) {
    auto model = make_classifier("logistic_regression", {{"C", ref.C}});
    model->fit(data.X, data.y, nullptr, nullptr, nullptr);
    const nlohmann::json d = model->describe();
    EXPECT_TRUE(d["converged"].get<bool>()) << ref.C;
    EXPECT_NEAR(d["standardized_intercept"].get<double>(), ref.intercept, 1e-4) << ref.C;
    for (std::size_t c = 0; c < 6; ++c) {
      EXPECT_NEAR(d["coefficients"][c]["standardized_coefficient"].get<double>(), ref.coef[c], 1e-4)
          << ref.C << " " << data.X.names[c];
    }
  }
}

class LogisticTest : public ::testing::Test {
 protected:
  Labelled train_ = logistic_problem(3000, 5, 1);
  Labelled test_ = logistic_problem(2000, 5, 3);
};

TEST_F(LogisticTest, OriginalScaleCoefficientsGiveTheSameMargins) {
  auto model = make_classifier("logistic_regression", {});
  model->fit(train_.X, train_.y, nullptr, nullptr, nullptr);
  const nlohmann::json d = model->describe();
  EXPECT_TRUE(d["converged"].get<bool>());
  EXPECT_LT(d["iterations"].get<int>(), 15);
  EXPECT_LT(d["gradient_max_abs"].get<double>(), 1e-6);
  const std::vector<double> p = model->predict_proba(test_.X);
  EXPECT_GT(auc(p, test_.y), 0.85);
  for (std::size_t r = 0; r < 20; ++r) {
    double margin = d["intercept"].get<double>();
    for (std::size_t c = 0; c < 5; ++c) {
      margin += d["coefficients"][c]["coefficient"].get<double>() * test_.X.at(r, c);
    }
    EXPECT_NEAR(1 / (1 + std::exp(-margin)), p[r], 1e-12);
  }
  // x0 and x1 carry the signal (+3, -2), the rest is noise or interaction.
  EXPECT_GT(d["coefficients"][0]["coefficient"].get<double>(), 2.0);
  EXPECT_LT(d["coefficients"][1]["coefficient"].get<double>(), -1.3);
}

TEST_F(LogisticTest, ContributionsSumToTheMarginAroundTrainingMeans) {
  auto model = make_classifier("logistic_regression", {});
  model->fit(train_.X, train_.y, nullptr, nullptr, nullptr);
  const std::vector<double> phi = model->contributions(test_.X);
  const std::vector<double> p = model->predict_proba(test_.X);
  ASSERT_EQ(phi.size(), 2000u * 6);
  for (std::size_t r = 0; r < 2000; ++r) {
    double margin = 0;
    for (std::size_t c = 0; c < 6; ++c) margin += phi[r * 6 + c];
    EXPECT_NEAR(1 / (1 + std::exp(-margin)), p[r], 1e-12);
  }
  // A row at the training means has zero contributions and scores the base value.
  DenseMatrix at_mean{1, 5, std::vector<float>(5), train_.X.names};
  const nlohmann::json d = model->describe();
  for (std::size_t c = 0; c < 5; ++c) {
    at_mean.at(0, c) = static_cast<float>(d["coefficients"][c]["mean"].get<double>());
  }
  const std::vector<double> base = model->contributions(at_mean);
  for (std::size_t c = 0; c < 5; ++c) EXPECT_NEAR(base[c], 0.0, 1e-6);
  EXPECT_EQ(base[5], d["standardized_intercept"].get<double>());
}

TEST_F(LogisticTest, ClassWeightsRaiseThePds) {
  auto plain = make_classifier("logistic_regression", {});
  plain->fit(train_.X, train_.y, nullptr, nullptr, nullptr);
  std::vector<float> weights(train_.y.size());
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = train_.y[i] ? 4.0f : 1.0f;
  auto weighted = make_classifier("logistic_regression", {});
  weighted->fit(train_.X, train_.y, nullptr, nullptr, &weights);
  const auto a = plain->predict_proba(test_.X), b = weighted->predict_proba(test_.X);
  double mean_a = 0, mean_b = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    mean_a += a[i];
    mean_b += b[i];
  }
  EXPECT_GT(mean_b, mean_a + 0.1 * a.size());
}

TEST_F(LogisticTest, SaveAndLoadAreBitIdentical) {
  auto model = make_classifier("logistic_regression", {{"C", 0.5}});
  model->fit(train_.X, train_.y, nullptr, nullptr, nullptr);
  TempDir dir;
  model->save(dir.path());
  const auto loaded = load_classifier("logistic_regression", model->params(), dir.path());
  EXPECT_EQ(loaded->predict_proba(test_.X), model->predict_proba(test_.X));
  EXPECT_EQ(loaded->contributions(test_.X), model->contributions(test_.X));
  EXPECT_EQ(loaded->describe(), model->describe());
}

TEST_F(LogisticTest, BadInputsAreInputErrors) {
  auto model = make_classifier("logistic_regression", {});
  std::vector<float> bad_labels = train_.y;
  bad_labels[7] = 2;
  EXPECT_THROW_MSG(model->fit(train_.X, bad_labels, nullptr, nullptr, nullptr), InputError,
                   "training set label at row 7 is 2; labels must be 0 or 1");
  DenseMatrix with_nan = train_.X;
  with_nan.at(3, 1) = NAN;
  EXPECT_THROW_MSG(model->fit(with_nan, train_.y, nullptr, nullptr, nullptr), InputError,
                   "logistic_regression cannot use missing values: row 3 column 'x1' is empty; "
                   "impute it or choose a tree family");
  model->fit(train_.X, train_.y, nullptr, nullptr, nullptr);
  DenseMatrix narrow{1, 4, std::vector<float>(4, 0.0f), {}};
  EXPECT_THROW_MSG(model->predict_proba(narrow), InputError,
                   "matrix has 4 columns but the model expects 5");
  TempDir dir;
  EXPECT_THROW_MSG(load_classifier("logistic_regression", {}, dir.path()), InputError,
                   "model file '" + (dir.path() / "logistic.json").string() +
                       "' is missing or unreadable: no such file; retrain the model");
  testing::write_text(
      dir.path() / "logistic.json",
      R"({"feature_names": ["a"], "mean": [0, 1], "scale": [1], )"
      R"("coef_std": [1], "intercept_std": 0, "converged": true, "iterations": 3})");
  EXPECT_THROW_MSG(load_classifier("logistic_regression", {}, dir.path()), InputError,
                   "model file '" + (dir.path() / "logistic.json").string() +
                       "' is missing or unreadable: 1 feature names but 2 means, 1 scales and 1 "
                       "coefficients; retrain the model");
}

}  // namespace
}  // namespace loanrisk
