// MLflow's REST API: the route list, the request reading and error envelope every MLflow route
// shares, and the experiment routes.
#include "loanrisk/serve/mlflow_api.hpp"

#include <algorithm>

#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/mlflow_search.hpp"

namespace loanrisk {
namespace {

using Handler = HttpResponse (MlflowRoutes::*)(const RouteCall&) const;

struct MlflowRoute {
  const char* method;
  const char* path;  ///< below the prefix.
  Access access;
  Handler handler;
  const char* summary;
};

// clang-format off
constexpr MlflowRoute kRoutes[] = {
    {"GET", "/experiments/get-by-name", Access::Open, &MlflowRoutes::experiment_get_by_name, "MLflow: an experiment by name (?experiment_name=)"},
    {"GET", "/experiments/get", Access::Open, &MlflowRoutes::experiment_get, "MLflow: an experiment by id (?experiment_id=)"},
    {"POST", "/experiments/create", Access::Analyst, &MlflowRoutes::experiment_create, "MLflow: create an experiment {name}"},
    {"POST", "/experiments/search", Access::Open, &MlflowRoutes::experiment_search, "MLflow: search experiments {filter, max_results, order_by, page_token}"},
    {"GET", "/experiments/search", Access::Open, &MlflowRoutes::experiment_search, "MLflow: search experiments (query string form)"},
    {"POST", "/runs/create", Access::Analyst, &MlflowRoutes::run_create, "MLflow: start a run owned by the client {experiment_id, run_name, start_time, user_id, tags}"},
    {"GET", "/runs/get", Access::Open, &MlflowRoutes::run_get, "MLflow: a run with its latest metrics, params and tags (?run_id=)"},
    {"POST", "/runs/update", Access::Analyst, &MlflowRoutes::run_update, "MLflow: change a run's status, end time or name"},
    {"POST", "/runs/delete", Access::Analyst, &MlflowRoutes::run_delete, "MLflow: mark a run deleted (kept, hidden from searches)"},
    {"POST", "/runs/restore", Access::Analyst, &MlflowRoutes::run_restore, "MLflow: mark a deleted run active again"},
    {"POST", "/runs/search", Access::Open, &MlflowRoutes::run_search, "MLflow: search runs {experiment_ids, filter, run_view_type, max_results, order_by, page_token}"},
    {"GET", "/runs/search", Access::Open, &MlflowRoutes::run_search, "MLflow: search runs (query string form)"},
    {"POST", "/runs/log-metric", Access::Analyst, &MlflowRoutes::log_metric, "MLflow: log a metric value {run_id, key, value, timestamp, step}"},
    {"POST", "/runs/log-parameter", Access::Analyst, &MlflowRoutes::log_param, "MLflow: log a param {run_id, key, value}"},
    {"POST", "/runs/log-batch", Access::Analyst, &MlflowRoutes::log_batch, "MLflow: log metrics, params and tags at once"},
    {"POST", "/runs/set-tag", Access::Analyst, &MlflowRoutes::set_tag, "MLflow: set a run's tag {run_id, key, value}"},
    {"POST", "/runs/delete-tag", Access::Analyst, &MlflowRoutes::delete_tag, "MLflow: remove a run's tag {run_id, key}"},
    {"GET", "/metrics/get-history", Access::Open, &MlflowRoutes::metric_history, "MLflow: every value of a metric (?run_id=&metric_key=)"},
    {"POST", "/registered-models/create", Access::Analyst, &MlflowRoutes::model_create, "MLflow: create a registered model {name, description}"},
    {"GET", "/registered-models/get", Access::Open, &MlflowRoutes::model_get, "MLflow: a registered model (?name=)"},
    {"GET", "/registered-models/search", Access::Open, &MlflowRoutes::model_search, "MLflow: search registered models (?filter=&max_results=&page_token=)"},
    {"POST", "/registered-models/get-latest-versions", Access::Open, &MlflowRoutes::latest_versions, "MLflow: the newest version of a model {name}"},
    {"GET", "/registered-models/get-latest-versions", Access::Open, &MlflowRoutes::latest_versions, "MLflow: the newest version of a model (?name=)"},
    {"POST", "/registered-models/alias", Access::Promote, &MlflowRoutes::alias_set, "MLflow: point an alias at a version {name, alias, version}; a protected alias (champion) is refused: it moves through `loanrisk models request` and four eyes"},
    {"GET", "/registered-models/alias", Access::Open, &MlflowRoutes::alias_get, "MLflow: the version an alias points at (?name=&alias=)"},
    {"DELETE", "/registered-models/alias", Access::Promote, &MlflowRoutes::alias_delete, "MLflow: remove an alias (not a protected one) {name, alias}"},
    {"POST", "/model-versions/create", Access::Analyst, &MlflowRoutes::version_create, "MLflow: register a run's loanrisk bundle as the next version {name, source, run_id, description}"},
    {"GET", "/model-versions/get", Access::Open, &MlflowRoutes::version_get, "MLflow: one model version (?name=&version=)"},
    {"GET", "/model-versions/search", Access::Open, &MlflowRoutes::version_search, "MLflow: search model versions (?filter=name='...' or run_id='...')"},
    {"GET", "/model-versions/get-download-uri", Access::Open, &MlflowRoutes::version_download_uri, "MLflow: where a version's files are (?name=&version=)"},
};
// clang-format on

constexpr const char* kPrefixes[] = {"/api/2.0/mlflow", "/ajax-api/2.0/mlflow"};
constexpr const char* kArtifactPrefixes[] = {"/api/2.0/mlflow-artifacts/artifacts",
                                             "/ajax-api/2.0/mlflow-artifacts/artifacts"};

std::string_view code_for(int status, bool route_matched) {
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return "INVALID_PARAMETER_VALUE";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return route_matched ? "RESOURCE_DOES_NOT_EXIST" : "ENDPOINT_NOT_FOUND";
    case 405:
      return "ENDPOINT_NOT_FOUND";
    case 409:
      return "RESOURCE_CONFLICT";
    case 429:
      return "REQUEST_LIMIT_EXCEEDED";
    case 503:
      return "TEMPORARILY_UNAVAILABLE";
    default:
      return "INTERNAL_ERROR";
  }
}

std::string percent_decode_query(std::string_view raw) {
  std::string out;
  const auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '+') {
      out += ' ';
    } else if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 &&
               hex(raw[i + 2]) >= 0) {
      out += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

std::unique_ptr<Store> open_store_for(const ServeSettings& s) {
  return open_app_store(s);
}

}  // namespace

