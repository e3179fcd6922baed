#pragma once
// Classifier: the interface every model family implements, looked up by name. Parameters are
// declared once per family (default, range, description) and validated before any training starts.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/core/matrix.hpp"

namespace loanrisk {

/// One hyperparameter of a family.
struct ParamSpec {
  enum class Type { Int, Float };
  std::string name;
  Type type = Type::Float;
  double default_value = 0;
  double min = 0;  ///< inclusive
  double max = 0;  ///< inclusive
  std::string description;
};

/// Hyperparameter values by name (integers are stored as whole doubles).
using ParamValues = std::map<std::string, double>;

/// Called after each boosting round with the validation PDs of the model so far (tuning prunes
/// with it); returning false stops training and keeps the rounds trained so far.
using RoundObserver = std::function<bool(int round, const std::vector<double>& validation_pd)>;

/// One reason of a points scorecard: a characteristic and the points the applicant lost against
/// its best bin.
struct PointsReason {
  std::string feature;
  int points = 0, max_points = 0, points_lost = 0;
};

/// A binary classifier producing the probability of default.
class Classifier {
 public:
  virtual ~Classifier() = default;
  /// Installs an observer for the next fit(); round-free families (logistic) ignore it, and tree
  /// families call it only when fit() is given a validation set.
  virtual void observe_rounds(RoundObserver observer) { static_cast<void>(observer); }
  /// The family name it was made by, e.g. "xgboost".
  virtual std::string family() const = 0;
  /// The resolved hyperparameters.
  virtual const ParamValues& params() const = 0;
  /// Trains. X_val/y_val may be null; families with early stopping use them when given.
  /// weights (may be null) are per-row training weights.
  virtual void fit(const DenseMatrix& X, const std::vector<float>& y, const DenseMatrix* X_val,
                   const std::vector<float>* y_val, const std::vector<float>* weights) = 0;
  /// Probability of the positive class for each row. Safe to call from several threads at once.
  virtual std::vector<double> predict_proba(const DenseMatrix& X) const = 0;
  /// Additive explanation of each row in log-odds (margin) space: rows x (cols + 1) values, row
  /// after row, the last of each row being the base value; a row's values sum to its margin.
  /// Tree families give exact TreeSHAP; linear ones coefficient x (value - training mean).
  virtual std::vector<double> contributions(const DenseMatrix& X) const = 0;
  /// predict_proba(X), with contributions(X) written into *contributions: the same values as the
  /// two calls. Tree families take both from one pass over the trees (the predict route's case).
  virtual std::vector<double> predict_proba_explained(const DenseMatrix& X,
                                                      std::vector<double>& contributions) const {
    contributions = this->contributions(X);
    return predict_proba(X);
  }
  /// Monotone constraints by feature name (+1: the PD may only rise with the feature, -1: only
  /// fall, 0 or absent: free), for the next fit(); names the model does not use are ignored.
  /// Returns false when the family cannot honour them (the linear one: its coefficients decide).
  virtual bool set_monotone(const std::map<std::string, int>& constraints) {
    return constraints.empty();
  }
  /// Whether points() gives a score (the scorecard): a scored file's header says so even when no
  /// row was scored.
  virtual bool has_points() const { return false; }
  /// The score in points of each row, for families that have one (the scorecard); empty for the
  /// others.
  virtual std::vector<int> points(const DenseMatrix& X) const {
    static_cast<void>(X);
    return {};
  }
  /// The n characteristics on which one row lost the most points, most first; empty for families
  /// without points.
  virtual std::vector<PointsReason> points_reasons(const DenseMatrix& X, std::size_t row,
                                                   std::size_t n) const {
    static_cast<void>(X), static_cast<void>(row), static_cast<void>(n);
    return {};
  }
  /// For a points scorecard, the characteristic analysis of a population against the training
  /// rows, one entry per characteristic: {"name", "csi", "score_shift", "bins": [{"bin",
  /// "reference", "live", "points"}]}, csi = sum (live - reference) ln(live / reference) over its
  /// own bins (shares floored at 1e-4) and score_shift = sum (live - reference) x points, the
  /// average points the population gains there. Null for families without bins.
  virtual nlohmann::json characteristic_stability(const DenseMatrix& X) const;
  /// Writes the model into dir (which exists); files are family-specific.
  virtual void save(const std::filesystem::path& dir) const = 0;
  /// Facts about the trained model for reports (e.g. best_iteration, gain importance per feature).
  virtual nlohmann::json describe() const = 0;
};

/// Names of the registered families.
const std::vector<std::string>& classifier_families();
/// The declared parameters of a family; UsageError listing the families for an unknown name.
const std::vector<ParamSpec>& param_specs(const std::string& family);
/// Defaults filled in and every value checked: UsageError for an unknown key (listing the known
/// ones), a value out of range (giving the range) or a non-integer for an Int parameter.
ParamValues resolve_params(const std::string& family, const ParamValues& given);
/// A new untrained classifier. UsageError for an unknown family (listing the valid ones).
std::unique_ptr<Classifier> make_classifier(const std::string& family, const ParamValues& params);
/// A trained classifier read back from dir, as save() wrote it. InputError when files are bad.
std::unique_ptr<Classifier> load_classifier(const std::string& family, const ParamValues& params,
                                            const std::filesystem::path& dir);

}  // namespace loanrisk
