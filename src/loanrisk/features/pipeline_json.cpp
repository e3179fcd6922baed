// The fitted pipeline as JSON (pipeline.json in the bundle). Doubles are written with nlohmann's
// shortest round-trip form, so a reloaded pipeline transforms bit for bit as the fitted one.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/features/pipeline.hpp"

namespace loanrisk {
namespace {

constexpr int kFormatVersion = 1;

using nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
  throw InputError("pipeline JSON: " + what);
}

const json& field(const json& obj, const std::string& key, const std::string& path) {
  const auto it = obj.find(key);
  if (it == obj.end()) bad("missing field '" + path + key + "'");
  return *it;
}

double number(const json& obj, const std::string& key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    bad("field '" + path + key + "' must be a finite number, got " + v.dump());
  }
  return v.get<double>();
}

const json& object(const json& obj, const std::string& key, const std::string& path) {
  const json& v = field(obj, key, path);
  if (!v.is_object()) bad("field '" + path + key + "' must be an object, got " + v.dump());
  return v;
}

void reject_unknown_keys(const json& obj, const std::vector<std::string>& known,
                         const std::string& path) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      bad("unknown field '" + path + key + "'");
    }
  }
}

PipelineOptions options_from_json(const json& j) {
  PipelineOptions o;
  const json& features = field(j, "features", "");
  if (!features.is_array()) bad("field 'features' must be an array, got " + features.dump());
  for (const json& f : features) {
    if (!f.is_string()) bad("field 'features' must hold strings, got " + f.dump());
    o.features.push_back(f.get<std::string>());
  }
  for (const auto& [column, rule] : object(j, "outliers", "").items()) {
    const std::string path = "outliers." + column + ".";
    if (!rule.is_object()) bad("field 'outliers." + column + "' must be an object");
    reject_unknown_keys(rule, {"iqr_factor", "action"}, path);
    const json& action = field(rule, "action", path);
    if (!action.is_string()) bad("field '" + path + "action' must be a string");
    try {
      o.outliers[column] = {number(rule, "iqr_factor", path),
                            parse_outlier_action(action.get<std::string>())};
    } catch (const UsageError& e) {
      bad("field '" + path + "action': " + e.what());
    }
  }
  o.z_threshold = number(j, "z_threshold", "");
  o.income_floor = number(j, "income_floor", "");
  try {
    o.validate();
  } catch (const UsageError& e) {
    bad(e.what());
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
  if (!j.is_object()) bad("expected an object, got " + j.dump());
  const json& version = field(j, "format_version", "");
  if (!version.is_number_integer() || version.get<long long>() != kFormatVersion) {
    bad("field 'format_version' is " + version.dump() + "; this build reads version " +
        std::to_string(kFormatVersion));
  }
  reject_unknown_keys(j,
                      {"format_version", "features", "outliers", "z_threshold", "income_floor",
                       "fits", "fico_min", "fico_max"},
                      "");
  FeaturePipeline p;
  p.options_ = options_from_json(j);
  for (const auto& [column, f] : object(j, "fits", "").items()) {
    const std::string path = "fits." + column + ".";
    const auto& raw = raw_feature_names();
    if (std::find(raw.begin(), raw.end(), column) == raw.end()) {
      bad("field 'fits." + column + "' is not a raw column");
    }
    if (!f.is_object()) bad("field 'fits." + column + "' must be an object");
    reject_unknown_keys(f, {"q1", "q3", "mean", "std", "lower", "upper"}, path);
    ColumnFit fit;
    fit.q1 = number(f, "q1", path);
    fit.q3 = number(f, "q3", path);
    fit.mean = number(f, "mean", path);
    fit.std = number(f, "std", path);
    fit.lower = number(f, "lower", path);
    fit.upper = number(f, "upper", path);
    if (fit.lower > fit.upper) bad("field '" + path + "lower' is above '" + path + "upper'");
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
    if (p.fits_.count(column) == 0) bad("missing field 'fits." + column + "'");
  }
  p.fico_min_ = number(j, "fico_min", "");
  p.fico_max_ = number(j, "fico_max", "");
  if (p.fico_min_ > p.fico_max_) bad("field 'fico_min' is above 'fico_max'");
  p.make_plan();
  return p;
}

}  // namespace loanrisk
