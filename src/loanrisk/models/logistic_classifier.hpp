#pragma once
// Private to the models layer: the `logistic_regression` family. Inputs are standardised with the
// training mean and (population) standard deviation; the fit minimises scikit-learn's objective
// 0.5 * ||w||^2 + C * sum_i s_i * logloss_i (intercept unpenalised, s_i the row weights) by
// Newton's method (IRLS) with a backtracking line search, so the coefficients match
// sklearn.linear_model.LogisticRegression(C=C) on the same standardised inputs.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/models/classifier.hpp"

namespace loanrisk::models {

/// The fitted state of a logistic regression (what save() writes).
struct LogisticState {
  std::vector<std::string> feature_names;
  std::vector<double> mean;      ///< training mean of each input
  std::vector<double> scale;     ///< training standard deviation (1 for a constant input)
  std::vector<double> coef_std;  ///< coefficients on the standardised inputs
  double intercept_std = 0;      ///< intercept on the standardised inputs
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0;  ///< max |gradient| of the objective at the solution
};

/// L2-penalised logistic regression solved by Newton/IRLS.
class LogisticClassifier final : public Classifier {
 public:
  /// Untrained, with resolved parameters.
  explicit LogisticClassifier(ParamValues params);
  /// Already trained (loaded from disk).
  LogisticClassifier(ParamValues params, LogisticState state);

  std::string family() const override { return "logistic_regression"; }
  const ParamValues& params() const override { return params_; }
  void fit(const DenseMatrix& X, const std::vector<float>& y, const DenseMatrix* X_val,
           const std::vector<float>* y_val, const std::vector<float>* weights) override;
  std::vector<double> predict_proba(const DenseMatrix& X) const override;
  std::vector<double> contributions(const DenseMatrix& X) const override;
  void save(const std::filesystem::path& dir) const override;
  nlohmann::json describe() const override;

  /// File name save() writes inside the model folder.
  static constexpr const char* kModelFile = "logistic.json";

 private:
  /// Log-odds of each row; InputError for a wrong shape or a missing value.
  std::vector<double> margins(const DenseMatrix& X) const;
  /// InternalError when fit() has not run.
  const LogisticState& trained() const;

  ParamValues params_;
  LogisticState state_;
  bool fitted_ = false;
};

/// Reads dir/logistic.json; InputError when it is missing or inconsistent.
std::unique_ptr<Classifier> load_logistic(const ParamValues& params,
                                          const std::filesystem::path& dir);

}  // namespace loanrisk::models