MlflowRoutes::MlflowRoutes(const ServeSettings& settings, Identities& identities)
    : settings_(settings), identities_(identities) {}

void MlflowRoutes::add_routes(std::vector<Route>& routes) const {
  for (const char* prefix : kPrefixes) {
    for (const MlflowRoute& r : kRoutes) {
      const Handler h = r.handler;
      routes.push_back({r.method, std::string(prefix) + r.path, r.access,
                        [this, h](const RouteCall& c) { return (this->*h)(c); }, r.summary});
    }
  }
  for (const char* prefix : kArtifactPrefixes) {
    routes.push_back({"GET", prefix, Access::Open,
                      [this](const RouteCall& c) { return artifact_list(c); },
                      "MLflow artifact proxy: the files and folders directly in a run's artifact "
                      "folder (?path=<experiment id>/<run id>/artifacts/...)"});
    routes.push_back({"GET", std::string(prefix) + "/{path...}", Access::Artifacts,
                      [this](const RouteCall& c) { return artifact_download(c); },
                      "MLflow artifact proxy: download one artifact file of a run (audited)"});
    routes.push_back({"PUT", std::string(prefix) + "/{path...}", Access::Analyst,
                      [this](const RouteCall& c) { return artifact_upload(c); },
                      "MLflow artifact proxy: upload one artifact file into a run's artifact "
                      "folder (at most [serve] max_body_bytes)"});
  }
}

bool is_mlflow_path(std::string_view path) {
  for (std::string_view p : {"/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/",
                             "/api/2.0/mlflow-artifacts/", "/ajax-api/2.0/mlflow-artifacts/"}) {
    if (path.starts_with(p)) return true;
  }
  return path == "/api/2.0/mlflow-artifacts/artifacts" ||
         path == "/ajax-api/2.0/mlflow-artifacts/artifacts";
}

