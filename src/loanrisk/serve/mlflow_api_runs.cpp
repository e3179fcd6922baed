// MLflow's run routes: create, get, update, delete and restore, search, and what a client logs to
// a run (metrics, params, tags, batches), with MLflow's limits.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/mlflow_api.hpp"
#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/mlflow_search.hpp"

namespace loanrisk {
namespace {

bool is_deleted(Store& store, const std::string& run_id) {
  const auto ids = store.deleted_run_ids();
  return std::find(ids.begin(), ids.end(), run_id) != ids.end();
}

nlohmann::json run_json(Store& store, const Run& run, const HttpRequest& request) {
  const RunRecord rec = store.get_run_record(run.id);
  return mlflow_run_json(rec, store.latest_metrics(run.id), mlflow_artifact_uri(run, request),
                         is_deleted(store, run.id));
}

/// The run a write names, which must not be deleted.
Run active_run(Store& store, const nlohmann::json& req) {
  const std::string id =
      mlflow_string(req, "run_id").value_or(mlflow_string(req, "run_uuid").value_or(""));
  if (id.empty()) throw UsageError("missing value for required parameter 'run_id'");
  const Run run = mlflow_find_run(store, id);
  if (is_deleted(store, run.id)) {
    throw mlflow_error(
        400, "INVALID_PARAMETER_VALUE",
        "The run " + run.id + " must be in the 'active' state. Current state is deleted.");
  }
  return run;
}

Run any_run(Store& store, const nlohmann::json& req) {
  const std::string id =
      mlflow_string(req, "run_id").value_or(mlflow_string(req, "run_uuid").value_or(""));
  if (id.empty()) throw UsageError("missing value for required parameter 'run_id'");
  return mlflow_find_run(store, id);
}

/// A metric value as stored: NaN kept, infinities clamped to the largest double (as MLflow's own
/// SQL store does).
double stored_value(double v) {
  if (std::isinf(v)) {
    return v > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max();
  }
  return v;
}

MetricPoint metric_of(const nlohmann::json& m) {
  if (!m.is_object())
    throw UsageError("each metric must be an object {key, value, timestamp, step}");
  MetricPoint p;
  p.key = mlflow_required_string(m, "key");
  check_key("metric key", p.key);
  const auto value = mlflow_double(m, "value");
  if (!value)
    throw UsageError("missing value for required parameter 'value' of metric '" + p.key + "'");
  p.value = stored_value(*value);
  p.timestamp_ms = mlflow_int64(m, "timestamp").value_or(now_ms());
  p.step = mlflow_int64(m, "step").value_or(0);
  if (p.timestamp_ms <= 0) p.timestamp_ms = now_ms();
  return p;
}

std::map<std::string, std::string> key_values(const nlohmann::json& req, const std::string& field,
                                              bool params) {
  std::map<std::string, std::string> out;
  const auto it = req.find(field);
  if (it == req.end() || it->is_null()) return out;
  if (!it->is_array()) throw UsageError("'" + field + "' must be a list of {key, value}");
  for (const auto& kv : *it) {
    if (!kv.is_object()) throw UsageError("each of '" + field + "' must be {key, value}");
    const std::string key = mlflow_required_string(kv, "key");
    const std::string value = mlflow_string(kv, "value").value_or("");
    params ? check_mlflow_param(key, value) : check_mlflow_tag(key, value);
    const auto [at, inserted] = out.emplace(key, value);
    if (!inserted && at->second != value) {
      throw UsageError("Duplicate " + std::string(params ? "parameter" : "tag") +
                       " keys have been submitted: '" + key + "' with different values");
    }
  }
  return out;
}

/// Who a client's run is recorded as: the person a token proves, else the user the client names.
std::string run_user(const Identity& who, const std::string& client_user) {
  if (who.source == "user" || who.source == "oidc") return who.name;
  if (!client_user.empty()) return client_user;
  return who.name.empty() ? "mlflow-client" : who.name;
}

HttpResponse empty_answer(const std::string& note) {
  HttpResponse r = json_response(nlohmann::json::object());
  r.audit_note = note;
  return r;
}

}  // namespace

HttpResponse MlflowRoutes::run_create(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string exp = mlflow_string(req, "experiment_id").value_or("0");
  if (exp.empty() || exp.size() > 18 || exp.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("invalid experiment id '" + echo_text(exp, 40) + "'");
  }
  ClientRunSpec spec;
  spec.experiment_id = std::stoll(exp);
  spec.tags = key_values(req, "tags", false);
  spec.name = mlflow_string(req, "run_name").value_or("");
  if (spec.name.empty() && spec.tags.contains("mlflow.runName"))
    spec.name = spec.tags["mlflow.runName"];
  spec.tags.erase("mlflow.runName");  // the run's name, shown as this tag
  if (spec.name.size() > kMlflowMaxTagValueLength) throw UsageError("run_name is too long");
  spec.start_ms = mlflow_int64(req, "start_time").value_or(0);
  spec.user = run_user(call.who, mlflow_string(req, "user_id").value_or(""));
  auto store = open_app_store(settings_);
  if (!store->find_experiment_by_id(spec.experiment_id)) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + exp + " exists");
  }
  const Run run = store->create_client_run(spec);
  HttpResponse r = json_response({{"run", run_json(*store, run, call.request)}});
  r.audit_note = "started run " + run.id + " (" + run.name + ") in experiment " + exp;
  return r;
}

