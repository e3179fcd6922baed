#pragma once
// The PD validation report of a model on a labelled book, as a bank's validation function writes
// it (ECB, "Instructions for reporting the validation results of internal models", IRB PD):
// calibration per grade of the master scale (Jeffreys and exact binomial tests, Hosmer-Lemeshow,
// ECE and the reliability curve), discriminatory power (AUC with DeLong's interval, the test
// against the AUC at initial validation, DeLong's test against another model on the same rows),
// concentration (Herfindahl of customers and exposure across grades) and stability (PSI of the
// score and inputs against the training reference; the grade migration matrix against the other
// model). Every test gets a traffic light from the Gates; report.json + report.html.
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/data/frame.hpp"
#include "loanrisk/monitor/reference.hpp"
#include "loanrisk/validation/gates.hpp"

namespace loanrisk::validation {

/// The other model of a comparison (the champion when a challenger is validated), scored on the
/// same rows.
struct Against {
  nlohmann::json model;    ///< {"source", "family", ...} as shown.
  std::vector<double> pd;  ///< its calibrated PD of each row.
};

/// What the report is computed from: one labelled book scored by the model under validation.
struct ValidationInput {
  nlohmann::json model;               ///< {"source", "family", "created_at", ...} as shown.
  nlohmann::json data;                ///< {"source", "rows_read", "rows_rejected"} as shown.
  std::vector<double> y;              ///< 0/1 outcome of each row.
  std::vector<double> pd;             ///< calibrated PD of each row.
  std::vector<double> exposure;       ///< exposure of each row, or empty (no exposure column).
  std::vector<Grade> grades;          ///< the master scale.
  double initial_auc = std::nan("");  ///< the AUC at initial validation (the bundle's test AUC).
  /// The training reference and the rows' raw inputs, for PSI; no stability section without.
  const monitor::ModelReference* reference = nullptr;
  const Frame* inputs = nullptr;
  std::optional<Against> against;
  Gates gates;
};

/// The report: the worst light, the red tests' names, and report.json.
struct ValidationReport {
  Light status = Light::NotApplicable;
  std::vector<std::string> red;  ///< "calibration by grade: grade 4 ...", one per red test.
  nlohmann::json json;
};

/// InputError when the sizes differ, there is no row, an outcome is not 0/1 or a PD is not in
/// [0, 1]. A test that cannot run (one class only, no initial AUC) is "n/a" with the reason.
ValidationReport validation_report(const ValidationInput& input);

/// report.html from report.json: self-contained, inline SVG, no script.
std::string validation_html(const nlohmann::json& report);

/// Writes DIR/report.json and DIR/report.html atomically, creating DIR when needed.
void write_validation_report(const std::filesystem::path& dir, const nlohmann::json& report);

}  // namespace loanrisk::validation
