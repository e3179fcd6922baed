#include "loanrisk/config/config.hpp"

#include <toml++/toml.h>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/duplicates.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/models/calibrator.hpp"
#include "loanrisk/models/imbalance.hpp"

namespace loanrisk {
namespace {

// Where a TOML node sits, for messages: "loanrisk.toml:12:3".
std::string where(const std::string& source, const toml::node& node) {
  const auto& s = node.source();
  return source + ":" + std::to_string(s.begin.line) + ":" + std::to_string(s.begin.column);
}

// Rejects keys of `table` that are not in `known`, naming the known ones.
void check_keys(const std::string& source, const toml::table& table, const std::string& section,
                const std::vector<std::string>& known) {
  for (const auto& [key, node] : table) {
    (void)node;
    const std::string k(key.str());
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      const auto& at = key.source().begin;
      throw UsageError(source + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                       ": unknown key '" + k + "' in " + section + "; known keys: " + join(known));
    }
  }
}

const toml::table& as_table(const std::string& source, const toml::node& node,
                            const std::string& name) {
  const auto* t = node.as_table();
  if (!t)
    throw UsageError(where(source, node) + ": '" + name + "' must be a table ([" + name + "])");
  return *t;
}

double as_number(const std::string& source, const toml::node& node, const std::string& name) {
  if (auto v = node.value<double>()) {
    if (!std::isfinite(*v))
      throw UsageError(where(source, node) + ": '" + name + "' must be finite");
    return *v;
  }
  throw UsageError(where(source, node) + ": '" + name + "' must be a number");
}

std::string as_string(const std::string& source, const toml::node& node, const std::string& name) {
  if (auto v = node.value<std::string>()) return *v;
  throw UsageError(where(source, node) + ": '" + name + "' must be a string");
}

void read_data(const std::string& src, const toml::table& t, TrainConfig& c) {
  check_keys(src, t, "[data]", {"columns", "on_duplicate_id"});
  if (const auto* v = t.get("on_duplicate_id")) {
    c.on_duplicate_id = as_string(src, *v, "data.on_duplicate_id");
    parse_duplicate_policy(c.on_duplicate_id, where(src, *v) + ": 'data.on_duplicate_id'");
  }
  if (const auto* cols = t.get("columns")) {
    for (const auto& [key, node] : as_table(src, *cols, "data.columns")) {
      const std::string name(key.str());
      auto it = std::find_if(c.schema.columns.begin(), c.schema.columns.end(),
                             [&](const ColumnSpec& s) { return s.name == name; });
      if (it == c.schema.columns.end()) {
        throw UsageError(where(src, node) + ": unknown column '" + name +
                         "' in [data.columns]; known columns: " + join([&] {
                           std::vector<std::string> n;
                           for (const auto& s : c.schema.columns) n.push_back(s.name);
                           return n;
                         }()));
      }
      const auto& col = as_table(src, node, "data.columns." + name);
      check_keys(src, col, "[data.columns." + name + "]", {"max", "min"});
      if (const auto* v = col.get("min")) it->min = as_number(src, *v, "min");
      if (const auto* v = col.get("max")) it->max = as_number(src, *v, "max");
      if (it->min > it->max) {
        throw UsageError(where(src, node) + ": column '" + name + "' has min " +
                         std::to_string(it->min) + " above max " + std::to_string(it->max));
      }
    }
  }
}

void read_split(const std::string& src, const toml::table& t, TrainConfig& c) {
  check_keys(src, t, "[split]", {"calibration", "seed", "test", "train", "validation"});
  if (const auto* v = t.get("calibration")) {
    c.split.calibration = as_number(src, *v, "split.calibration");
    if (!(c.split.calibration >= 0 && c.split.calibration < 1)) {
      throw UsageError(where(src, *v) +
                       ": 'split.calibration' is the share of the validation rows held out for "
                       "the calibrator and the threshold; it must be >= 0 and < 1 (0.5 by "
                       "default, 0 to use the early-stopping rows)");
    }
  }
  if (const auto* v = t.get("train")) c.split.train = as_number(src, *v, "split.train");
  if (const auto* v = t.get("validation"))
    c.split.validation = as_number(src, *v, "split.validation");
  if (const auto* v = t.get("test")) c.split.test = as_number(src, *v, "split.test");
  if (const auto* v = t.get("seed")) {
    const double s = as_number(src, *v, "split.seed");
    // 2^64 and above do not convert to the seed's type (undefined behaviour, found by fuzzing).
    if (!(s >= 0 && s == std::floor(s) && s < 0x1p64)) {
      throw UsageError(where(src, *v) +
                       ": 'split.seed' must be a whole number from 0 to 18446744073709551615");
    }
    c.split.seed = static_cast<std::uint64_t>(s);
  }
}

void read_features(const std::string& src, const toml::table& t, TrainConfig& c) {
  check_keys(src, t, "[features]", {"income_floor", "outliers", "use", "z_threshold"});
  if (const auto* v = t.get("use")) {
    const auto* arr = v->as_array();
    if (!arr) throw UsageError(where(src, *v) + ": 'features.use' must be an array of names");
    c.features.features.clear();
    for (const auto& item : *arr)
      c.features.features.push_back(as_string(src, item, "features.use"));
  }
  if (const auto* v = t.get("z_threshold"))
    c.features.z_threshold = as_number(src, *v, "z_threshold");
  if (const auto* v = t.get("income_floor")) {
    c.features.income_floor = as_number(src, *v, "income_floor");
  }
  if (const auto* o = t.get("outliers")) {
    for (const auto& [key, node] : as_table(src, *o, "features.outliers")) {
      const std::string name(key.str());
      const auto& known = raw_feature_names();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        throw UsageError(where(src, node) + ": unknown column '" + name +
                         "' in [features.outliers]; known columns: " + join(known));
      }
      const auto& rule_t = as_table(src, node, "features.outliers." + name);
      check_keys(src, rule_t, "[features.outliers." + name + "]", {"action", "iqr_factor"});
      OutlierRule rule =
          c.features.outliers.count(name) ? c.features.outliers[name] : OutlierRule{};
      if (const auto* v = rule_t.get("iqr_factor"))
        rule.iqr_factor = as_number(src, *v, "iqr_factor");
      if (const auto* v = rule_t.get("action")) {
        try {
          rule.action = parse_outlier_action(as_string(src, *v, "action"));
        } catch (const UsageError& e) {
          throw UsageError(where(src, *v) + ": " + e.what());
        }
      }
      c.features.outliers[name] = rule;
    }
  }
}