HttpResponse MlflowRoutes::run_get(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  const Run run = any_run(*store, req);
  return json_response({{"run", run_json(*store, run, call.request)}});
}

HttpResponse MlflowRoutes::run_update(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  const Run run = active_run(*store, req);
  RunUpdate u;
  if (const auto status = mlflow_string(req, "status"); status && !status->empty()) {
    u.status = parse_run_status(*status);
  }
  u.end_ms = mlflow_int64(req, "end_time");
  if (const auto name = mlflow_string(req, "run_name"); name && !name->empty()) {
    if (name->size() > kMlflowMaxTagValueLength) throw UsageError("run_name is too long");
    u.name = *name;
  }
  const Run updated = store->update_run(run.id, u);
  HttpResponse r = json_response(
      {{"run_info",
        mlflow_run_info_json(updated, mlflow_artifact_uri(updated, call.request), false)}});
  r.audit_note = "updated run " + run.id + ": " + to_string(updated.status);
  return r;
}

HttpResponse MlflowRoutes::run_delete(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  const Run run = any_run(*store, req);
  store->set_run_deleted(run.id, true);
  return empty_answer("deleted run " + run.id);
}

HttpResponse MlflowRoutes::run_restore(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  const Run run = any_run(*store, req);
  store->set_run_deleted(run.id, false);
  return empty_answer("restored run " + run.id);
}

HttpResponse MlflowRoutes::log_metric(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const MetricPoint p = metric_of(req);
  auto store = open_app_store(settings_);
  const Run run = active_run(*store, req);
  store->log_metrics(run.id, {p});
  return empty_answer("logged metric " + p.key + " to run " + run.id);
}

HttpResponse MlflowRoutes::log_param(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string key = mlflow_required_string(req, "key");
  const std::string value = mlflow_string(req, "value").value_or("");
  check_mlflow_param(key, value);
  auto store = open_app_store(settings_);
  const Run run = active_run(*store, req);
  store->log_param(run.id, key, value);
  return empty_answer("logged param " + key + " to run " + run.id);
}

HttpResponse MlflowRoutes::set_tag(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string key = mlflow_required_string(req, "key");
  const std::string value = mlflow_string(req, "value").value_or("");
  check_mlflow_tag(key, value);
  auto store = open_app_store(settings_);
  const Run run = active_run(*store, req);
  if (key == "mlflow.runName") {
    if (!value.empty())
      store->update_run(run.id, {.status = std::nullopt, .end_ms = std::nullopt, .name = value});
  } else {
    store->set_tag(run.id, key, value);
  }
  return empty_answer("set tag " + key + " of run " + run.id);
}

HttpResponse MlflowRoutes::delete_tag(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string key = mlflow_required_string(req, "key");
  auto store = open_app_store(settings_);
  const Run run = active_run(*store, req);
  if (!store->delete_tag(run.id, key)) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                       "No tag with name: " + echo_text(key) + " in run with id " + run.id);
  }
  return empty_answer("deleted tag " + key + " of run " + run.id);
}

HttpResponse MlflowRoutes::log_batch(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const auto params = key_values(req, "params", true);
  const auto tags = key_values(req, "tags", false);
  std::vector<MetricPoint> metrics;
  if (const auto it = req.find("metrics"); it != req.end() && !it->is_null()) {
    if (!it->is_array())
      throw UsageError("'metrics' must be a list of {key, value, timestamp, step}");
    if (it->size() > kMlflowMaxMetricsPerBatch) {
      throw UsageError("A batch logging request can contain at most " +
                       std::to_string(kMlflowMaxMetricsPerBatch) + " metrics. Got " +
                       std::to_string(it->size()) + " metrics.");
    }
    for (const auto& m : *it) metrics.push_back(metric_of(m));
  }
  if (params.size() > kMlflowMaxParamsTagsPerBatch || tags.size() > kMlflowMaxParamsTagsPerBatch) {
    throw UsageError("A batch logging request can contain at most " +
                     std::to_string(kMlflowMaxParamsTagsPerBatch) + " params and " +
                     std::to_string(kMlflowMaxParamsTagsPerBatch) + " tags");
  }
  if (params.size() + tags.size() + metrics.size() > kMlflowMaxEntitiesPerBatch) {
    throw UsageError("A batch logging request can contain at most " +
                     std::to_string(kMlflowMaxEntitiesPerBatch) + " metrics, params and tags");
  }
  auto store = open_app_store(settings_);
  const Run run = active_run(*store, req);
  if (!params.empty()) store->log_params(run.id, params);
  for (const auto& [key, value] : tags) {
    if (key == "mlflow.runName") {
      if (!value.empty())
        store->update_run(run.id, {.status = std::nullopt, .end_ms = std::nullopt, .name = value});
    } else {
      store->set_tag(run.id, key, value);
    }
  }
  if (!metrics.empty()) store->log_metrics(run.id, metrics);
  return empty_answer("logged " + std::to_string(metrics.size()) + " metric values, " +
                      std::to_string(params.size()) + " params and " + std::to_string(tags.size()) +
                      " tags to run " + run.id);
}

