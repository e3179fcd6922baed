// MLflow's model registry routes over loanrisk's registry (registry.hpp): a model version is a
// run's loanrisk bundle copied into the registry, aliases move as the registry moves them, and a
// protected alias (champion) is refused here: it moves through a promotion request, four eyes and
// the validation gate (`loanrisk models request`, POST /api/v1/admin/promote).
#include <algorithm>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/mlflow_api.hpp"
#include "loanrisk/serve/run_artifacts.hpp"
#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/mlflow_search.hpp"

namespace loanrisk {
namespace fs = std::filesystem;
namespace {

nlohmann::json version_json(const ModelVersion& v) {
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& [k, val] : v.tags) tags.push_back({{"key", k}, {"value", val}});
  return {{"name", v.name},
          {"version", std::to_string(v.version)},
          {"creation_timestamp", v.created_ms},
          {"last_updated_timestamp", v.updated_ms},
          {"user_id", v.created_by},
          {"current_stage", v.status == "ARCHIVED" ? "Archived" : "None"},
          {"description", v.description},
          {"source", file_uri(v.source)},
          {"run_id", v.run_id},
          {"status", "READY"},
          {"tags", tags},
          {"aliases", v.aliases}};
}

nlohmann::json model_json(ModelRegistry& registry, const RegisteredModel& m) {
  nlohmann::json aliases = nlohmann::json::array();
  for (const auto& [alias, version] : m.aliases) {
    aliases.push_back({{"alias", alias}, {"version", std::to_string(version)}});
  }
  nlohmann::json j = {{"name", m.name},
                      {"creation_timestamp", m.created_ms},
                      {"last_updated_timestamp", m.updated_ms},
                      {"description", m.description},
                      {"aliases", aliases},
                      {"tags", nlohmann::json::array()}};
  if (m.latest_version > 0) {
    j["latest_versions"] = {version_json(registry.get_version(m.name, m.latest_version))};
  }
  return j;
}

std::optional<RegisteredModel> find_model(ModelRegistry& registry, const std::string& name) {
  for (const RegisteredModel& m : registry.list_models()) {
    if (m.name == name) return m;
  }
  return std::nullopt;
}

RegisteredModel require_model(ModelRegistry& registry, const std::string& name) {
  auto m = find_model(registry, name);
  if (!m) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                       "Registered Model with name=" + echo_text(name) + " not found");
  }
  return *m;
}

std::int64_t version_number(const nlohmann::json& req) {
  const std::string v = mlflow_required_string(req, "version");
  if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("invalid version '" + echo_text(v, 40) + "': a version is a whole number");
  }
  return std::stoll(v);
}

ModelVersion require_version(ModelRegistry& registry, const std::string& name, std::int64_t v) {
  require_model(registry, name);
  for (const ModelVersion& mv : registry.versions(name)) {
    if (mv.version == v) return mv;
  }
  throw mlflow_error(
      404, "RESOURCE_DOES_NOT_EXIST",
      "Model Version (name=" + echo_text(name) + ", version=" + std::to_string(v) + ") not found");
}

/// The path inside the run's artifacts that a version's source names: runs:/<id>/<path>,
/// file://<run's artifact folder>/<path>, mlflow-artifacts:[//host]/<exp>/<run>/artifacts/<path>.
std::string source_artifact_path(const std::string& source, const Run& run) {
  if (source.starts_with("runs:/")) {
    std::string rest = source.substr(6);
    const auto slash = rest.find('/');
    const std::string id = rest.substr(0, slash);
    if (id != run.id)
      throw UsageError("source '" + echo_text(source) + "' names another run than run_id");
    return slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  if (source.starts_with("mlflow-artifacts:")) {
    std::string rest = source.substr(17);
    if (rest.starts_with("//"))
      rest = rest.substr(rest.find('/', 2) == std::string::npos ? rest.size() : rest.find('/', 2));
    const std::string prefix =
        "/" + std::to_string(run.experiment_id) + "/" + run.id + "/artifacts";
    if (!rest.starts_with(prefix))
      throw UsageError("source '" + echo_text(source) + "' is not in the run's artifacts");
    rest = rest.substr(prefix.size());
    return rest.starts_with("/") ? rest.substr(1) : rest;
  }
  const std::string root = file_uri(run.artifact_dir);
  std::string uri = source.starts_with("file:") ? source : file_uri(fs::path(source));
  if (uri.starts_with("file:/") && !uri.starts_with("file://")) uri = "file://" + uri.substr(5);
  if (!uri.starts_with(root)) {
    throw UsageError("source '" + echo_text(source) + "' is not in the artifacts of run " + run.id);
  }
  std::string rest = uri.substr(root.size());
  if (!rest.empty() && rest.front() != '/') {
    throw UsageError("source '" + echo_text(source) + "' is not in the artifacts of run " + run.id);
  }
  return rest.empty() ? "" : artifact_relative_path(rest.substr(1));
}

std::vector<MlflowClause> model_filter(const nlohmann::json& req,
                                       const std::vector<std::string>& keys) {
  const auto clauses = parse_mlflow_filter(mlflow_string(req, "filter").value_or(""));
  for (const MlflowClause& c : clauses) {
    if (!c.entity.empty() || std::find(keys.begin(), keys.end(), c.key) == keys.end() || c.number ||
        c.op == "<" || c.op == ">" || c.op == "<=" || c.op == ">=") {
      throw UsageError("bad filter: loanrisk searches by " + join(keys, " or ") +
                       " with = != LIKE ILIKE IN, e.g. name = 'loan-default'");
    }
  }
  return clauses;
}

std::pair<std::size_t, std::size_t> page(const nlohmann::json& req, std::size_t total,
                                         std::int64_t default_max) {
  const std::int64_t max = mlflow_int64(req, "max_results").value_or(default_max);
  if (max < 1 || max > 200000) throw UsageError("max_results must be between 1 and 200000");
  const std::size_t offset = parse_mlflow_page_token(mlflow_string(req, "page_token").value_or(""));
  return {std::min(offset, total), std::min(total, offset + static_cast<std::size_t>(max))};
}

}  // namespace

