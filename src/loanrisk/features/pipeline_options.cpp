// Feature names, default options and their validation: the parts of the pipeline a config file
// controls, checked before any data is touched.
#include <algorithm>
#include <cmath>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/features/pipeline.hpp"

namespace loanrisk {
namespace {

std::vector<std::string> all_feature_names() {
  std::vector<std::string> all = raw_feature_names();
  const auto& derived = derived_feature_names();
  all.insert(all.end(), derived.begin(), derived.end());
  return all;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool positive(double v) {
  return std::isfinite(v) && v > 0.0;
}

}  // namespace

const std::vector<std::string>& raw_feature_names() {
  static const std::vector<std::string> names{"credit_lines_outstanding", "loan_amt_outstanding",
                                              "total_debt_outstanding",   "income",
                                              "years_employed",           "fico_score"};
  return names;
}

const std::vector<std::string>& derived_feature_names() {
  static const std::vector<std::string> names{"debt_to_income_ratio", "credit_to_income_ratio",
                                              "fico_score_diff", "normalized_fico_score"};
  return names;
}

PipelineOptions PipelineOptions::defaults() {
  PipelineOptions o;
  o.features = all_feature_names();
  o.outliers = {{"loan_amt_outstanding", {2.80, OutlierAction::Cap}},
                {"total_debt_outstanding", {3.90, OutlierAction::Cap}},
                {"income", {1.90, OutlierAction::Cap}},
                {"fico_score", {2.00, OutlierAction::Cap}}};
  o.z_threshold = 3.0;
  o.income_floor = 1.0;
  return o;
}

void PipelineOptions::validate() const {
  const std::vector<std::string> valid = all_feature_names();
  if (features.empty()) {
    throw UsageError("features: the list is empty; choose from: " + join(valid));
  }
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (!contains(valid, features[i])) {
      throw UsageError("unknown feature '" + features[i] + "'; valid features: " + join(valid));
    }
    if (std::find(features.begin(), features.begin() + static_cast<std::ptrdiff_t>(i),
                  features[i]) != features.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw UsageError("feature '" + features[i] + "' is listed twice");
    }
  }
  for (const auto& [column, rule] : outliers) {
    if (!contains(raw_feature_names(), column)) {
      throw UsageError("outlier rule for unknown column '" + column +
                       "'; valid columns: " + join(raw_feature_names()));
    }
    if (!positive(rule.iqr_factor)) {
      throw UsageError("outlier rule for '" + column + "': iqr_factor must be > 0, got " +
                       format_double(rule.iqr_factor));
    }
  }
  if (!positive(z_threshold)) {
    throw UsageError("z_threshold must be > 0, got " + format_double(z_threshold));
  }
  if (!positive(income_floor)) {
    throw UsageError("income_floor must be > 0, got " + format_double(income_floor));
  }
}

std::vector<std::string> PipelineOptions::input_columns() const {
  std::vector<std::string> needed;
  for (const auto& f : features) {
    if (contains(raw_feature_names(), f)) {
      needed.push_back(f);
    } else if (f == "debt_to_income_ratio") {
      needed.insert(needed.end(), {"total_debt_outstanding", "income"});
    } else if (f == "credit_to_income_ratio") {
      needed.insert(needed.end(), {"loan_amt_outstanding", "income"});
    } else if (f == "fico_score_diff" || f == "normalized_fico_score") {
      needed.push_back("fico_score");
    }
  }
  std::vector<std::string> ordered;
  for (const auto& raw : raw_feature_names()) {
    if (contains(needed, raw)) ordered.push_back(raw);
  }
  return ordered;
}

namespace {
constexpr auto kActions = enum_names<OutlierAction>(
    "OutlierAction",
    {{OutlierAction::None, "none"}, {OutlierAction::Cap, "cap"}, {OutlierAction::Drop, "drop"}});
}  // namespace

OutlierAction parse_outlier_action(const std::string& name) {
  if (const auto action = kActions.parse(name)) return *action;
  throw UsageError("unknown outlier action '" + name +
                   "'; valid actions: " + join(kActions.names()));
}

std::string to_string(OutlierAction action) {
  return std::string(kActions.name(action));
}

}  // namespace loanrisk