void read_model(const std::string& src, const toml::table& t, TrainConfig& c) {
  check_keys(src, t, "[model]",
             {"calibration", "family", "imbalance", "params", "threshold", "threshold_rule"});
  if (const auto* v = t.get("family")) c.family = as_string(src, *v, "model.family");
  if (const auto* v = t.get("imbalance")) c.imbalance = as_string(src, *v, "model.imbalance");
  if (const auto* v = t.get("calibration")) {
    c.calibration = as_string(src, *v, "model.calibration");
  }
  if (const auto* v = t.get("threshold_rule")) {
    c.threshold_rule = as_string(src, *v, "model.threshold_rule");
  }
  if (const auto* v = t.get("threshold")) c.threshold = as_number(src, *v, "model.threshold");
  if (const auto* p = t.get("params")) {
    for (const auto& [key, node] : as_table(src, *p, "model.params")) {
      c.params[std::string(key.str())] =
          as_number(src, node, "model.params." + std::string(key.str()));
      c.given_params[std::string(key.str())] = c.params[std::string(key.str())];
    }
  }
}

void read_store(const std::string& src, const toml::table& t, TrainConfig& c) {
  check_keys(src, t, "[store]", {"uri"});
  if (const auto* v = t.get("uri")) c.store_uri = as_string(src, *v, "store.uri");
}

}  // namespace