HttpResponse MlflowRoutes::model_create(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "name");
  const std::string description = mlflow_string(req, "description").value_or("");
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store, call.who.name);
  if (!registry.create_model(name, description, "created over the MLflow REST API")) {
    throw mlflow_error(400, "RESOURCE_ALREADY_EXISTS",
                       "Registered Model (name=" + echo_text(name) + ") already exists.");
  }
  HttpResponse r =
      json_response({{"registered_model", model_json(registry, registry.get_model(name))}});
  r.audit_note = "created registered model " + name;
  return r;
}

HttpResponse MlflowRoutes::model_get(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  const RegisteredModel m = require_model(registry, mlflow_required_string(req, "name"));
  return json_response({{"registered_model", model_json(registry, m)}});
}

HttpResponse MlflowRoutes::model_search(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call, {"order_by"});
  const auto clauses = model_filter(req, {"name"});
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  std::vector<RegisteredModel> found;
  for (const RegisteredModel& m : registry.list_models()) {
    if (std::all_of(clauses.begin(), clauses.end(),
                    [&](const MlflowClause& c) { return mlflow_string_matches(c, m.name); })) {
      found.push_back(m);
    }
  }
  const auto [start, end] = page(req, found.size(), 100);
  nlohmann::json out = {{"registered_models", nlohmann::json::array()}};
  for (std::size_t i = start; i < end; ++i)
    out["registered_models"].push_back(model_json(registry, found[i]));
  if (end < found.size()) out["next_page_token"] = mlflow_page_token(end);
  return json_response(out);
}

HttpResponse MlflowRoutes::latest_versions(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call, {"stages"});
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  const RegisteredModel m = require_model(registry, mlflow_required_string(req, "name"));
  nlohmann::json out = {{"model_versions", nlohmann::json::array()}};
  if (m.latest_version > 0) {
    out["model_versions"].push_back(version_json(registry.get_version(m.name, m.latest_version)));
  }
  return json_response(out);
}

HttpResponse MlflowRoutes::alias_set(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "name");
  const std::string alias = mlflow_required_string(req, "alias");
  const std::int64_t version = version_number(req);
  const auto& guarded = settings_.protected_aliases;
  if (std::find(guarded.begin(), guarded.end(), alias) != guarded.end()) {
    throw mlflow_error(
        403, "PERMISSION_DENIED",
        "@" + alias +
            " is a protected alias: it moves only to a version with a green validation "
            "report, on a second person's approval. Ask for it with `loanrisk models request " +
            name + " " + alias + " " + std::to_string(version) +
            " --reason \"...\"` (or POST /api/v1/admin/promote); a validator approves it with "
            "`loanrisk models approve ID --reason \"...\"`");
  }
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store, call.who.name);
  registry.set_gated_aliases(guarded);
  require_version(registry, name, version);
  registry.set_alias(name, alias, version, "set over the MLflow REST API");
  HttpResponse r = json_response(nlohmann::json::object());
  r.audit_note = "pointed @" + alias + " of " + name + " at version " + std::to_string(version);
  return r;
}

HttpResponse MlflowRoutes::alias_get(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "name");
  const std::string alias = mlflow_required_string(req, "alias");
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  const RegisteredModel m = require_model(registry, name);
  const auto it = m.aliases.find(alias);
  if (it == m.aliases.end()) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                       "Registered model alias " + echo_text(alias) + " not found.");
  }
  return json_response({{"model_version", version_json(registry.get_version(name, it->second))}});
}

