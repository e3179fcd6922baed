// The server's one route table. A route is one line here: method, path template, access, handler
// and summary; dispatch, the token check, the metrics label and openapi.json all follow it
// (openapi.cpp may add a route's detailed request and response schemas, keyed by this table).
#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/mlflow_api.hpp"

namespace loanrisk {
namespace {

// A handler from a member function of the server or of the web app, called on obj. The member
// takes the whole call, the request, the request and its query string, or nothing.
template <class T>
RouteHandler on(const T* obj, HttpResponse (T::*f)() const) {
  return [obj, f](const RouteCall&) { return (obj->*f)(); };
}
template <class T>
RouteHandler on(const T* obj, HttpResponse (T::*f)(const RouteCall&) const) {
  return [obj, f](const RouteCall& c) { return (obj->*f)(c); };
}
template <class T>
RouteHandler on(const T* obj, HttpResponse (T::*f)(const HttpRequest&) const) {
  return [obj, f](const RouteCall& c) { return (obj->*f)(c.request); };
}
template <class T>
RouteHandler on(const T* obj, HttpResponse (T::*f)(const HttpRequest&, const std::string&) const) {
  return [obj, f](const RouteCall& c) { return (obj->*f)(c.request, c.query); };
}

}  // namespace

std::vector<Route> ServeApi::route_table() const {
  const ServeApi* api = this;
  const AppRoutes* app = app_.get();
  using Api = ServeApi;
  using App = AppRoutes;
  using enum Access;
  // clang-format off
  std::vector<Route> routes = {
      // method, path template, access, handler, summary (openapi.json)
      {"POST", "/api/v1/predict", Predict, on(api, &Api::predict), "PD, grade, decision, expected loss and reason codes per applicant"},
      {"POST", "/api/v1/explain", Predict, on(api, &Api::explain), "SHAP contributions per feature (log-odds)"},
      {"POST", "/invocations", Predict, on(api, &Api::invocations), "MLflow scoring protocol"},
      {"POST", "/api/v1/score-csv", Predict, on(api, &Api::score_csv), "CSV in, scored CSV out (rejected lines reported)"},
      {"GET", "/api/v1/model", Open, on(api, &Api::model_info), "The model serving: version, schema, metrics, lineage, grades"},
      {"GET", "/api/v1/activity", Open, on(api, &Api::activity), "Rows scored and decisions made today (UTC), counted in memory since midnight or the server's start, whichever is later; what-if probes are not counted"},
      {"GET", "/api/v1/monitoring", Open, on(api, &Api::monitoring), "Live drift: PSI of the score and of each input over the last window_size scored rows against the training reference (docs/monitoring.md)"},
      {"GET", "/api/v1/monitoring/{column}", Open, on(api, &Api::monitoring_column), "One input (or score) of the live window against its training reference, as `loanrisk monitor` compares a file: PSI, KS, Wasserstein, means, missing shares and bins"},
      {"GET", "/api/v1/monitoring/{column}/days", Open, on(api, &Api::monitoring_days), "One input (or score) by UTC day from the prediction log (?days=1..90, default 14): each day's rows against the serving model's reference (PSI, status, mean)"},
      {"POST", "/api/v1/admin/reload", Admin, on(api, &Api::reload), "Re-resolve the model URI and swap in the new bundle now"},
      {"GET", "/api/v1/session", Open, on(api, &Api::session), "Who is signed in (web sign-in), with the CSRF token a signed-in page sends as X-CSRF-Token"},
      {"POST", "/api/v1/session", Signed, on(api, &Api::sign_in), "Sign in: the bearer token (a user's, the identity provider's or the admin token) for a session cookie (Secure; HttpOnly; SameSite=Strict)"},
      {"DELETE", "/api/v1/session", Signed, on(api, &Api::sign_out), "Sign out: end the session and clear its cookie"},
      {"GET", "/healthz", Open, on(api, &Api::health), "Liveness"},
      {"GET", "/readyz", Open, on(api, &Api::readiness), "Readiness: a model is loaded"},
      {"GET", "/metrics", Open, on(api, &Api::prometheus), "Prometheus metrics"},
      {"GET", "/openapi.json", Open, on(api, &Api::openapi), "This document"},
      {"GET", "/ping", Open, on(api, &Api::ping), "MLflow liveness"},
      {"GET", "/health", Open, on(api, &Api::ping), "MLflow health"},
      {"GET", "/version", Open, on(api, &Api::version_text), "Server version"},
      // The web app (app_api.cpp): its files, then the JSON its pages read.
      {"GET", "/", Open, on(app, &App::file), "The web app (embedded in the binary)"},
      {"GET", "/app/{file...}", Open, on(app, &App::file), "The web app's scripts, styles and echarts"},
      {"GET", "/api/v1/models", Open, on(app, &App::models), "Registered models: versions with metrics, aliases, history; the model serving"},
      {"POST", "/api/v1/admin/promote", Promote, on(app, &App::promote), "Point an alias (default champion) at a version {model, version, alias, reason, report_sha256, override} and reload; a protected alias needs a validation report without red gates (else 409, unless override with the reason), and in a store with users gets a request for a second person's approval (202)"},
      {"POST", "/api/v1/admin/promotions/{id}/approve", Validator, on(app, &App::approve), "Approve a promotion request {reason} (four-eyes: not by who trained, registered or requested it) and reload"},
      {"POST", "/api/v1/admin/promotions/{id}/reject", Promote, on(app, &App::reject), "Reject a promotion request {reason} (a validator), or withdraw it (its requester)"},
      {"GET", "/api/v1/reports/{sha256}", Open, on(app, &App::report), "A validation report attached to a version (see /api/v1/models): report.html, or ?format=json"},
      {"GET", "/api/v1/runs", Open, on(app, &App::runs), "Tracked runs (newest 300) with params, metrics and tags; ?experiment=NAME"},
      {"GET", "/api/v1/runs/{id}", Open, on(app, &App::run), "One run with the history of every metric"},
      // A run's artifacts (docs/webapp.md, "Runs and artifacts"): its list and its evaluation report are
      // summaries anyone may read; its files and bundle are the model itself, for who builds,
      // registers or validates models, and every copy taken is in the audit trail.
      {"GET", "/api/v1/runs/{id}/artifacts", Open, on(app, &App::run_artifacts), "A run's artifact files (path, bytes, viewable), whether it has a bundle and an evaluation report"},
      {"GET", "/api/v1/runs/{id}/artifacts/{path...}", Artifacts, on(app, &App::run_artifact), "One artifact file of a run, confined to its artifact folder: HTML, JSON and text shown (sandboxed), anything else or ?download=1 as an attachment"},
      {"GET", "/api/v1/runs/{id}/report", Open, on(app, &App::run_report), "The evaluation report in a run's bundle (ROC, PR, KS, calibration, importance, bootstrap intervals): report.html, ?format=json, ?download=1 as an attachment"},
      {"GET", "/api/v1/runs/{id}/bundle", Artifacts, on(app, &App::run_bundle), "A run's model bundle as one tar archive (bundle/...), as an attachment"},
      {"POST", "/api/v1/admin/register", Analyst, on(app, &App::register_run), "Register a FINISHED run's bundle as the next version of a model {run_id, name, reason, description}; 201 with the version"},
      {"GET", "/api/v1/studies", Open, on(app, &App::studies), "Tuning studies with trial counts and best value"},
      {"GET", "/api/v1/studies/{name}", Open, on(app, &App::study), "Study analysis: history, importances, slice, parallel coordinates"},
      {"POST", "/api/v1/admin/jobs", Analyst, on(app, &App::start_job), "Start a background train or tune run {family, features, tune, trials, experiment, data}"},
      // A job's record quotes its command's errors and its data path: not for every reader.
      {"GET", "/api/v1/jobs", Analyst, on(app, &App::job_list), "Background jobs, families and features a job may use"},
      {"GET", "/api/v1/jobs/{id}", Analyst, on(app, &App::job), "A job's state (queued, running, succeeded, failed or stopped), trials done / total, exit code, the tail of its log, who stopped it and why"},
      {"GET", "/api/v1/jobs/{id}/log", Analyst, on(app, &App::job_log), "A job's log (stdout and stderr) so far: its last 64 KiB, or ?offset=N (the previous answer's next_offset) to follow it; invalid UTF-8 replaced"},
      {"POST", "/api/v1/admin/jobs/{id}/stop", Analyst, on(app, &App::stop_job), "Stop a waiting or running job {reason} (who started it, or an admin): SIGTERM, a study ends its trial in flight as FAIL and stays resumable; 409 once it has ended"},
      {"GET", "/api/v1/data", Open, on(app, &App::data), "EDA of the served model's training data (else its schema)"},
      {"POST", "/api/v1/data/profile", Predict, on(app, &App::data_profile), "EDA of an uploaded CSV file (body, text/csv) against the served model's schema, as GET /api/v1/data shows the training data; the file needs the target column and is not kept"},
      {"GET", "/api/v1/model/card", Open, on(app, &App::card), "The served model's card (Markdown)"},
      {"GET", "/api/v1/audit", Admin, on(app, &App::audit), "The audit trail, newest first: ?since=&who=&outcome=&before=&limit= (at most 5000); &format=jsonl exports it as JSON lines, oldest first"},
  };
  // clang-format on
  // MLflow's tracking and registry REST API and its artifact proxy (mlflow_api.cpp lists them).
  mlflow_->add_routes(routes);
  return routes;
}

}  // namespace loanrisk
