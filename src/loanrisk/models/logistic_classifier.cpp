#include "loanrisk/models/logistic_classifier.hpp"

#include <fmt/format.h>
#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/models/family.hpp"
#include "loanrisk/models/tree_train.hpp"

namespace loanrisk::models {
namespace {

// log(1 + e^m) without overflow.
double softplus(double m) {
  return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m));
}

double sigmoid(double m) {
  return 1.0 / (1.0 + std::exp(-m));
}

void check_training(const DenseMatrix& X, const std::vector<float>& y,
                    const std::vector<float>* weights) {
  if (X.values.size() != X.rows * X.cols) {
    throw InputError(fmt::format("training matrix has {} values for {} rows x {} columns",
                                 X.values.size(), X.rows, X.cols));
  }
  if (X.rows == 0 || X.cols == 0) {
    throw InputError(
        fmt::format("training matrix is empty ({} rows x {} columns)", X.rows, X.cols));
  }
  if (y.size() != X.rows) {
    throw InputError(fmt::format("training set has {} labels for {} rows", y.size(), X.rows));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0f && y[i] != 1.0f) {
      throw InputError(
          fmt::format("training set label at row {} is {}; labels must be 0 or 1", i, y[i]));
    }
  }
  if (weights != nullptr) {
    if (weights->size() != X.rows) {
      throw InputError(
          fmt::format("training set has {} weights for {} rows", weights->size(), X.rows));
    }
    for (float w : *weights) {
      if (!std::isfinite(w) || w < 0) {
        throw InputError(fmt::format("training weights must be finite and >= 0, got {}", w));
      }
    }
  }
}

// Standardised design matrix with a trailing column of ones for the intercept.
Eigen::MatrixXd design(const DenseMatrix& X, const LogisticState& s) {
  Eigen::MatrixXd Z(X.rows, X.cols + 1);
  for (std::size_t r = 0; r < X.rows; ++r) {
    for (std::size_t c = 0; c < X.cols; ++c) {
      const float v = X.at(r, c);
      if (std::isnan(v)) {
        throw InputError(fmt::format(
            "logistic_regression cannot use missing values: row {} column '{}' is empty; impute "
            "it or choose a tree family",
            r, s.feature_names[c]));
      }
      Z(r, c) = (static_cast<double>(v) - s.mean[c]) / s.scale[c];
    }
    Z(r, X.cols) = 1.0;
  }
  return Z;
}

double objective(const Eigen::MatrixXd& Z, const Eigen::VectorXd& y, const Eigen::VectorXd& s,
                 const Eigen::VectorXd& theta, double C) {
  const Eigen::VectorXd m = Z * theta;
  double loss = 0;
  for (Eigen::Index i = 0; i < m.size(); ++i) loss += s[i] * (softplus(m[i]) - y[i] * m[i]);
  const Eigen::Index d = theta.size() - 1;
  return 0.5 * theta.head(d).squaredNorm() + C * loss;
}

}  // namespace

LogisticClassifier::LogisticClassifier(ParamValues params) : params_(std::move(params)) {}

LogisticClassifier::LogisticClassifier(ParamValues params, LogisticState state)
    : params_(std::move(params)), state_(std::move(state)), fitted_(true) {}

const LogisticState& LogisticClassifier::trained() const {
  if (!fitted_) throw InternalError("logistic_regression classifier used before fit() or load");
  return state_;
}

