#include "loanrisk/bundle/decision.hpp"

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {

std::vector<Grade> default_grades() {
  return {{"1", 0.005}, {"2", 0.01}, {"3", 0.02}, {"4", 0.04}, {"5", 0.07},
          {"6", 0.12},  {"7", 0.2},  {"8", 0.3},  {"9", 0.5},  {"10", 1.0}};
}

const Grade& grade_of(const std::vector<Grade>& grades, double pd) {
  for (const auto& g : grades) {
    if (pd <= g.max_pd) return g;
  }
  return grades.back();
}

void CreditPolicy::validate() const {
  if (!(lgd > 0 && lgd <= 1)) throw UsageError("lgd must be in (0, 1], e.g. 0.9");
  if (grades.empty()) throw UsageError("grades must list at least one grade");
  double previous = 0;
  for (const auto& g : grades) {
    if (!(g.max_pd > previous) || g.max_pd > 1) {
      throw UsageError("grades must have strictly increasing max_pd in (0, 1]; grade '" +
                       echo_text(g.name) + "' has max_pd " + std::to_string(g.max_pd));
    }
    previous = g.max_pd;
  }
  if (grades.back().max_pd != 1.0) {
    throw UsageError("the last grade must have max_pd = 1.0 so that every PD gets a grade");
  }
}

DecisionRule::DecisionRule(const std::vector<Grade>& grades, double lgd, double threshold,
                           const Schema& schema)
    : grades_(grades), lgd_(lgd), threshold_(threshold) {
  if (const ColumnSpec* c = schema.exposure()) exposure_ = c->name;
}

Decision DecisionRule::decide(double pd) const {
  Decision d;
  d.grade = &grade_of(grades_, pd);
  d.decline = pd >= threshold_;
  return d;
}

Decision DecisionRule::decide(double pd, const Frame& frame, std::size_t row) const {
  Decision d = decide(pd);
  if (exposure_.empty()) return d;
  // An optional exposure column left blank has no amount, so no expected loss either.
  const double ead = frame.column(exposure_)[row];
  if (std::isfinite(ead)) d.expected_loss = pd * lgd_ * ead;
  return d;
}

}  // namespace loanrisk
