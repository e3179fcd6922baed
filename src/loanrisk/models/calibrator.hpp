#pragma once
// Calibration of a model's raw PDs, fitted on the validation split: Platt scaling (a logistic
// curve on the raw log-odds, fitted with Platt's smoothed targets as scikit-learn does) or
// isotonic regression (pool-adjacent-violators, linear between blocks, clipped outside). The
// bundle stores it and applies it in every prediction path; the raw score stays available.
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk {

/// A fitted (or identity) map from raw PD to calibrated PD.
class Calibrator {
 public:
  enum class Method { None, Platt, Isotonic };

  /// The identity (method none).
  Calibrator() = default;

  /// "none", "platt", "isotonic" or "auto" (isotonic when the validation split has at least
  /// kIsotonicMinRows rows and kIsotonicMinPositives defaults, else Platt); UsageError otherwise.
  static std::string check_method(const std::string& name);
  /// Fits `method` (as check_method accepts) on validation raw PDs and 0/1 labels. InputError for
  /// mismatched sizes, labels not 0/1, PDs outside [0, 1] or a missing class.
  static Calibrator fit(const std::string& method, const std::vector<double>& raw_pd,
                        const std::vector<double>& y);

  /// Calibrated PD of one raw PD.
  double apply(double raw_pd) const;
  /// Calibrated PDs.
  std::vector<double> apply(const std::vector<double>& raw_pd) const;

  /// Anchors the PDs to a portfolio's long-run default rate: adds to every calibrated log-odds
  /// the one shift d that makes the mean PD of these rows (the training rows' raw PDs) equal
  /// target_rate: mean(sigmoid(logit(calibrated_i) + d)) = target_rate, solved by safeguarded
  /// Newton steps (the mean rises strictly with d). UsageError for a rate outside (0, 1),
  /// InputError for no rows.
  void anchor(double target_rate, const std::vector<double>& raw_pd);
  /// The shift added to the calibrated log-odds (0 when not anchored).
  double shift() const { return shift_; }
  /// The rate anchored to; NaN when not anchored.
  double target_rate() const { return target_rate_; }

  Method method() const { return method_; }
  /// "none", "platt" or "isotonic".
  std::string method_name() const;

  /// Exact round trip (doubles written in shortest round-trip form).
  nlohmann::json to_json() const;
  /// InputError naming the field when the JSON is not a calibrator.
  static Calibrator from_json(const nlohmann::json& j);

  /// Smallest validation split for which "auto" chooses isotonic.
  static constexpr std::size_t kIsotonicMinRows = 1000;
  /// Fewest defaults in the validation split for which "auto" chooses isotonic.
  static constexpr std::size_t kIsotonicMinPositives = 50;
  /// Calibrated PDs are kept within [kMinPd, 1 - kMinPd]: a PD of exactly 0 or 1 is never
  /// reported (isotonic blocks can be pure).
  static constexpr double kMinPd = 1e-6;

 private:
  Method method_ = Method::None;
  double a_ = 1, b_ = 0;       ///< Platt: sigmoid(a * logit(raw) + b)
  std::vector<double> x_, y_;  ///< Isotonic: knots (raw PD, calibrated PD), x ascending
  double shift_ = 0;           ///< anchor(): added to the calibrated log-odds
  double target_rate_ = std::numeric_limits<double>::quiet_NaN();

  /// The calibrated PD before the anchor's shift.
  double calibrated(double raw_pd) const;
};

}  // namespace loanrisk
