// The fitted pipeline as JSON (pipeline.json in the bundle). Doubles are written with nlohmann's
// shortest round-trip form, so a reloaded pipeline transforms bit for bit as the fitted one.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/json_fields.hpp"
#include "loanrisk/features/pipeline.hpp"

namespace loanrisk {
namespace {

constexpr int kFormatVersion = 1;

using nlohmann::json;

const JsonFields kFields("pipeline JSON");

PipelineOptions options_from_json(const json& j) {
  PipelineOptions o;
  const json& features = kFields.array(j, "features", "");
  for (const json& f : features) {
    if (!f.is_string()) kFields.fail("field 'features' must hold strings, got " + f.dump());
    o.features.push_back(f.get<std::string>());
  }
  for (const auto& [column, rule] : kFields.object(j, "outliers", "").items()) {
    const std::string path = "outliers." + column + ".";
    if (!rule.is_object()) kFields.fail("field 'outliers." + column + "' must be an object");
    kFields.reject_unknown(rule, {"iqr_factor", "action"}, path);
    const json& action = kFields.field(rule, "action", path);
    if (!action.is_string()) kFields.fail("field '" + path + "action' must be a string");
    try {
      o.outliers[column] = {kFields.finite(rule, "iqr_factor", path),
                            parse_outlier_action(action.get<std::string>())};
    } catch (const UsageError& e) {
      kFields.fail("field '" + path + "action': " + e.what());
    }
  }
  o.z_threshold = kFields.finite(j, "z_threshold", "");
  o.income_floor = kFields.finite(j, "income_floor", "");
  try {
    o.validate();
  } catch (const UsageError& e) {
    kFields.fail(e.what());
  }
  return o;
}

}  // namespace

nlohmann::json FeaturePipeline::to_json() const {
  json outliers = json::object();
  for (const auto& [column, rule] : options_.outliers) {
    outliers[column] = {{"iqr_factor", rule.iqr_factor}, {"action", to_string(rule.action)}};
  }
  json fits = json::object();
  for (const auto& [column, f] : fits_) {
    fits[column] = {{"q1", f.q1},   {"q3", f.q3},       {"mean", f.mean},
                    {"std", f.std}, {"lower", f.lower}, {"upper", f.upper}};
  }
  return json{{"format_version", kFormatVersion},
              {"features", options_.features},
              {"outliers", outliers},
              {"z_threshold", options_.z_threshold},
              {"income_floor", options_.income_floor},
              {"fits", fits},
              {"fico_min", fico_min_},
              {"fico_max", fico_max_}};
}

FeaturePipeline FeaturePipeline::from_json(const nlohmann::json& j) {
  if (!j.is_object()) kFields.fail("expected an object, got " + j.dump());
  const json& version = kFields.field(j, "format_version", "");
  if (!version.is_number_integer() || version.get<long long>() != kFormatVersion) {
    kFields.fail("field 'format_version' is " + version.dump() + "; this build reads version " +
                 std::to_string(kFormatVersion));
  }
  kFields.reject_unknown(j,
                         {"format_version", "features", "outliers", "z_threshold", "income_floor",
                          "fits", "fico_min", "fico_max"},
                         "");
  FeaturePipeline p;
  p.options_ = options_from_json(j);
  for (const auto& [column, f] : kFields.object(j, "fits", "").items()) {
    const std::string path = "fits." + column + ".";
    const auto& raw = raw_feature_names();
    if (std::find(raw.begin(), raw.end(), column) == raw.end()) {
      kFields.fail("field 'fits." + column + "' is not a raw column");
    }
    if (!f.is_object()) kFields.fail("field 'fits." + column + "' must be an object");
    kFields.reject_unknown(f, {"q1", "q3", "mean", "std", "lower", "upper"}, path);
    ColumnFit fit;
    fit.q1 = kFields.finite(f, "q1", path);
    fit.q3 = kFields.finite(f, "q3", path);
    fit.mean = kFields.finite(f, "mean", path);
    fit.std = kFields.finite(f, "std", path);
    fit.lower = kFields.finite(f, "lower", path);
    fit.upper = kFields.finite(f, "upper", path);
    if (fit.lower > fit.upper)
      kFields.fail("field '" + path + "lower' is above '" + path + "upper'");
    const auto rule = p.options_.outliers.find(column);
    if (rule != p.options_.outliers.end()) fit.rule = rule->second;
    p.fits_[column] = fit;
  }
  // Every column transform() reads or rows_to_keep() filters must have been fitted.
  std::vector<std::string> needed = p.options_.input_columns();
  for (const auto& [column, rule] : p.options_.outliers) {
    if (rule.action != OutlierAction::None) needed.push_back(column);
  }
  for (const auto& column : needed) {
    if (p.fits_.count(column) == 0) kFields.fail("missing field 'fits." + column + "'");
  }
  p.fico_min_ = kFields.finite(j, "fico_min", "");
  p.fico_max_ = kFields.finite(j, "fico_max", "");
  if (p.fico_min_ > p.fico_max_) kFields.fail("field 'fico_min' is above 'fico_max'");
  p.make_plan();
  return p;
}

}  // namespace loanrisk