HttpResponse MlflowRoutes::alias_delete(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "name");
  const std::string alias = mlflow_required_string(req, "alias");
  const auto& guarded = settings_.protected_aliases;
  if (std::find(guarded.begin(), guarded.end(), alias) != guarded.end()) {
    throw mlflow_error(403, "PERMISSION_DENIED",
                       "@" + alias +
                           " is a protected alias: it is never removed, only moved to "
                           "another validated version (`loanrisk models request " +
                           name + " " + alias + " VERSION --reason \"...\"`)");
  }
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store, call.who.name);
  registry.set_gated_aliases(guarded);
  require_model(registry, name);
  registry.delete_alias(name, alias, "removed over the MLflow REST API");
  HttpResponse r = json_response(nlohmann::json::object());
  r.audit_note = "removed @" + alias + " of " + name;
  return r;
}

HttpResponse MlflowRoutes::version_create(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "name");
  const std::string source = mlflow_required_string(req, "source");
  const std::string description = mlflow_string(req, "description").value_or("");
  std::string run_id = mlflow_string(req, "run_id").value_or("");
  if (run_id.empty() && source.starts_with("runs:/"))
    run_id = source.substr(6, source.find('/', 6) - 6);
  if (run_id.empty()) {
    throw UsageError(
        "loanrisk registers a run's bundle: send run_id (and source runs:/<run id>/bundle)");
  }
  check_registry_name("model name", name);
  auto store = open_app_store(settings_);
  const Run run = mlflow_find_run(*store, run_id);
  const std::string path = source_artifact_path(source, run);
  if (path != "bundle") {
    throw UsageError(
        "source '" + echo_text(source) + "' names the artifact '" + echo_text(path) +
        "': loanrisk's registry holds loanrisk model bundles, kept as a run's artifact "
        "'bundle' (log the folder `loanrisk train --out` wrote with "
        "mlflow.log_artifacts(folder, \"bundle\") and register runs:/<run id>/bundle)");
  }
  const fs::path bundle = run.artifact_dir / "bundle";
  std::error_code ec;
  if (!fs::is_regular_file(bundle / "manifest.json", ec)) {
    throw UsageError("run " + run.id +
                     " has no loanrisk bundle in its artifact 'bundle' (no manifest.json)");
  }
  try {
    (void)Bundle::load(bundle);
  } catch (const std::exception& e) {
    throw UsageError("the bundle of run " + run.id +
                     " cannot be loaded, so it was not registered: " + std::string(e.what()));
  }
  ModelRegistry registry(*store, call.who.name);
  ModelVersion v = registry.register_version(
      name, run.id, "registered over the MLflow REST API from " + echo_text(source, 200),
      description);
  if (const auto it = req.find("tags"); it != req.end() && it->is_array()) {
    for (const auto& kv : *it) {
      if (!kv.is_object()) continue;
      const std::string key = mlflow_required_string(kv, "key");
      const std::string value = mlflow_string(kv, "value").value_or("");
      check_mlflow_tag(key, value);
      registry.set_version_tag(name, v.version, key, value);
    }
    v = registry.get_version(name, v.version);
  }
  HttpResponse r = json_response({{"model_version", version_json(v)}});
  r.audit_note =
      "registered " + name + " version " + std::to_string(v.version) + " from run " + run.id;
  return r;
}

HttpResponse MlflowRoutes::version_get(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  const ModelVersion v =
      require_version(registry, mlflow_required_string(req, "name"), version_number(req));
  return json_response({{"model_version", version_json(v)}});
}

HttpResponse MlflowRoutes::version_download_uri(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  const ModelVersion v =
      require_version(registry, mlflow_required_string(req, "name"), version_number(req));
  return json_response({{"artifact_uri", file_uri(v.source)}});
}

HttpResponse MlflowRoutes::version_search(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call, {"order_by"});
  const auto clauses = model_filter(req, {"name", "run_id"});
  auto store = open_app_store(settings_);
  ModelRegistry registry(*store);
  std::vector<ModelVersion> found;
  for (const RegisteredModel& m : registry.list_models()) {
    for (const ModelVersion& v : registry.versions(m.name)) {
      if (std::all_of(clauses.begin(), clauses.end(), [&](const MlflowClause& c) {
            return mlflow_string_matches(c, c.key == "name" ? v.name : v.run_id);
          })) {
        found.push_back(v);
      }
    }
  }
  const auto [start, end] = page(req, found.size(), 10000);
  nlohmann::json out = {{"model_versions", nlohmann::json::array()}};
  for (std::size_t i = start; i < end; ++i) out["model_versions"].push_back(version_json(found[i]));
  if (end < found.size()) out["next_page_token"] = mlflow_page_token(end);
  return json_response(out);
}

}  // namespace loanrisk