void LogisticClassifier::fit(const DenseMatrix& X, const std::vector<float>& y,
                             const DenseMatrix* /*X_val*/, const std::vector<float>* /*y_val*/,
                             const std::vector<float>* weights) {
  check_training(X, y, weights);
  LogisticState s;
  s.feature_names = model_feature_names(X);
  const std::size_t n = X.rows, d = X.cols;
  s.mean.assign(d, 0.0);
  s.scale.assign(d, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < d; ++c) s.mean[c] += X.at(r, c);
  }
  for (double& m : s.mean) m /= static_cast<double>(n);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < d; ++c) {
      const double dev = X.at(r, c) - s.mean[c];
      s.scale[c] += dev * dev;
    }
  }
  for (double& v : s.scale) {
    v = std::sqrt(v / static_cast<double>(n));
    if (!(v > 0)) v = 1.0;  // a constant input (as StandardScaler): leave it centred only
  }
  const Eigen::MatrixXd Z = design(X, s);
  Eigen::VectorXd yv(n), sv(n);
  for (std::size_t i = 0; i < n; ++i) {
    yv[i] = y[i];
    sv[i] = weights ? (*weights)[i] : 1.0;
  }

  const double C = params_.at("C");
  const int max_iter = static_cast<int>(params_.at("max_iter"));
  const double tol = params_.at("tol");
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(d + 1));
  Eigen::VectorXd penalty = Eigen::VectorXd::Ones(static_cast<Eigen::Index>(d + 1));
  penalty[static_cast<Eigen::Index>(d)] = 0.0;  // the intercept is not penalised
  double f = objective(Z, yv, sv, theta, C);
  for (int it = 1; it <= max_iter; ++it) {
    const Eigen::VectorXd m = Z * theta;
    Eigen::VectorXd resid(n), curv(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double p = sigmoid(m[i]);
      resid[i] = sv[i] * (p - yv[i]);
      curv[i] = sv[i] * p * (1 - p);
    }
    const Eigen::VectorXd grad = C * (Z.transpose() * resid) + penalty.cwiseProduct(theta);
    // H = C Z' diag(curv) Z + diag(penalty), as a symmetric rank update of sqrt(curv) Z (half
    // the multiply-adds of a general product).
    const Eigen::MatrixXd Zc = curv.cwiseSqrt().asDiagonal() * Z;
    Eigen::MatrixXd H = penalty.asDiagonal();
    H.selfadjointView<Eigen::Lower>().rankUpdate(Zc.transpose(), C);
    const Eigen::VectorXd step = H.selfadjointView<Eigen::Lower>().ldlt().solve(grad);
    // Backtracking: Newton's full step can overshoot when the classes are nearly separable.
    double t = 1.0, f_new = f;
    Eigen::VectorXd next = theta;
    for (int k = 0; k < 50; ++k) {
      next = theta - t * step;
      f_new = objective(Z, yv, sv, next, C);
      if (f_new <= f - 1e-4 * t * grad.dot(step)) break;
      t *= 0.5;
    }
    const double moved = (next - theta).cwiseAbs().maxCoeff();
    theta = next;
    f = f_new;
    s.iterations = it;
    if (moved <= tol * (1.0 + theta.cwiseAbs().maxCoeff())) {
      s.converged = true;
      break;
    }
  }
  {
    const Eigen::VectorXd m = Z * theta;
    Eigen::VectorXd resid(n);
    for (std::size_t i = 0; i < n; ++i) resid[i] = sv[i] * (sigmoid(m[i]) - yv[i]);
    s.gradient_norm =
        (C * (Z.transpose() * resid) + penalty.cwiseProduct(theta)).cwiseAbs().maxCoeff();
  }
  s.coef_std.assign(theta.data(), theta.data() + d);
  s.intercept_std = theta[static_cast<Eigen::Index>(d)];
  state_ = std::move(s);
  fitted_ = true;
}

std::vector<double> LogisticClassifier::margins(const DenseMatrix& X) const {
  const LogisticState& s = trained();
  if (X.cols != s.feature_names.size()) {
    throw InputError(fmt::format("matrix has {} columns but the model expects {}", X.cols,
                                 s.feature_names.size()));
  }
  if (X.values.size() != X.rows * X.cols) {
    throw InputError(fmt::format("matrix has {} values for {} rows x {} columns", X.values.size(),
                                 X.rows, X.cols));
  }
  if (!X.names.empty()) {
    for (std::size_t c = 0; c < X.cols; ++c) {
      if (c >= X.names.size() || X.names[c] != s.feature_names[c]) {
        throw InputError(fmt::format("matrix column {} is '{}' but the model expects '{}'", c,
                                     c < X.names.size() ? X.names[c] : "", s.feature_names[c]));
      }
    }
  }
  std::vector<double> out(X.rows);
  for (std::size_t r = 0; r < X.rows; ++r) {
    double m = s.intercept_std;
    for (std::size_t c = 0; c < X.cols; ++c) {
      const float v = X.at(r, c);
      if (std::isnan(v)) {
        throw InputError(fmt::format(
            "logistic_regression cannot score missing values: row {} column '{}' is empty", r,
            s.feature_names[c]));
      }
      m += s.coef_std[c] * ((static_cast<double>(v) - s.mean[c]) / s.scale[c]);
    }
    out[r] = m;
  }
  return out;
}

std::vector<double> LogisticClassifier::predict_proba(const DenseMatrix& X) const {
  std::vector<double> p = margins(X);
  for (double& v : p) v = sigmoid(v);
  return p;
}

