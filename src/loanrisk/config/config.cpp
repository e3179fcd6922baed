#include "loanrisk/config/config.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loanrisk/config/toml_section.hpp"
#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/data/duplicates.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/models/calibrator.hpp"
#include "loanrisk/models/imbalance.hpp"

namespace loanrisk {
namespace {

void read_data(const TomlSection& t, TrainConfig& c) {
  t.check_keys({"columns", "on_duplicate_id"});
  if (t.string("on_duplicate_id", c.on_duplicate_id)) {
    parse_duplicate_policy(c.on_duplicate_id,
                           t.where(*t.get("on_duplicate_id")) + ": 'data.on_duplicate_id'");
  }
  const auto columns = t.section("columns");
  if (!columns) return;
  for (const auto& [key, node] : columns->table()) {
    const std::string name(key.str());
    auto it = std::find_if(c.schema.columns.begin(), c.schema.columns.end(),
                           [&](const ColumnSpec& s) { return s.name == name; });
    if (it == c.schema.columns.end()) {
      std::vector<std::string> known;
      for (const auto& s : c.schema.columns) known.push_back(s.name);
      columns->fail_at(node.source(), "unknown column '" + echo_text(name, 60) +
                                          "' in [data.columns]; known columns: " + join(known));
    }
    const TomlSection col = columns->section_of(node, name);
    col.check_keys({"max", "min"});
    col.number("min", it->min);
    col.number("max", it->max);
    if (it->min > it->max) {
      col.fail_at(node.source(), "column '" + name + "' has min " + format_double(it->min) +
                                     " above max " + format_double(it->max));
    }
  }
}

void read_split(const TomlSection& t, TrainConfig& c) {
  t.check_keys({"calibration", "seed", "test", "train", "validation"});
  if (t.number("calibration", c.split.calibration) &&
      !(c.split.calibration >= 0 && c.split.calibration < 1)) {
    t.fail(*t.get("calibration"), "calibration",
           "is the share of the validation rows held out for the calibrator and the threshold; "
           "it must be >= 0 and < 1 (0.5 by default, 0 to use the early-stopping rows)");
  }
  t.number("train", c.split.train);
  t.number("validation", c.split.validation);
  t.number("test", c.split.test);
  // A whole number: an integer, or a float for seeds past 2^63 (TOML integers stop there); 2^64
  // and above do not convert to the seed's type (undefined behaviour, found by fuzzing).
  if (const toml::node* v = t.get("seed")) {
    constexpr const char* kSeeds = "a whole number from 0 to 18446744073709551615";
    if (v->is_integer()) {
      c.split.seed = static_cast<std::uint64_t>(t.integer_of(*v, "seed", 0, INT64_MAX, kSeeds));
    } else {
      const double seed = t.number_of(*v, "seed");
      if (!(seed >= 0 && seed == std::floor(seed) && seed < 0x1p64)) {
        t.fail(*v, "seed", std::string("must be ") + kSeeds);
      }
      c.split.seed = static_cast<std::uint64_t>(seed);
    }
  }
}

void read_features(const TomlSection& t, TrainConfig& c) {
  t.check_keys({"income_floor", "outliers", "use", "z_threshold"});
  t.strings("use", c.features.features);
  t.number("z_threshold", c.features.z_threshold);
  t.number("income_floor", c.features.income_floor);
  const auto outliers = t.section("outliers");
  if (!outliers) return;
  for (const auto& [key, node] : outliers->table()) {
    const std::string name(key.str());
    const auto& known = raw_feature_names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      outliers->fail_at(node.source(),
                        "unknown column '" + echo_text(name, 60) +
                            "' in [features.outliers]; known columns: " + join(known));
    }
    const TomlSection rule_t = outliers->section_of(node, name);
    rule_t.check_keys({"action", "iqr_factor"});
    OutlierRule rule = c.features.outliers.count(name) ? c.features.outliers[name] : OutlierRule{};
    rule_t.number("iqr_factor", rule.iqr_factor);
    if (std::string action; rule_t.string("action", action)) {
      try {
        rule.action = parse_outlier_action(action);
      } catch (const UsageError& e) {
        rule_t.fail_at(rule_t.get("action")->source(), e.what());
      }
    }
    c.features.outliers[name] = rule;
  }
}

std::optional<int> read_runtime(const TomlSection& top) {
  const auto t = top.section("runtime");
  if (!t) return std::nullopt;
  t->check_keys({"threads"});
  int threads = 0;
  if (!t->integer("threads", threads, 0, kMaxThreads,
                  "an integer from 0 to 256 (0: the CPUs this process may use)")) {
    return std::nullopt;
  }
  return threads;
}

void read_train(const TomlSection& t, TrainConfig& c) {
  t.check_keys({"batch_rows", "cache_dir", "external_memory", "sample_rows"});
  t.boolean("external_memory", c.external.enabled);
  t.integer("batch_rows", c.external.batch_rows, 1'000, 10'000'000,
            "an integer from 1000 to 10000000 (rows per batch), e.g. 65536");
  t.integer("sample_rows", c.external.sample_rows, 1'000, 100'000'000,
            "an integer from 1000 to 100000000 (rows kept of each split), e.g. 200000");
  t.string("cache_dir", c.external.cache_dir);
}

void read_model(const TomlSection& t, TrainConfig& c) {
  t.check_keys(
      {"calibration", "family", "imbalance", "monotone", "params", "threshold", "threshold_rule"});
  t.string("family", c.family);
  t.string("imbalance", c.imbalance);
  t.string("calibration", c.calibration);
  t.string("threshold_rule", c.threshold_rule);
  t.number("threshold", c.threshold);
  if (const auto monotone = t.section("monotone")) {
    for (const auto& [key, node] : monotone->table()) {
      const std::string name(key.str());
      c.monotone[name] = static_cast<int>(monotone->integer_of(
          node, name, -1, 1, "-1 (the PD falls as it rises), 0 (free) or 1 (the PD rises)"));
      c.given_monotone.push_back(name);
    }
  }
  if (const auto params = t.section("params")) {
    for (const auto& [key, node] : params->table()) {
      const std::string name(key.str());
      c.params[name] = params->number_of(node, name);
      c.given_params[name] = c.params[name];
    }
  }
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
          {"train",
           {{"external_memory", external.enabled},
            {"batch_rows", external.batch_rows},
            {"sample_rows", external.sample_rows},
            {"cache_dir", external.cache_dir}}},
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
            {"target_rate", target_rate ? nlohmann::json(*target_rate) : nlohmann::json()},
            {"threshold_rule", threshold_rule},
            {"monotone", monotone_enabled ? nlohmann::json(monotone) : nlohmann::json("off")}}}};
}

