#include "loanrisk/tracking/mlflow_json.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

nlohmann::json key_values(const std::map<std::string, std::string>& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [k, v] : m) out.push_back({{"key", k}, {"value", v}});
  return out;
}

[[noreturn]] void bad(const std::string& field, const std::string& why) {
  throw UsageError("invalid value for parameter '" + field + "': " + why);
}

}  // namespace

std::string file_uri(const std::filesystem::path& path) {
  const std::string s = std::filesystem::absolute(path).lexically_normal().generic_string();
  std::string out = "file://";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

nlohmann::json mlflow_experiment_json(const Experiment& e, const std::filesystem::path& root) {
  return {{"experiment_id", std::to_string(e.id)},
          {"name", e.name},
          {"artifact_location", file_uri(root / std::to_string(e.id))},
          {"lifecycle_stage", "active"},
          {"creation_time", e.created_ms},
          {"last_update_time", e.created_ms},
          {"tags", nlohmann::json::array()}};
}

nlohmann::json mlflow_run_info_json(const Run& run, const std::string& artifact_uri, bool deleted) {
  nlohmann::json info = {{"run_id", run.id},
                         {"run_uuid", run.id},
                         {"run_name", run.name},
                         {"experiment_id", std::to_string(run.experiment_id)},
                         {"user_id", run.user},
                         {"status", to_string(run.status)},
                         {"start_time", run.start_ms},
                         {"artifact_uri", artifact_uri},
                         {"lifecycle_stage", deleted ? "deleted" : "active"}};
  if (run.end_ms) info["end_time"] = *run.end_ms;
  return info;
}

nlohmann::json mlflow_double_json(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

nlohmann::json mlflow_metric_json(const MetricPoint& p) {
  return {{"key", p.key},
          {"value", mlflow_double_json(p.value)},
          {"timestamp", p.timestamp_ms},
          {"step", p.step}};
}

nlohmann::json mlflow_run_json(const RunRecord& record, const std::vector<MetricPoint>& latest,
                               const std::string& artifact_uri, bool deleted) {
  nlohmann::json metrics = nlohmann::json::array();
  for (const MetricPoint& p : latest) metrics.push_back(mlflow_metric_json(p));
  std::map<std::string, std::string> tags = record.tags;
  tags["mlflow.runName"] = record.run.name;
  return {
      {"info", mlflow_run_info_json(record.run, artifact_uri, deleted)},
      {"data",
       {{"metrics", metrics}, {"params", key_values(record.params)}, {"tags", key_values(tags)}}},
      {"inputs", nlohmann::json::object()}};
}

std::optional<std::string> mlflow_string(const nlohmann::json& request, const std::string& field) {
  const auto it = request.find(field);
  if (it == request.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad(field, "expected a string, got " + std::string(it->type_name()));
  const std::string s = it->get<std::string>();
  if (!is_valid_utf8(s)) bad(field, "the text is not valid UTF-8");
  return s;
}

std::string mlflow_required_string(const nlohmann::json& request, const std::string& field) {
  const auto s = mlflow_string(request, field);
  if (!s || s->empty()) {
    throw UsageError("missing value for required parameter '" + field + "'");
  }
  return *s;
}

std::optional<std::int64_t> mlflow_int64(const nlohmann::json& request, const std::string& field) {
  const auto it = request.find(field);
  if (it == request.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      bad(field, "out of the int64 range");
    }
    return static_cast<std::int64_t>(u);
  }
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    const std::size_t digits = s.starts_with('-') ? 1 : 0;
    if (s.size() > digits && s.size() <= 20 &&
        s.find_first_not_of("0123456789", digits) == std::string::npos) {
      try {
        return std::stoll(s);
      } catch (const std::exception&) {
      }
    }
    bad(field, "expected an integer, got '" + echo_text(s, 40) + "'");
  }
  bad(field, "expected an integer, got " + std::string(it->type_name()));
}

std::optional<double> mlflow_double(const nlohmann::json& request, const std::string& field) {
  const auto it = request.find(field);
  if (it == request.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    if (s == "NaN" || s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf") return -std::numeric_limits<double>::infinity();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && s.size() < 64 && std::isfinite(v)) return v;
    bad(field, "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got '" +
                   echo_text(s, 40) + "'");
  }
  bad(field, "expected a number, got " + std::string(it->type_name()));
}

std::vector<std::string> mlflow_strings(const nlohmann::json& request, const std::string& field) {
  const auto it = request.find(field);
  std::vector<std::string> out;
  if (it == request.end() || it->is_null()) return out;
  if (it->is_string()) return {*mlflow_string(request, field)};
  if (!it->is_array()) bad(field, "expected a list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) bad(field, "expected a list of strings");
    const std::string s = v.get<std::string>();
    if (!is_valid_utf8(s)) bad(field, "the text is not valid UTF-8");
    out.push_back(s);
  }
  return out;
}

void check_mlflow_param(const std::string& key, const std::string& value) {
  check_key("param key", key);
  require_utf8("the value of param '" + key + "'", value);
  if (value.size() > kMlflowMaxParamValueLength) {
    throw UsageError("param '" + key + "' had value length " + std::to_string(value.size()) +
                     ", which exceeded length limit of " +
                     std::to_string(kMlflowMaxParamValueLength));
  }
}

void check_mlflow_tag(const std::string& key, const std::string& value) {
  check_key("tag key", key);
  require_utf8("the value of tag '" + key + "'", value);
  if (value.size() > kMlflowMaxTagValueLength) {
    throw UsageError("tag '" + key + "' had value length " + std::to_string(value.size()) +
                     ", which exceeded length limit of " +
                     std::to_string(kMlflowMaxTagValueLength));
  }
}

}  // namespace loanrisk