HttpError mlflow_error(int status, const std::string& code, const std::string& message) {
  return HttpError(status, message, {{"error_code", code}});
}

void to_mlflow_error(HttpResponse& response, bool route_matched) {
  if (response.status < 400) return;
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(response.body);
  } catch (const std::exception&) {
    body = nlohmann::json::object();
  }
  if (!body.is_object()) body = nlohmann::json::object();
  const std::string code = body.contains("error_code") && body["error_code"].is_string()
                               ? body["error_code"].get<std::string>()
                               : std::string(code_for(response.status, route_matched));
  std::string message = body.value("error", body.value("message", std::string()));
  if (message.empty())
    message = "request failed with HTTP status " + std::to_string(response.status);
  response.body = dump_json({{"error_code", code}, {"message", message}});
  response.content_type = "application/json";
}

nlohmann::json mlflow_request(const RouteCall& call, const std::vector<std::string>& repeated) {
  const std::string& method = call.request.method;
  if (method == "GET" || method == "HEAD" || (method == "DELETE" && call.request.body.empty())) {
    nlohmann::json out = nlohmann::json::object();
    std::size_t pos = 0;
    const std::string& q = call.query;
    while (pos < q.size()) {
      const auto amp = q.find('&', pos);
      const std::string_view part =
          std::string_view(q).substr(pos, amp == std::string::npos ? q.size() - pos : amp - pos);
      pos = amp == std::string::npos ? q.size() : amp + 1;
      if (part.empty()) continue;
      const auto eq = part.find('=');
      const std::string key = percent_decode_query(part.substr(0, eq));
      const std::string value =
          eq == std::string_view::npos ? std::string() : percent_decode_query(part.substr(eq + 1));
      if (!is_valid_utf8(key) || !is_valid_utf8(value)) {
        throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                           "query parameter '" + echo_text(key, 40) + "' is not valid UTF-8");
      }
      if (std::find(repeated.begin(), repeated.end(), key) != repeated.end()) {
        out[key].push_back(value);
      } else if (!out.contains(key)) {
        out[key] = value;
      }
    }
    return out;
  }
  if (call.request.body.empty()) return nlohmann::json::object();
  // Copying or printing a document is recursive: the depth is bounded before parsing.
  if (json_nesting_depth(call.request.body, kMaxJsonDepth) > kMaxJsonDepth) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                           " levels; MLflow's messages nest a few levels at most");
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(call.request.body);
  } catch (const nlohmann::json::parse_error& e) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "malformed JSON at byte " + std::to_string(e.byte) +
                           " (text must be UTF-8): send the request message as a JSON object");
  } catch (const nlohmann::json::exception&) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "a JSON number is out of range: send finite numbers within about 1e308, "
                       "and NaN or infinities as \"NaN\", \"Infinity\", \"-Infinity\"");
  }
  if (!body.is_object()) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "the request body must be a JSON object, as MLflow's client sends");
  }
  return body;
}

std::string mlflow_artifact_uri(const Run& run, const HttpRequest& request) {
  const std::string& c = request.client;
  const bool loopback = c.starts_with("127.") || c.starts_with("::1") || c.starts_with("[::1]") ||
                        c.starts_with("::ffff:127.") || c.empty();
  if (loopback) return file_uri(run.artifact_dir);
  return "mlflow-artifacts:/" + std::to_string(run.experiment_id) + "/" + run.id + "/artifacts";
}

Run mlflow_find_run(Store& store, const std::string& run_id) {
  const bool hex =
      run_id.size() == 32 && run_id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex) {
    try {
      return store.get_run(run_id);
    } catch (const UsageError&) {
    }
  }
  throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                     "Run with id=" + echo_text(run_id, 64) + " not found");
}

// ---- experiments ----

namespace {

Experiment find_experiment_id(Store& store, const nlohmann::json& req) {
  const std::string id = mlflow_required_string(req, "experiment_id");
  if (id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "invalid experiment id '" + echo_text(id, 40) +
                           "': loanrisk's experiment ids are whole numbers");
  }
  const auto e = store.find_experiment_by_id(std::stoll(id));
  if (!e) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST", "No Experiment with id=" + id + " exists");
  }
  return *e;
}

}  // namespace