TrainConfig parse_config(std::string_view text, const std::string& source_name) {
  const toml::table root = parse_toml(text, source_name);
  const TomlSection top = TomlSection::document(source_name, root);
  TrainConfig c;
  c.source = source_name;
  // [serve], [tuning] and [monitor] belong to the layers that read them (each validates
  // its own keys); this parser owns the training sections.
  top.check_keys({"calibration", "data", "features", "model", "monitor", "pipeline", "runtime",
                  "serve", "split", "store", "train", "tuning", "validation"});
  c.threads = read_runtime(top);
  if (const auto t = top.section("calibration")) {
    t->check_keys({"target_rate"});
    double rate = 0;
    if (t->number("target_rate", rate, {0, 1, true, true}, "e.g. 0.035 for 3.5%")) {
      c.target_rate = rate;
    }
  }
  if (const auto t = top.section("data")) read_data(*t, c);
  if (const auto t = top.section("split")) read_split(*t, c);
  if (const auto t = top.section("features")) read_features(*t, c);
  if (const auto t = top.section("model")) read_model(*t, c);
  if (const auto t = top.section("train")) read_train(*t, c);
  if (const auto t = top.section("store")) {
    t->check_keys({"uri"});
    if (std::string uri; t->string("uri", uri)) c.store_uri = uri;
  }
  try {
    validate(c);
  } catch (const UsageError& e) {
    throw UsageError(source_name + ": " + e.what());
  }
  return c;
}

std::optional<int> load_runtime_threads(const std::filesystem::path& path) {
  const std::string source = path.string();
  const toml::table root = parse_toml(read_toml_file(path), source);
  return read_runtime(TomlSection::document(source, root));
}

TrainConfig load_config(const std::filesystem::path& path) {
  return parse_config(read_toml_file(path), path.string());
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
  for (const std::string& name : c.given_monotone) {
    const auto& used = c.features.features;
    if (std::find(used.begin(), used.end(), name) == used.end()) {
      throw UsageError("[model.monotone] " + name + " is not a model input; the inputs are: " +
                       join(used) + " (add it to [features] use, or remove the constraint)");
    }
  }
}

std::map<std::string, int> default_monotone_constraints() {
  return {{"credit_lines_outstanding", 1}, {"loan_amt_outstanding", 1},
          {"total_debt_outstanding", 1},   {"income", -1},
          {"years_employed", -1},          {"fico_score", -1},
          {"debt_to_income_ratio", 1},     {"credit_to_income_ratio", 1},
          {"fico_score_diff", -1},         {"normalized_fico_score", -1}};
}

std::map<std::string, int> monotone_constraints(const TrainConfig& c) {
  std::map<std::string, int> out;
  if (!c.monotone_enabled) return out;
  for (const std::string& name : c.features.features) {
    const auto it = c.monotone.find(name);
    if (it != c.monotone.end() && it->second != 0) out[name] = it->second;
  }
  return out;
}

}  // namespace loanrisk
