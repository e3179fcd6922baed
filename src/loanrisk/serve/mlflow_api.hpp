#pragma once
// MLflow's tracking and registry REST API, the subset a real `mlflow` client (2.x, 3.x) calls,
// under /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/, and MLflow's artifact proxy under
// /api/2.0/mlflow-artifacts/ (docs/tracking.md, "MLflow clients"). Requests and answers have
// MLflow's JSON shapes (mlflow_json.hpp); errors MLflow's envelope {"error_code", "message"} with
// its status codes. Reads are open like /api/v1/runs; writes need an analyst (or admin), alias
// moves who may ask for a promotion; a protected alias never moves here (four eyes and the
// validation gate stay the registry's). The handlers never see a socket.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/identities.hpp"
#include "loanrisk/serve/routes.hpp"
#include "loanrisk/serve/settings.hpp"

namespace loanrisk {

class MlflowRoutes {
 public:
  MlflowRoutes(const ServeSettings& settings, Identities& identities);

  /// Appends every MLflow route (both prefixes, and the artifact proxy) to routes.
  void add_routes(std::vector<Route>& routes) const;

  // Experiments (mlflow_api.cpp).
  HttpResponse experiment_get_by_name(const RouteCall& call) const;
  HttpResponse experiment_get(const RouteCall& call) const;
  HttpResponse experiment_create(const RouteCall& call) const;
  HttpResponse experiment_search(const RouteCall& call) const;
  // Runs (mlflow_api_runs.cpp).
  HttpResponse run_create(const RouteCall& call) const;
  HttpResponse run_get(const RouteCall& call) const;
  HttpResponse run_update(const RouteCall& call) const;
  HttpResponse run_delete(const RouteCall& call) const;
  HttpResponse run_restore(const RouteCall& call) const;
  HttpResponse run_search(const RouteCall& call) const;
  HttpResponse log_metric(const RouteCall& call) const;
  HttpResponse log_param(const RouteCall& call) const;
  HttpResponse log_batch(const RouteCall& call) const;
  HttpResponse set_tag(const RouteCall& call) const;
  HttpResponse delete_tag(const RouteCall& call) const;
  HttpResponse metric_history(const RouteCall& call) const;
  // The registry (mlflow_api_registry.cpp).
  HttpResponse model_create(const RouteCall& call) const;
  HttpResponse model_get(const RouteCall& call) const;
  HttpResponse model_search(const RouteCall& call) const;
  HttpResponse latest_versions(const RouteCall& call) const;
  HttpResponse alias_set(const RouteCall& call) const;
  HttpResponse alias_get(const RouteCall& call) const;
  HttpResponse alias_delete(const RouteCall& call) const;
  HttpResponse version_create(const RouteCall& call) const;
  HttpResponse version_get(const RouteCall& call) const;
  HttpResponse version_search(const RouteCall& call) const;
  HttpResponse version_download_uri(const RouteCall& call) const;
  // The artifact proxy (mlflow_api_artifacts.cpp): the call's param is
  // <experiment id>/<run id>/artifacts/<path>.
  HttpResponse artifact_upload(const RouteCall& call) const;
  HttpResponse artifact_download(const RouteCall& call) const;
  HttpResponse artifact_list(const RouteCall& call) const;  ///< ?path=<exp>/<run>/artifacts/...

 private:
  ServeSettings settings_;
  Identities& identities_;
};

/// True for a path under MLflow's prefixes (tracking, registry, artifact proxy).
bool is_mlflow_path(std::string_view path);

/// Rewrites an error answer of an MLflow route into MLflow's envelope {"error_code", "message"}:
/// the code a handler gave (HttpError details "error_code"), else the one MLflow uses for the
/// status (ENDPOINT_NOT_FOUND when no route matched).
void to_mlflow_error(HttpResponse& response, bool route_matched);

/// An HttpError carrying MLflow's error code.
HttpError mlflow_error(int status, const std::string& code, const std::string& message);

/// The request's message as MLflow's server reads it: a GET's (or a body-less DELETE's) query
/// string (repeated names listed in `repeated` become lists), else the JSON body (an object;
/// nested at most kMaxJsonDepth levels). HttpError 400 INVALID_PARAMETER_VALUE otherwise.
nlohmann::json mlflow_request(const RouteCall& call, const std::vector<std::string>& repeated = {});

/// The URI a run's artifacts are reported under: file:// for a client on this host (loopback),
/// MLflow's proxy scheme mlflow-artifacts:/<experiment>/<run>/artifacts for the others.
std::string mlflow_artifact_uri(const Run& run, const HttpRequest& request);

/// The run an id names; 404 RESOURCE_DOES_NOT_EXIST for an id that is not 32 hex digits or no
/// run has.
Run mlflow_find_run(Store& store, const std::string& run_id);

}  // namespace loanrisk