std::vector<double> LogisticClassifier::contributions(const DenseMatrix& X) const {
  margins(X);  // the same shape and missing-value checks
  const LogisticState& s = state_;
  std::vector<double> out;
  out.reserve(X.rows * (X.cols + 1));
  // Linear SHAP with the training means as baseline: standardised inputs are centred on them, so
  // each term is coef * (z - 0) and the base value is the intercept.
  for (std::size_t r = 0; r < X.rows; ++r) {
    for (std::size_t c = 0; c < X.cols; ++c) {
      out.push_back(s.coef_std[c] * ((static_cast<double>(X.at(r, c)) - s.mean[c]) / s.scale[c]));
    }
    out.push_back(s.intercept_std);
  }
  return out;
}

nlohmann::json LogisticClassifier::describe() const {
  const LogisticState& s = trained();
  nlohmann::json coefficients = nlohmann::json::array();
  nlohmann::json importance = nlohmann::json::object();
  double intercept = s.intercept_std;
  for (std::size_t c = 0; c < s.feature_names.size(); ++c) {
    const double original = s.coef_std[c] / s.scale[c];
    intercept -= original * s.mean[c];
    coefficients.push_back({{"feature", s.feature_names[c]},
                            {"coefficient", original},
                            {"standardized_coefficient", s.coef_std[c]},
                            {"mean", s.mean[c]},
                            {"scale", s.scale[c]}});
    importance[s.feature_names[c]] = std::fabs(s.coef_std[c]);
  }
  return {{"family", family()},           {"converged", s.converged},
          {"iterations", s.iterations},   {"gradient_max_abs", s.gradient_norm},
          {"C", params_.at("C")},         {"feature_names", s.feature_names},
          {"intercept", intercept},       {"standardized_intercept", s.intercept_std},
          {"coefficients", coefficients}, {"importance_type", "abs_standardized_coefficient"},
          {"importance", importance}};
}

void LogisticClassifier::save(const std::filesystem::path& dir) const {
  const LogisticState& s = trained();
  write_json_file(dir / kModelFile, {{"feature_names", s.feature_names},
                                     {"mean", s.mean},
                                     {"scale", s.scale},
                                     {"coef_std", s.coef_std},
                                     {"intercept_std", s.intercept_std},
                                     {"converged", s.converged},
                                     {"iterations", s.iterations},
                                     {"gradient_max_abs", s.gradient_norm}});
}

std::unique_ptr<Classifier> load_logistic(const ParamValues& params,
                                          const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / LogisticClassifier::kModelFile;
  const auto bad = [&](const std::string& why) {
    return InputError(fmt::format("model file '{}' is missing or unreadable: {}; retrain the model",
                                  file.string(), why));
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw bad("no such file");
  LogisticState s;
  try {
    const nlohmann::json j = read_json_file(file);
    s.feature_names = j.at("feature_names").get<std::vector<std::string>>();
    s.mean = j.at("mean").get<std::vector<double>>();
    s.scale = j.at("scale").get<std::vector<double>>();
    s.coef_std = j.at("coef_std").get<std::vector<double>>();
    s.intercept_std = j.at("intercept_std").get<double>();
    s.converged = j.at("converged").get<bool>();
    s.iterations = j.at("iterations").get<int>();
    s.gradient_norm = j.value("gradient_max_abs", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw bad(e.what());
  }
  const std::size_t d = s.feature_names.size();
  if (d == 0 || s.mean.size() != d || s.scale.size() != d || s.coef_std.size() != d) {
    throw bad(fmt::format("{} feature names but {} means, {} scales and {} coefficients", d,
                          s.mean.size(), s.scale.size(), s.coef_std.size()));
  }
  for (std::size_t c = 0; c < d; ++c) {
    if (!(s.scale[c] > 0) || !std::isfinite(s.mean[c]) || !std::isfinite(s.coef_std[c])) {
      throw bad(
          fmt::format("feature '{}' has a non-finite value or a scale <= 0", s.feature_names[c]));
    }
  }
  return std::make_unique<LogisticClassifier>(params, std::move(s));
}

Family logistic_regression_family() {
  using T = ParamSpec::Type;
  Family family;
  family.name = "logistic_regression";
  family.params = {
      {"C", T::Float, 1.0, 1e-6, 1e6, "inverse L2 penalty strength (scikit-learn's C)"},
      {"max_iter", T::Int, 100, 1, 10000, "maximum Newton iterations"},
      {"tol", T::Float, 1e-10, 1e-15, 1e-2,
       "stop when no coefficient moves by more than tol * (1 + largest |coefficient|)"},
  };
  family.make = [](const ParamValues& resolved) -> std::unique_ptr<Classifier> {
    return std::make_unique<LogisticClassifier>(resolved);
  };
  family.load = &load_logistic;
  return family;
}

}  // namespace loanrisk::models
