#include "loanrisk/tuning/search_space.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

using Kind = ParamDistribution::Kind;

ParamDistribution int_param(const std::string& name, double low, double high) {
  return {name, Kind::Int, low, high, false, 1, {}};
}

ParamDistribution float_param(const std::string& name, double low, double high, bool log = false) {
  return {name, Kind::Float, low, high, log, 0, {}};
}

constexpr auto kKinds = enum_names<Kind>(
    "distribution kind",
    {{Kind::Int, "int"}, {Kind::Float, "float"}, {Kind::Categorical, "categorical"}});

}  // namespace

double ParamDistribution::snap(double value) const {
  if (kind == Kind::Categorical) {
    double best = choices.at(0);
    for (double c : choices) {
      if (std::abs(c - value) < std::abs(best - value)) best = c;
    }
    return best;
  }
  double v = value;
  if (step > 0) {
    const double k = std::round((v - low) / step);
    v = low + k * step;
    const double top = low + std::floor((high - low) / step + 1e-9) * step;
    v = std::clamp(v, low, top);
  }
  return std::clamp(v, low, high);
}

bool ParamDistribution::contains(double value) const {
  if (kind == Kind::Categorical) {
    return std::find(choices.begin(), choices.end(), value) != choices.end();
  }
  return value >= low && value <= high && snap(value) == value;
}

nlohmann::json SearchSpace::to_json() const {
  nlohmann::json params_json = nlohmann::json::array();
  for (const auto& p : params) {
    nlohmann::json j = {{"name", p.name}, {"type", kKinds.name(p.kind)}};
    if (p.kind == Kind::Categorical) {
      j["choices"] = p.choices;
    } else {
      j["low"] = p.low;
      j["high"] = p.high;
      j["log"] = p.log;
      j["step"] = p.step;
    }
    params_json.push_back(j);
  }
  return {{"family", family}, {"params", params_json}};
}

SearchSpace SearchSpace::from_json(const nlohmann::json& j) {
  try {
    SearchSpace s;
    s.family = j.at("family").get<std::string>();
    for (const auto& p : j.at("params")) {
      ParamDistribution d;
      d.name = p.at("name").get<std::string>();
      d.kind = kKinds.parse(p.at("type").get<std::string>()).value_or(Kind::Float);
      if (d.kind == Kind::Categorical) {
        d.choices = p.at("choices").get<std::vector<double>>();
      } else {
        d.low = p.at("low").get<double>();
        d.high = p.at("high").get<double>();
        d.log = p.at("log").get<bool>();
        d.step = p.at("step").get<double>();
      }
      s.params.push_back(std::move(d));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("malformed search space JSON: ") + e.what());
  }
}

const std::vector<std::string>& tunable_families() {
  static const std::vector<std::string> all = {"logistic_regression", "random_forest", "xgboost",
                                               "lightgbm", "scorecard"};
  return all;
}

SearchSpace default_search_space(const std::string& family) {
  SearchSpace s;
  s.family = family;
  if (family == "random_forest") {
    s.params = {int_param("n_estimators", 50, 200), int_param("max_depth", 2, 20),
                int_param("min_samples_split", 2, 10)};
  } else if (family == "logistic_regression") {
    s.params = {float_param("C", 1e-3, 1e2, true), int_param("max_iter", 100, 1000)};
  } else if (family == "xgboost") {
    s.params = {int_param("n_estimators", 50, 200),      int_param("max_depth", 3, 15),
                float_param("learning_rate", 0.01, 0.3), float_param("gamma", 0, 1),
                float_param("subsample", 0.5, 1),        float_param("colsample_bytree", 0.5, 1)};
  } else if (family == "lightgbm") {
    s.params = {int_param("n_estimators", 50, 200), float_param("learning_rate", 0.01, 0.3),
                int_param("num_leaves", 20, 100), int_param("max_depth", -1, 50)};
  } else if (family == "scorecard") {
    s.params = {int_param("max_bins", 3, 10), float_param("min_bin_share", 0.02, 0.2),
                float_param("C", 1e-3, 1e2, true)};
  } else {
    std::string names;
    for (const auto& f : tunable_families()) names += (names.empty() ? "" : ", ") + f;
    throw UsageError("no default search space for model family '" + family +
                     "'; families with one: " + names +
                     " (or declare one in loanrisk.toml under [tuning.space." + family + "])");
  }
  return s;
}

void validate_search_space(const SearchSpace& space) {
  const auto& specs = param_specs(space.family);
  if (space.params.empty()) {
    throw UsageError("the search space of '" + space.family + "' has no parameter to tune");
  }
  for (const auto& p : space.params) {
    const std::string where = "tuning.space." + space.family + "." + p.name;
    const auto spec = std::find_if(specs.begin(), specs.end(),
                                   [&](const ParamSpec& s) { return s.name == p.name; });
    if (spec == specs.end()) {
      std::string names;
      for (const auto& s : specs) names += (names.empty() ? "" : ", ") + s.name;
      throw UsageError(where + ": '" + space.family + "' has no parameter '" + p.name +
                       "'; its parameters: " + names);
    }
    std::vector<double> ends = p.choices;
    if (p.kind == Kind::Categorical) {
      if (p.choices.empty()) throw UsageError(where + ": categorical needs at least one choice");
    } else {
      if (!(p.low <= p.high)) {
        throw UsageError(where + ": low " + format_double(p.low) + " is above high " +
                         format_double(p.high));
      }
      if (p.log && p.low <= 0) {
        throw UsageError(where + ": a log-scaled range needs low > 0 (got " + format_double(p.low) +
                         ")");
      }
      if (p.step < 0 || (p.log && p.step > 0 && p.kind == Kind::Float)) {
        throw UsageError(where + ": step must be >= 0 and cannot be combined with log for floats");
      }
      ends = {p.low, p.high};
    }
    for (double v : ends) {
      if (v < spec->min || v > spec->max) {
        throw UsageError(where + ": " + format_double(v) + " is outside the declared range [" +
                         format_double(spec->min) + ", " + format_double(spec->max) +
                         "] of that parameter");
      }
      if (spec->type == ParamSpec::Type::Int && v != std::floor(v)) {
        throw UsageError(where + ": " + format_double(v) + " is not an integer, and '" + p.name +
                         "' is an integer parameter");
      }
    }
    if (spec->type == ParamSpec::Type::Int && p.kind == Kind::Float) {
      throw UsageError(where + ": '" + p.name + "' is an integer parameter: use type = \"int\"");
    }
  }
}

}  // namespace loanrisk
