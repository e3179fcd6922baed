#pragma once
// The evaluation report of a scored, labelled set: report.json (every number) and report.html
// (self-contained, inline SVG: ROC, PR, KS, calibration before/after, score distribution by
// class, confusion matrix, feature importance, logistic coefficients, bootstrap intervals).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/metrics/bootstrap.hpp"

namespace loanrisk {

/// What a report is computed from.
struct EvaluationInput {
  std::string title;           ///< e.g. "test split of Loan_Data.csv"
  std::vector<double> y;       ///< 0/1 labels
  std::vector<double> raw_pd;  ///< the model's PDs before calibration
  std::vector<double> pd;      ///< calibrated PDs (equal to raw_pd without a calibrator)
  double threshold = 0.5;      ///< decision threshold on pd
  std::string threshold_rule;  ///< how it was chosen
  std::string calibration;     ///< "none", "platt" or "isotonic"
  nlohmann::json model_info;   ///< Classifier::describe()
  nlohmann::json context;      ///< family, bundle, data path... shown as given
  BootstrapOptions bootstrap;  ///< intervals: 1,000 resamples, seed 42, 95% by default
};

/// report.json. InputError when the sets are empty, differ in size or a class is missing.
nlohmann::json evaluation_report(const EvaluationInput& input);

/// report.html from report.json (no script, no network).
std::string evaluation_html(const nlohmann::json& report);

}  // namespace loanrisk