HttpResponse MlflowRoutes::metric_history(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string key = mlflow_required_string(req, "metric_key");
  const std::int64_t max_results =
      mlflow_int64(req, "max_results").value_or(std::numeric_limits<std::int64_t>::max());
  if (max_results < 1) throw UsageError("max_results must be at least 1");
  const std::size_t offset = parse_mlflow_page_token(mlflow_string(req, "page_token").value_or(""));
  auto store = open_app_store(settings_);
  const Run run = any_run(*store, req);
  const auto points = store->metric_history(run.id, key);
  nlohmann::json out = {{"metrics", nlohmann::json::array()}};
  const std::size_t start = std::min(offset, points.size());
  std::size_t end = points.size();
  if (static_cast<std::uint64_t>(max_results) < end - start) {
    end = start + static_cast<std::size_t>(max_results);
  }
  for (std::size_t i = start; i < end; ++i) out["metrics"].push_back(mlflow_metric_json(points[i]));
  if (end < points.size()) out["next_page_token"] = mlflow_page_token(end);
  return json_response(out);
}

HttpResponse MlflowRoutes::run_search(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call, {"experiment_ids", "order_by"});
  const auto clauses = parse_mlflow_filter(mlflow_string(req, "filter").value_or(""));
  check_mlflow_run_filter(clauses);
  const std::vector<std::string> order_by = mlflow_strings(req, "order_by");
  const std::int64_t max_results = mlflow_int64(req, "max_results").value_or(1000);
  if (max_results < 1 || max_results > 50000) {
    throw UsageError("Invalid value " + std::to_string(max_results) +
                     " for parameter 'max_results' supplied: it must be between 1 and 50000");
  }
  const std::size_t offset = parse_mlflow_page_token(mlflow_string(req, "page_token").value_or(""));
  // run_view_type: ACTIVE_ONLY (1, the default), DELETED_ONLY (2) or ALL (3).
  std::string view = "ACTIVE_ONLY";
  if (const auto it = req.find("run_view_type"); it != req.end() && !it->is_null()) {
    if (it->is_number_integer()) {
      const auto n = it->get<std::int64_t>();
      view = n == 2 ? "DELETED_ONLY" : n == 3 ? "ALL" : "ACTIVE_ONLY";
    } else {
      view = mlflow_string(req, "run_view_type").value_or("ACTIVE_ONLY");
      if (view == "1") view = "ACTIVE_ONLY";
      if (view == "2") view = "DELETED_ONLY";
      if (view == "3") view = "ALL";
    }
    if (view != "ACTIVE_ONLY" && view != "DELETED_ONLY" && view != "ALL") {
      throw UsageError("run_view_type must be ACTIVE_ONLY, DELETED_ONLY or ALL");
    }
  }
  std::set<std::int64_t> experiments;
  for (const std::string& id : mlflow_strings(req, "experiment_ids")) {
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
      throw UsageError("invalid experiment id '" + echo_text(id, 40) + "'");
    }
    experiments.insert(std::stoll(id));
  }
  auto store = open_app_store(settings_);
  const auto deleted_ids = store->deleted_run_ids();
  const std::set<std::string> deleted(deleted_ids.begin(), deleted_ids.end());
  std::vector<MlflowSearchRun> found;
  for (const Run& run : store->list_runs(std::nullopt)) {
    if (!experiments.empty() && !experiments.contains(run.experiment_id)) continue;
    const bool gone = deleted.contains(run.id);
    if ((view == "ACTIVE_ONLY" && gone) || (view == "DELETED_ONLY" && !gone)) continue;
    MlflowSearchRun s{store->get_run_record(run.id), mlflow_artifact_uri(run, call.request), gone};
    s.record.tags.emplace("mlflow.runName", run.name);
    if (mlflow_run_matches(clauses, s)) found.push_back(std::move(s));
  }
  sort_mlflow_runs(found, order_by);
  nlohmann::json out = {{"runs", nlohmann::json::array()}};
  const std::size_t end = std::min(found.size(), offset + static_cast<std::size_t>(max_results));
  for (std::size_t i = offset; i < end; ++i) {
    const MlflowSearchRun& s = found[i];
    out["runs"].push_back(mlflow_run_json(s.record, store->latest_metrics(s.record.run.id),
                                          s.artifact_uri, s.deleted));
  }
  if (end < found.size()) out["next_page_token"] = mlflow_page_token(end);
  return json_response(out);
}

}  // namespace loanrisk