nlohmann::json TrainConfig::to_json() const {
  nlohmann::json outliers = nlohmann::json::object();
  for (const auto& [name, rule] : features.outliers) {
    outliers[name] = {{"iqr_factor", rule.iqr_factor}, {"action", to_string(rule.action)}};
  }
  return {{"source", source.string()},
          {"schema", schema.to_json()},
          {"data", {{"on_duplicate_id", on_duplicate_id}}},
          {"split",
           {{"train", split.train},
            {"validation", split.validation},
            {"test", split.test},
            {"seed", split.seed},
            {"calibration", split.calibration}}},
          {"features",
           {{"use", features.features},
            {"outliers", outliers},
            {"z_threshold", features.z_threshold},
            {"income_floor", features.income_floor}}},
          {"model",
           {{"family", family},
            {"params", params},
            {"threshold", threshold},
            {"imbalance", imbalance},
            {"calibration", calibration},
            {"threshold_rule", threshold_rule}}}};
}

TrainConfig parse_config(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw UsageError(source_name + ":" + std::to_string(s.begin.line) + ":" +
                     std::to_string(s.begin.column) +
                     ": invalid TOML: " + std::string(e.description()));
  }
  TrainConfig c;
  c.source = source_name;
  // [serve], [tuning] and [monitor] belong to the layers that read them (each validates
  // its own keys); this parser owns the training sections.
  check_keys(source_name, root, "the top level",
             {"data", "features", "model", "monitor", "serve", "split", "store", "tuning"});
  if (const auto* t = root.get("data"))
    read_data(source_name, as_table(source_name, *t, "data"), c);
  if (const auto* t = root.get("split"))
    read_split(source_name, as_table(source_name, *t, "split"), c);
  if (const auto* t = root.get("features")) {
    read_features(source_name, as_table(source_name, *t, "features"), c);
  }
  if (const auto* t = root.get("model"))
    read_model(source_name, as_table(source_name, *t, "model"), c);
  if (const auto* t = root.get("store")) {
    read_store(source_name, as_table(source_name, *t, "store"), c);
  }
  try {
    validate(c);
  } catch (const UsageError& e) {
    throw UsageError(source_name + ": " + e.what());
  }
  return c;
}

TrainConfig load_config(const std::filesystem::path& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const InputError& e) {
    throw UsageError(std::string("config: ") + e.what());
  }
  return parse_config(text, path.string());
}

void validate(TrainConfig& c) {
  const double sum = c.split.train + c.split.validation + c.split.test;
  if (c.split.train <= 0 || c.split.validation < 0 || c.split.test < 0 ||
      std::abs(sum - 1) > 1e-9) {
    std::ostringstream os;
    os << "split fractions must be >= 0 (train > 0) and sum to 1; got train " << c.split.train
       << ", validation " << c.split.validation << ", test " << c.split.test;
    throw UsageError(os.str());
  }
  if (!(c.split.calibration >= 0 && c.split.calibration < 1)) {
    throw UsageError(
        "split.calibration must be >= 0 and < 1 (the share of the validation rows "
        "held out for the calibrator and the threshold), got " +
        std::to_string(c.split.calibration));
  }
  if (!(c.threshold > 0 && c.threshold < 1)) {
    throw UsageError("model.threshold must be strictly between 0 and 1, got " +
                     std::to_string(c.threshold));
  }
  parse_duplicate_policy(c.on_duplicate_id, "[data] on_duplicate_id (--on-duplicate-id)");
  c.params = resolve_params(c.family, c.params);
  try {
    check_imbalance(c.imbalance);
    Calibrator::check_method(c.calibration);
    if (c.threshold_rule != "config") ThresholdRule::parse(c.threshold_rule);
  } catch (const UsageError& e) {
    throw UsageError(std::string("[model]: ") + e.what());
  }
  try {
    c.features.validate();
  } catch (const UsageError& e) {
    throw UsageError(std::string("[features]: ") + e.what());
  }
}

}  // namespace loanrisk
