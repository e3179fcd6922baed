#pragma once
// Credit policy, in one place: a PD becomes a grade on the master scale, an approve/decline
// decision at the bundle's threshold, and an expected loss PD x LGD x EAD with the exposure
// column the schema names. The HTTP routes, the CLI's `predict` and monitoring all decide here,
// so a customer gets the same answer whichever way they were scored.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/data/schema.hpp"

namespace loanrisk {

/// One band of the master scale: PDs up to max_pd (inclusive) get this grade.
struct Grade {
  std::string name;
  double max_pd = 1.0;
};

/// Ten grades with monotone PD upper bounds from 0.5% to 100%.
std::vector<Grade> default_grades();

/// The grade of a PD on the scale (the first band whose max_pd >= pd; the last band otherwise).
const Grade& grade_of(const std::vector<Grade>& grades, double pd);

/// The bank's policy around a model's PD.
struct CreditPolicy {
  std::vector<Grade> grades = default_grades();
  double lgd = 0.9;  ///< loss given default, in (0, 1].

  /// UsageError for LGD outside (0, 1] or grades not strictly increasing and ending at 1.
  void validate() const;
};

/// What the policy says about one scored applicant.
struct Decision {
  const Grade* grade = nullptr;
  bool decline = false;
  /// PD x LGD x exposure; empty when the schema names no exposure column.
  std::optional<double> expected_loss;

  std::string_view decision_text() const { return decline ? "decline" : "approve"; }
};

/// The policy applied with one model's threshold and schema.
class DecisionRule {
 public:
  /// threshold: PDs at or above it are declined. The exposure column is the schema's
  /// (Schema::exposure); without one there is no expected loss.
  /// The policy (its grades) must outlive the rule.
  DecisionRule(const CreditPolicy& policy, double threshold, const Schema& schema)
      : DecisionRule(policy.grades, policy.lgd, threshold, schema) {}
  /// The same from the policy's parts, for settings that keep them apart.
  DecisionRule(const std::vector<Grade>& grades, double lgd, double threshold,
               const Schema& schema);

  /// The decision for row `row` of frame (which holds the schema's columns) with PD pd.
  Decision decide(double pd, const Frame& frame, std::size_t row) const;
  /// The decision for a PD alone (no expected loss).
  Decision decide(double pd) const;

  double threshold() const { return threshold_; }
  /// The exposure column's name ("" when the schema has none).
  const std::string& exposure_column() const { return exposure_; }

 private:
  const std::vector<Grade>& grades_;
  double lgd_;
  double threshold_;
  std::string exposure_;
};

}  // namespace loanrisk