HttpResponse MlflowRoutes::experiment_get_by_name(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "experiment_name");
  auto store = open_store_for(settings_);
  const auto e = store->find_experiment(name);
  if (!e) {
    throw mlflow_error(404, "RESOURCE_DOES_NOT_EXIST",
                       "Could not find experiment with name '" + echo_text(name) + "'");
  }
  return json_response({{"experiment", mlflow_experiment_json(*e, store->artifact_root())}});
}

HttpResponse MlflowRoutes::experiment_get(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  auto store = open_store_for(settings_);
  const Experiment e = find_experiment_id(*store, req);
  return json_response({{"experiment", mlflow_experiment_json(e, store->artifact_root())}});
}

HttpResponse MlflowRoutes::experiment_create(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call);
  const std::string name = mlflow_required_string(req, "name");
  if (const auto location = mlflow_string(req, "artifact_location");
      location && !location->empty()) {
    throw mlflow_error(400, "INVALID_PARAMETER_VALUE",
                       "loanrisk keeps every run's artifacts under its store's artifact root; "
                       "create the experiment without artifact_location");
  }
  auto store = open_store_for(settings_);
  const auto e = store->create_experiment(name);
  if (!e) {
    throw mlflow_error(400, "RESOURCE_ALREADY_EXISTS",
                       "Experiment(name=" + echo_text(name) + ") already exists");
  }
  HttpResponse r = json_response({{"experiment_id", std::to_string(e->id)}});
  r.audit_note = "created experiment " + e->name + " (id " + std::to_string(e->id) + ")";
  return r;
}

HttpResponse MlflowRoutes::experiment_search(const RouteCall& call) const {
  const nlohmann::json req = mlflow_request(call, {"order_by"});
  const auto clauses = parse_mlflow_filter(mlflow_string(req, "filter").value_or(""));
  for (const MlflowClause& c : clauses) {
    if (!(c.entity.empty() || c.entity == "attributes") || c.key != "name" || c.number ||
        (c.op != "=" && c.op != "!=" && c.op != "LIKE" && c.op != "ILIKE" && c.op != "IN" &&
         c.op != "NOT IN")) {
      throw UsageError(
          "loanrisk searches experiments by name only (name = 'x', name LIKE "
          "'x%'); experiments carry no tags here");
    }
  }
  const std::int64_t max_results = mlflow_int64(req, "max_results").value_or(1000);
  if (max_results < 1 || max_results > 50000) {
    throw UsageError("max_results must be between 1 and 50000, got " + std::to_string(max_results));
  }
  const std::size_t offset = parse_mlflow_page_token(mlflow_string(req, "page_token").value_or(""));
  auto store = open_store_for(settings_);
  std::vector<Experiment> found;
  for (const Experiment& e : store->list_experiments()) {
    if (std::all_of(clauses.begin(), clauses.end(),
                    [&](const MlflowClause& c) { return mlflow_string_matches(c, e.name); })) {
      found.push_back(e);
    }
  }
  std::vector<std::string> order = mlflow_strings(req, "order_by");
  bool by_name = false, ascending = false;
  for (const std::string& item : order) {
    const std::string low = [&] {
      std::string s = item;
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      return s;
    }();
    by_name = low.starts_with("name") || low.starts_with("attributes.name");
    ascending = low.find(" desc") == std::string::npos;
  }
  std::stable_sort(found.begin(), found.end(), [&](const Experiment& a, const Experiment& b) {
    if (by_name) return ascending ? a.name < b.name : a.name > b.name;
    if (!order.empty() && ascending) return a.created_ms < b.created_ms;
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id < b.id;
  });
  nlohmann::json out = {{"experiments", nlohmann::json::array()}};
  const std::size_t end = std::min(found.size(), offset + static_cast<std::size_t>(max_results));
  for (std::size_t i = offset; i < end; ++i) {
    out["experiments"].push_back(mlflow_experiment_json(found[i], store->artifact_root()));
  }
  if (end < found.size()) out["next_page_token"] = mlflow_page_token(end);
  return json_response(out);
}

}  // namespace loanrisk
