#pragma once
// The server's routes, independent of the socket code: a request in, a response out. Handlers are
// thin (parse, call the layers, write JSON); every error becomes a JSON answer, never a crash.
// Which handler answers which method and path is the route table's (routes.hpp, route_table.cpp).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/serve/identities.hpp"
#include "loanrisk/serve/model_holder.hpp"
#include "loanrisk/serve/prometheus.hpp"
#include "loanrisk/serve/routes.hpp"
#include "loanrisk/serve/sessions.hpp"
#include "loanrisk/serve/settings.hpp"
#include "loanrisk/serve/wrong_token_limiter.hpp"

namespace loanrisk {

class AppRoutes;
class MlflowRoutes;
class PredictionMonitor;
class ShadowScorer;

/// Routes requests to handlers; safe to call from many threads at once.
class ServeApi {
 public:
  ServeApi(ServeSettings settings, ModelHolder& holder, ServeMetrics& metrics);
  // The route table's handlers point at this object.
  ServeApi(const ServeApi&) = delete;
  ServeApi& operator=(const ServeApi&) = delete;
  /// Answers a request; never throws. Records metrics and writes the request log line.
  HttpResponse handle(const HttpRequest& request) const;
  /// An error answer with {"error": message}.
  static HttpResponse error(int status, const std::string& message);
  const ServeSettings& settings() const { return settings_; }
  /// Every route this server answers: its own and the web app's.
  const RouteTable& routes() const { return routes_; }
  /// Sends scored rows to live drift and the prediction log, and serves /api/v1/monitoring.
  void set_monitor(PredictionMonitor* monitor) { monitor_ = monitor; }
  /// Scores every logged decision with a challenger too (shadow.hpp); the answers stay the
  /// champion's.
  void set_shadow(ShadowScorer* shadow) { shadow_ = shadow; }

 private:
  /// The one route table (route_table.cpp).
  std::vector<Route> route_table() const;
  /// Returns when the request may call a route of this access, with who set to the caller (also
  /// when a known caller is refused); HttpError 401 (no or a wrong token) or 403 (a role that
  /// does not allow it, or the token kind switched off).
  /// A browser's session cookie counts when no Authorization header is sent; a state-changing
  /// request it carries must echo the session's CSRF token (403 otherwise).
  void check_access(Access access, const HttpRequest& request, Identity& who) const;
  /// HttpError 403 naming who's roles and the ones the route needs, unless one allows it.
  void require_role(Access access, const Identity& who) const;
  /// Runs the route; fills route (the metrics label), matched and who as far as it got.
  HttpResponse dispatch(const HttpRequest& request, const std::string& path,
                        const std::string& query, std::string& route, const Route*& matched,
                        Identity& who) const;
  /// Appends a state-changing request, or any refusal, to the audit trail (and tags the answer
  /// with its request id).
  void audit(const HttpRequest& request, const std::string& path, const Route* matched,
             const Identity& who, HttpResponse& response) const;
  std::shared_ptr<const LoadedModel> model() const;
  HttpResponse predict(const HttpRequest& request, const std::string& query) const;
  HttpResponse explain(const HttpRequest& request) const;
  HttpResponse invocations(const HttpRequest& request) const;
  /// /invocations once its content type is accepted; errors are thrown, not answered.
  HttpResponse invocations_scored(const HttpRequest& request, bool csv) const;
  HttpResponse score_csv(const HttpRequest& request) const;
  HttpResponse model_info() const;
  HttpResponse activity() const;  ///< today's volume and decisions.
  HttpResponse reload() const;
  HttpResponse health() const;
  HttpResponse ping() const;
  HttpResponse version_text() const;
  HttpResponse readiness() const;
  HttpResponse openapi() const;
  HttpResponse prometheus() const;
  HttpResponse monitoring() const;                              // api_monitoring.cpp
  HttpResponse monitoring_column(const RouteCall& call) const;  // api_monitoring.cpp
  /// The route's column when the serving model's window has it: 503 without monitoring, 409
  /// without a reference, 404 naming the columns otherwise.
  std::string monitored_column(const LoadedModel& m, std::string_view param) const;
  HttpResponse monitoring_days(const RouteCall& call) const;  // api_monitoring.cpp
  HttpResponse session(const RouteCall& call) const;          // api_session.cpp: who is signed in
  HttpResponse sign_in(const RouteCall& call) const;          // api_session.cpp
  HttpResponse sign_out(const RouteCall& call) const;         // api_session.cpp
  std::string monitor_metrics() const;                        // api_monitoring.cpp
  /// Hands a request's scored rows to the monitor and the shadow (no-op without either).
  void record_predictions(const std::shared_ptr<const LoadedModel>& model, const Frame& frame,
                          const std::vector<double>& pd, const char* route) const;

  ServeSettings settings_;
  ModelHolder& holder_;
  ServeMetrics& metrics_;
  /// Local users' tokens and the audit trail (a pointer: it holds a mutex).
  std::unique_ptr<Identities> identities_;
  std::unique_ptr<Sessions> sessions_;               ///< web sign-in (sessions.hpp).
  std::unique_ptr<WrongTokenLimiter> wrong_tokens_;  ///< per client address.
  std::shared_ptr<AppRoutes> app_;        ///< the web app's files and routes (app_api.hpp).
  std::shared_ptr<MlflowRoutes> mlflow_;  ///< MLflow's REST API (mlflow_api.hpp).
  PredictionMonitor* monitor_ = nullptr;
  ShadowScorer* shadow_ = nullptr;
  int log_level_;  ///< settings_.log_level as spdlog's level, parsed once.
  RouteTable routes_;
  std::string openapi_;  ///< openapi_document(routes_), serialised once.
};

/// A JSON answer; text that is not valid UTF-8 is sent with U+FFFD in its place.
HttpResponse json_response(const nlohmann::json& j, int status = 200);

/// Equal strings in time independent of where they differ (tokens).
bool constant_time_equal(const std::string& a, const std::string& b);

/// The OpenAPI 3 document of every route in the table: its summary from the table, the detailed
/// request and response schemas that openapi.cpp keeps by route. InternalError when openapi.cpp
/// describes a route that is not in the table.
nlohmann::json openapi_document(const RouteTable& routes);

/// How deep a request's JSON may nest: an applicant body needs 3 levels, MLflow's shapes 4.
inline constexpr std::size_t kMaxJsonDepth = 64;

/// The deepest nesting of arrays and objects in JSON text, counted up to just past limit (the
/// scan stops there).
std::size_t json_nesting_depth(std::string_view text, std::size_t limit);

/// Parses a JSON body; HttpError 400 with the parser's position when malformed, nested deeper
/// than kMaxJsonDepth, or holding a number out of a double's range.
nlohmann::json parse_json_body(const std::string& body);

}  // namespace loanrisk
