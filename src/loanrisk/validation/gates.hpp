#pragma once
// The thresholds of the PD validation report's traffic lights, as loanrisk.toml [validation]
// sets them. Each test is green, amber or red; a red one is a failed gate (`validate` exits 4,
// a protected alias refuses the version). Defaults follow common practice for retail PD models
// and are documented in docs/validation.md.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk::validation {

/// Green, amber or red; NotApplicable when a test could not run (no initial AUC, no --against,
/// too few customers).
enum class Light { Green, Amber, Red, NotApplicable };
std::string light_name(Light l);
/// The worse of two lights (red > amber > green > n/a).
Light worse(Light a, Light b);

struct Gates {
  /// Jeffreys test per grade and for the portfolio: p-values below these are amber / red (the
  /// PD underestimates the observed default rate).
  double jeffreys_amber = 0.05, jeffreys_red = 0.01;
  /// Grades with fewer customers are shown but not gated (a test on a handful says nothing).
  long long min_grade_customers = 20;
  /// Hosmer-Lemeshow over the grades: p-values below these are amber / red.
  double hosmer_lemeshow_amber = 0.05, hosmer_lemeshow_red = 0.01;
  /// Expected calibration error (10 equal-width bins) above these is amber / red.
  double ece_amber = 0.02, ece_red = 0.05;
  /// AUC below these is amber / red.
  double auc_amber = 0.70, auc_red = 0.60;
  /// Test of the AUC against the AUC at initial validation: p-values below these are amber / red.
  double auc_decline_amber = 0.05, auc_decline_red = 0.01;
  /// DeLong's test against the --against model: the validated model's AUC lower with a p-value
  /// below this is red, lower without significance amber.
  double auc_compare_red = 0.05;
  /// Normalised Herfindahl index of customers across grades above these is amber / red.
  double herfindahl_amber = 0.20, herfindahl_red = 0.30;
  /// PSI of the score and of each input against the bundle's reference above these is amber /
  /// red (the monitoring bands).
  double psi_amber = 0.10, psi_red = 0.25;

  /// UsageError naming the setting when an amber threshold is not on the safe side of its red.
  void validate() const;
  nlohmann::json to_json() const;
};

/// Gates from loanrisk.toml's [validation] (defaults for keys it does not set; the defaults
/// themselves without the section). UsageError with file:line:column for a bad value or key.
Gates gates_from_toml_text(std::string_view text, const std::string& source);
Gates gates_from_toml(const std::filesystem::path& file);

}  // namespace loanrisk::validation
