#pragma once
// The web app's side of the server: its embedded files and the JSON routes its pages need
// (registry, promotion, runs, studies, background jobs, EDA of the training data, model card).
// ServeApi checks methods and tokens and hands these routes over; they never see a socket.
#include <memory>
#include <string>

#include "loanrisk/serve/api.hpp"

namespace loanrisk {

class JobRunner;

/// The route-table key of a path: prefixed paths collapse to a template (e.g. "/api/v1/jobs/{id}"),
/// so that metrics labels stay few; other paths are returned unchanged.
std::string app_route_key(const std::string& path);

/// True when the key (from app_route_key) is a route of the web app.
bool is_app_route(const std::string& key);

/// Handles the web app's routes; safe to call from many threads at once.
class AppRoutes {
 public:
  /// settings.store must be the store URI the server uses.
  AppRoutes(const ServeSettings& settings, ModelHolder& holder);
  ~AppRoutes();
  AppRoutes(const AppRoutes&) = delete;
  AppRoutes& operator=(const AppRoutes&) = delete;

  /// Answers one of the app's routes (key from app_route_key); throws HttpError for bad input.
  HttpResponse handle(const HttpRequest& request, const std::string& key, const std::string& path,
                      const std::string& query) const;

 private:
  HttpResponse job_list() const;
  HttpResponse models() const;
  HttpResponse promote(const HttpRequest& request) const;
  HttpResponse runs(const std::string& query) const;
  HttpResponse run(const std::string& id) const;
  HttpResponse studies() const;
  HttpResponse study(const std::string& name) const;
  HttpResponse data() const;
  HttpResponse card() const;

  ServeSettings settings_;  ///< a copy: the routes outlive nothing they point into.
  ModelHolder& holder_;
  std::unique_ptr<JobRunner> jobs_;
};

}  // namespace loanrisk
