#pragma once
// The web app's side of the server: its embedded files and the JSON routes its pages need
// (registry, promotion, runs, studies, background jobs, EDA of the training data, model card).
// The server's route table (route_table.cpp) lists these handlers beside its own; ServeApi checks
// methods and tokens before calling them. They never see a socket.
#include <memory>
#include <string>

#include "loanrisk/serve/api.hpp"

namespace loanrisk {

class JobRunner;

/// Handles the web app's routes; safe to call from many threads at once.
class AppRoutes {
 public:
  /// settings.store must be the store URI the server uses; identities are the server's.
  AppRoutes(const ServeSettings& settings, ModelHolder& holder, Identities& identities);
  ~AppRoutes();
  AppRoutes(const AppRoutes&) = delete;
  AppRoutes& operator=(const AppRoutes&) = delete;

  // The handlers, called through the route table; each throws HttpError for bad input.
  /// An embedded file: "/" or "/app/..." (the call's path), with an ETag.
  HttpResponse file(const RouteCall& call) const;
  HttpResponse models() const;
  // Promotions (app_promotions.cpp): a direct move, or a request a second person approves.
  HttpResponse promote(const RouteCall& call) const;
  HttpResponse approve(const RouteCall& call) const;  ///< the request id is the call's param.
  HttpResponse reject(const RouteCall& call) const;   ///< the request id is the call's param.
  /// A validation report attached to a version, by sha256: report.html, or ?format=json.
  HttpResponse report(const RouteCall& call) const;
  HttpResponse runs(const RouteCall& call) const;  ///< ?experiment=NAME
  HttpResponse run(const RouteCall& call) const;   ///< the run id is the call's param.
  // A run's artifacts (app_artifacts.cpp); the run id is the call's param.
  HttpResponse run_artifacts(const RouteCall& call) const;  ///< the list of its files.
  /// One file, the call's rest; ?download=1 as an attachment.
  HttpResponse run_artifact(const RouteCall& call) const;
  /// The evaluation report in its bundle: report.html, ?format=json; ?download=1.
  HttpResponse run_report(const RouteCall& call) const;
  HttpResponse run_bundle(const RouteCall& call) const;  ///< the bundle as a tar archive.
  /// A run's bundle as the next version of a model: {run_id, name, reason, description}.
  HttpResponse register_run(const RouteCall& call) const;
  HttpResponse studies() const;
  HttpResponse study(const RouteCall& call) const;  ///< the study's name, percent-encoded.
  // Background jobs (app_jobs.cpp); the job id is the call's param.
  HttpResponse start_job(const RouteCall& call) const;
  HttpResponse job_list() const;
  HttpResponse job(const RouteCall& call) const;
  HttpResponse stop_job(const RouteCall& call) const;  ///< {reason}: who started it, or an admin.
  HttpResponse job_log(const RouteCall& call) const;   ///< ?offset=N: from there; else the tail.
  HttpResponse data() const;
  HttpResponse data_profile(const HttpRequest& request) const;  ///< the body is a CSV file.
  HttpResponse card() const;
  /// The audit trail for admins (app_audit.cpp): ?since=&who=&outcome=&before=&limit=, newest
  /// first; &format=jsonl exports it as JSON lines, oldest first.
  HttpResponse audit(const RouteCall& call) const;

 private:
  ServeSettings settings_;  ///< a copy: the routes outlive nothing they point into.
  ModelHolder& holder_;
  Identities& identities_;
  std::unique_ptr<JobRunner> jobs_;
};

/// A query string's value for key, percent-decoded; "" when absent.
std::string query_value(const std::string& query, const std::string& key);

/// The server's store, opened for one request (connections are not shared between threads).
std::unique_ptr<Store> open_app_store(const ServeSettings& settings);

/// The run a URL's id names; HttpError 404 for an id that is not 32 lower-case hex digits or
/// that no run has.
Run find_app_run(Store& store, std::string_view id);

}  // namespace loanrisk
