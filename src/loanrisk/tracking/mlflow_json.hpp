#pragma once
// The store's experiments, runs and metrics in the JSON shapes of MLflow's REST API (service.proto
// as MLflow's server writes it: snake_case fields, int64 fields as JSON numbers, ids as strings,
// NaN and infinities as "NaN", "Infinity", "-Infinity"), and the fields of a request read back
// (int64 sent as number or string). Every refusal is a UsageError naming the field.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// MLflow's limits (mlflow/utils/validation.py), applied to what a client logs.
inline constexpr std::size_t kMlflowMaxKeyLength = 250;
inline constexpr std::size_t kMlflowMaxParamValueLength = 6000;
inline constexpr std::size_t kMlflowMaxTagValueLength = 8000;
inline constexpr std::size_t kMlflowMaxParamsTagsPerBatch = 100;
inline constexpr std::size_t kMlflowMaxMetricsPerBatch = 1000;
inline constexpr std::size_t kMlflowMaxEntitiesPerBatch = 1000;

/// A file:// URI for a local path, every byte other than letters, digits, "-._~/" percent-encoded.
std::string file_uri(const std::filesystem::path& path);

/// experiment: {experiment_id, name, artifact_location, lifecycle_stage, creation_time,
/// last_update_time, tags}.
nlohmann::json mlflow_experiment_json(const Experiment& e, const std::filesystem::path& root);

/// run.info: {run_id, run_uuid, run_name, experiment_id, user_id, status, start_time, end_time
/// (when ended), artifact_uri, lifecycle_stage}.
nlohmann::json mlflow_run_info_json(const Run& run, const std::string& artifact_uri, bool deleted);

/// run: {info, data: {metrics (latest of each key), params, tags}, inputs}. The tag
/// mlflow.runName is the run's name, as MLflow's server shows it.
nlohmann::json mlflow_run_json(const RunRecord& record, const std::vector<MetricPoint>& latest,
                               const std::string& artifact_uri, bool deleted);

/// {key, value, timestamp, step}.
nlohmann::json mlflow_metric_json(const MetricPoint& p);

/// A double as MLflow writes it: a number, or "NaN", "Infinity", "-Infinity".
nlohmann::json mlflow_double_json(double v);

/// The request's field as text; nullopt when absent or null; UsageError when not a string.
std::optional<std::string> mlflow_string(const nlohmann::json& request, const std::string& field);
/// The same, UsageError ("missing value for required parameter") when absent or empty.
std::string mlflow_required_string(const nlohmann::json& request, const std::string& field);
/// An int64 field sent as a JSON integer or a string of digits; nullopt when absent or null.
std::optional<std::int64_t> mlflow_int64(const nlohmann::json& request, const std::string& field);
/// A double field: a number or "NaN", "Infinity", "-Infinity" (or a number in a string);
/// nullopt when absent.
std::optional<double> mlflow_double(const nlohmann::json& request, const std::string& field);
/// A repeated string field (an array of strings, or one string); empty when absent.
std::vector<std::string> mlflow_strings(const nlohmann::json& request, const std::string& field);

/// Checks a param, tag or metric key (MLflow's rule and check_key's) and a value against its
/// limit; UsageError naming the rule.
void check_mlflow_param(const std::string& key, const std::string& value);
void check_mlflow_tag(const std::string& key, const std::string& value);

}  // namespace loanrisk
