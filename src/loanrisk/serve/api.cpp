#include "loanrisk/serve/api.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/serve/app_api.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/mlflow_api.hpp"
#include "loanrisk/serve/shadow.hpp"

namespace loanrisk {
namespace {

spdlog::level::level_enum level_of(const std::string& name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn") return spdlog::level::warn;
  if (name == "off") return spdlog::level::off;
  return spdlog::level::info;
}

/// An id for one request's log line and error answer: the process's start time and a counter,
/// unique across restarts without a random source.
std::string next_request_id() {
  static const auto start =
      static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  static std::atomic<unsigned long long> counter{0};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llx-%llx", start, counter.fetch_add(1) + 1);
  return buf;
}

/// The answer when a handler failed in a way no route expects (a bug): never the exception's
/// text, which may hold internals, but an id to find the logged details by.
HttpResponse internal_error(const std::string& request_id) {
  HttpResponse r;
  r.status = 500;
  r.body = "{\"error\":\"internal error; the server logged the details under request id " +
           request_id + "\",\"request_id\":\"" + request_id + "\"}";
  r.headers.emplace_back("X-Request-Id", request_id);
  return r;
}

HttpResponse text_response(std::string body, std::string_view type = "text/plain; charset=utf-8") {
  HttpResponse r;
  r.content_type = type;
  r.body = std::move(body);
  return r;
}

}  // namespace

HttpResponse json_response(const nlohmann::json& j, int status) {
  HttpResponse r;
  r.status = status;
  r.body = dump_json(j);
  return r;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  unsigned diff = static_cast<unsigned>(a.size() ^ b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(b.empty() ? 0 : b[i % b.size()]);
  }
  return diff == 0;
}

std::size_t json_nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

nlohmann::json parse_json_body(const std::string& body) {
  // Copying, comparing or printing a document is recursive: a body of 100,000 nested arrays
  // would overflow the stack long after the (iterative) parser accepted it.
  if (json_nesting_depth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    throw HttpError(400, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                             " levels; an applicant is a flat object of numbers");
  }
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw HttpError(400, "malformed JSON at byte " + std::to_string(e.byte) +
                             ": send a JSON object or array (e.g. {\"fico_score\": 640, ...})");
  } catch (const nlohmann::json::exception& e) {
    // out_of_range: a number such as 1e400 that no double holds.
    throw HttpError(400, std::string("JSON number out of range (") + e.what() +
                             "): send finite numbers within about 1e308");
  }
}

ServeApi::ServeApi(ServeSettings settings, ModelHolder& holder, ServeMetrics& metrics)
    : settings_(std::move(settings)),
      holder_(holder),
      metrics_(metrics),
      identities_(std::make_unique<Identities>(settings_.store, settings_.oidc)),
      sessions_(std::make_unique<Sessions>(
          [ids = identities_.get()](const Identity& who) { return ids->still_active(who); })),
      wrong_tokens_(std::make_unique<WrongTokenLimiter>(settings_.wrong_token_limit)),
      app_(std::make_shared<AppRoutes>(settings_, holder_, *identities_)),
      mlflow_(std::make_shared<MlflowRoutes>(settings_, *identities_)),
      log_level_(level_of(settings_.log_level)),
      routes_(route_table()),
      openapi_(dump_json(openapi_document(routes_))) {}

HttpResponse ServeApi::error(int status, const std::string& message) {
  return json_response({{"error", message}}, status);
}

std::shared_ptr<const LoadedModel> ServeApi::model() const {
  auto m = holder_.current();
  if (!m) throw HttpError(503, "no model is loaded yet; see GET /readyz");
  return m;
}

HttpResponse ServeApi::handle(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  const auto q = request.target.find('?');
  const std::string path = request.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : request.target.substr(q + 1);
  std::string route = "other";
  const Route* matched = nullptr;
  Identity who{"", {}, "anonymous"};
  HttpResponse response;
  const bool credential = !request.authorization.empty() && settings_.wrong_token_limit > 0;
  const std::string host = credential ? WrongTokenLimiter::host_of(request.client) : "";
  std::int64_t wait = 0;
  try {
    if (credential && (wait = wrong_tokens_->blocked_for(host, start)) > 0) {
      throw HttpError(429, "too many wrong tokens from this address: wait " + std::to_string(wait) +
                               " s, then send the right one");
    }
    response = dispatch(request, path, query, route, matched, who);
  } catch (const HttpError& e) {
    response = json_response(e.body(), e.status());
  } catch (const GateError& e) {
    response = error(409, e.what());  // the version's evidence, not the caller, is what is short
  } catch (const RefusedError& e) {
    response = error(403, e.what());
  } catch (const InputError& e) {
    response = error(400, e.what());
  } catch (const UnavailableError& e) {
    response = error(503, e.what());
  } catch (const UsageError& e) {
    response = error(400, e.what());
  } catch (const std::exception& e) {
    const std::string id = next_request_id();
    spdlog::error("internal error request_id={} method={} path={}: {}", id,
                  echo_text(request.method), echo_text(path), echo_text(e.what(), 2000));
    response = internal_error(id);
  } catch (...) {
    const std::string id = next_request_id();
    spdlog::error("internal error request_id={} method={} path={}: unknown exception", id,
                  echo_text(request.method), echo_text(path));
    response = internal_error(id);
  }
  if (response.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (wait > 0) response.headers.emplace_back("Retry-After", std::to_string(wait));
  if (credential && response.status == 401) wrong_tokens_->failed(host, start);
  audit(request, path, matched, who, response);
  // An MLflow client reads MLflow's error envelope, {"error_code", "message"}.
  if (response.status >= 400 && is_mlflow_path(path)) to_mlflow_error(response, matched != nullptr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.observe_request(route, response.status, seconds);
  const auto level = static_cast<spdlog::level::level_enum>(log_level_);
  if (level == spdlog::level::off) return response;
  const auto m = holder_.current();
  spdlog::log(level, "request method={} path={} status={} latency_ms={:.3f} model_version={}",
              echo_text(request.method), route == "other" ? "(unknown)" : echo_text(path),
              response.status, seconds * 1e3,
              m ? (m->version.empty() ? m->name : m->version) : "-");
  return response;
}

HttpResponse ServeApi::dispatch(const HttpRequest& request, const std::string& path,
                                const std::string& query, std::string& route, const Route*& matched,
                                Identity& who) const {
  const RouteTable::Resolution found = routes_.resolve(request.method, path);
  if (found.label.empty()) {
    throw HttpError(404, "no route " + echo_text(path) + "; see GET /openapi.json for the API");
  }
  route = found.label;
  if (!found.route) {
    const std::string allow(found.allow);
    HttpResponse resp = error(405, "method " + echo_text(request.method) + " is not allowed on " +
                                       echo_text(path) + "; use " + allow);
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  matched = found.route;
  check_access(found.route->access, request, who);
  return found.route->handler({request, path, query, found.param, who, found.rest});
}

void ServeApi::audit(const HttpRequest& request, const std::string& path, const Route* matched,
                     const Identity& who, HttpResponse& response) const {
  const bool changes = matched && matched->method != "GET" && matched->access != Access::Open &&
                       matched->access != Access::Predict;
  // Who took a copy of a model's files is recorded like a change.
  const bool copies = matched && matched->access == Access::Artifacts;
  if (!changes && !copies && response.status != 401 && response.status != 403) return;
  const std::string id = next_request_id();
  response.headers.emplace_back("X-Request-Id", id);
  std::string detail = response.audit_note;
  if (response.status >= 400) {
    // The answer's own message: what the caller was told, never a secret (tokens are not echoed).
    try {
      const auto body = nlohmann::json::parse(response.body);
      detail = body.value("error", body.value("message", ""));
    } catch (const std::exception&) {
    }
  }
  identities_->audit({.id = 0,
                      .time_ms = 0,
                      .who = who.name,
                      .role = who.roles_text(),
                      .source = who.source,
                      .request_id = id,
                      .client = request.client,
                      .action = request.method + " " + (matched ? matched->path : path),
                      .target = path,
                      .outcome = audit_outcome(response.status, true),
                      .status = response.status,
                      .detail = detail});
}

namespace {

/// The roles a local user needs for a route (docs/security.md).
bool allows(Access access, Role role) {
  switch (access) {
    case Access::Open:
    case Access::Signed:
      return true;
    case Access::Predict:
      return role != Role::kViewer;
    case Access::Analyst:
      return role == Role::kAnalyst || role == Role::kAdmin;
    case Access::Promote:
    case Access::Artifacts:
      return role == Role::kAnalyst || role == Role::kValidator || role == Role::kAdmin;
    case Access::Validator:
      return role == Role::kValidator || role == Role::kAdmin;
    case Access::Admin:
      return role == Role::kAdmin;
  }
  return false;
}

std::string_view needed(Access access) {
  switch (access) {
    case Access::Predict:
      return "officer, analyst, validator or admin";
    case Access::Analyst:
      return "analyst or admin";
    case Access::Promote:
    case Access::Artifacts:
      return "analyst, validator or admin";
    case Access::Validator:
      return "validator or admin";
    default:
      return "admin";
  }
}

}  // namespace

void ServeApi::require_role(Access access, const Identity& who) const {
  if (access == Access::Open || access == Access::Signed) return;
  if (std::any_of(who.roles.begin(), who.roles.end(), [&](Role r) { return allows(access, r); })) {
    return;
  }
  if (who.roles.empty()) {
    throw HttpError(403, "user " + echo_text(who.name) +
                             " has no loanrisk role in the identity provider's token (claim " +
                             echo_text(settings_.oidc ? settings_.oidc->config.role_claim : "") +
                             "); this route needs " + std::string(needed(access)));
  }
  throw HttpError(403, "user " + echo_text(who.name) + " has the role " + who.roles_text() +
                           "; this route needs " + std::string(needed(access)));
}

void ServeApi::check_access(Access access, const HttpRequest& request, Identity& who) const {
  // A browser signed in through the web app sends its session cookie and no Authorization.
  std::optional<Sessions::Found> session;
  const bool has_cookie = request.authorization.empty() &&
                          !Sessions::cookie_value(request.cookie, Sessions::kCookie).empty();
  if (has_cookie) {
    session = sessions_->find(request.cookie);
    if (session) who = session->who;  // also on open routes, for the pages and the audit trail
  }
  if (access == Access::Open ||
      (access == Access::Predict && !settings_.require_token_for_predict)) {
    return;
  }
  if (session) {
    // The cookie rides along with any request the browser makes, even one another site's page
    // triggers; the CSRF token is only in this server's own page.
    if (request.method != "GET" && request.method != "HEAD" &&
        !constant_time_equal(request.csrf_token, session->csrf)) {
      throw HttpError(403,
                      "the request lacks this session's CSRF token (X-CSRF-Token): reload the "
                      "page and try again");
    }
    require_role(access, who);
    return;
  }
  if (has_cookie) {
    throw HttpError(401, "your sign-in has expired or was ended: sign in again");
  }
  const std::string prefix = "Bearer ";
  const std::string& authorization = request.authorization;
  const std::string token =
      authorization.rfind(prefix, 0) == 0 ? authorization.substr(prefix.size()) : std::string();
  // A local user's token: its role decides.
  if (token.starts_with("lr_")) {
    const std::optional<User> user = identities_->authenticate(token);
    if (!user) {
      throw HttpError(401,
                      "unknown, wrong or revoked user token: ask an admin for a token "
                      "(`loanrisk users add`)");
    }
    who = {user->name, {user->role}, "user"};  // known before any refusal, for the audit trail
    require_role(access, who);
    return;
  }
  // A token from the bank's identity provider (a JWT: three dot-separated parts).
  if (identities_->oidc() && std::count(token.begin(), token.end(), '.') == 2) {
    who = identities_->authenticate_oidc(token);  // 401 / 503 inside
    require_role(access, who);
    return;
  }
  // The environment's tokens: the API token for predictions, the admin token for the rest; both
  // may sign in.
  const bool signing_in = access == Access::Signed;
  if (signing_in && !token.empty()) {
    if (!settings_.admin_token.empty() && constant_time_equal(token, settings_.admin_token)) {
      who = {"admin-token", {Role::kAdmin}, "admin-token"};
      return;
    }
    if (!settings_.api_token.empty() && constant_time_equal(token, settings_.api_token)) {
      who = {"api-token", {Role::kOfficer}, "api-token"};
      return;
    }
  }
  const bool predict = access == Access::Predict;
  const std::string& expected = predict ? settings_.api_token : settings_.admin_token;
  if (expected.empty() && !signing_in) {
    throw HttpError(403, predict ? "prediction endpoints require a token but none is configured: "
                                   "set LOANRISK_API_TOKEN"
                                 : "admin endpoints are disabled: start the server with "
                                   "LOANRISK_ADMIN_TOKEN set");
  }
  if (signing_in || token.empty() || !constant_time_equal(token, expected)) {
    throw HttpError(401, signing_in ? "unknown, wrong or revoked token: sign in with a token from "
                                      "`loanrisk users add` or the identity provider"
                                    : "missing or wrong bearer token: send 'Authorization: "
                                      "Bearer <token>'");
  }
  who = predict ? Identity{"api-token", {Role::kOfficer}, "api-token"}
                : Identity{"admin-token", {Role::kAdmin}, "admin-token"};
}

HttpResponse ServeApi::health() const {
  return json_response({{"status", "ok"}});
}

// MLflow's /ping and /health: "\n" as application/json, 200 with a model loaded, 404 without.
HttpResponse ServeApi::ping() const {
  HttpResponse r = text_response("\n", "application/json");
  if (!holder_.current()) r.status = 404;
  return r;
}

HttpResponse ServeApi::version_text() const {
  return text_response(std::string(version()));
}

HttpResponse ServeApi::readiness() const {
  const auto m = holder_.current();
  if (!m) return json_response({{"status", "no model loaded"}}, 503);
  return json_response({{"status", "ready"}, {"model", m->name}, {"version", m->version}});
}

HttpResponse ServeApi::openapi() const {
  HttpResponse r;
  r.body = openapi_;
  return r;
}

HttpResponse ServeApi::prometheus() const {
  const auto m = holder_.current();
  return text_response(metrics_.render(m ? m->name : "", m ? m->version : "", holder_.reloads(),
                                       holder_.failures()) +
                           (monitor_ ? monitor_metrics() : std::string()) +
                           (shadow_ ? shadow_->render_metrics() : std::string()),
                       "text/plain; version=0.0.4; charset=utf-8");
}

HttpResponse ServeApi::model_info() const {
  const auto m = model();
  const Bundle& b = m->bundle;
  nlohmann::json grades = nlohmann::json::array();
  for (const auto& g : settings_.grades) grades.push_back({{"name", g.name}, {"max_pd", g.max_pd}});
  nlohmann::json j = {
      {"name", m->name},
      {"version", m->version},
      {"alias", m->alias},
      {"uri", m->uri},
      {"source", m->source.string()},
      {"loaded_at", m->loaded_at},
      {"family", b.family},
      {"threshold", b.threshold},
      {"features", b.pipeline.feature_names()},
      {"schema", b.schema.to_json()},
      {"metrics", b.metrics},
      {"lineage", b.lineage},
      {"created_at", b.created_at},
      {"grades", grades},
      {"lgd", settings_.lgd},
      // What one request may carry, so that clients (the Batch page) can split
      // a larger file instead of being refused.
      {"limits",
       {{"max_batch", settings_.max_batch}, {"max_body_bytes", settings_.max_body_bytes}}}};
  if (shadow_) j["challenger"] = shadow_->to_json();
  return json_response(j);
}

HttpResponse ServeApi::activity() const {
  const ServeMetrics::Today t = metrics_.today();
  const auto m = holder_.current();
  nlohmann::json j = {
      {"day", iso8601_ms(t.day * 86'400'000).substr(0, 10)},
      {"since", iso8601_ms(t.since * 1000)},
      {"scored", t.scored},
      {"decided", t.decided},
      {"approved", t.decided - t.declined},
      {"declined", t.declined},
      // No rate from no decisions: the page says "no decisions yet" rather than 0%.
      {"approval_rate", t.decided ? nlohmann::json(static_cast<double>(t.decided - t.declined) /
                                                   static_cast<double>(t.decided))
                                  : nlohmann::json(nullptr)},
      {"threshold", m ? nlohmann::json(m->bundle.threshold) : nlohmann::json(nullptr)}};
  return json_response(j);
}

HttpResponse ServeApi::reload() const {
  const ReloadResult r = holder_.reload(true);
  nlohmann::json j = {{"changed", r.changed}};
  if (r.model) j["model"] = {{"name", r.model->name}, {"version", r.model->version}};
  if (shadow_) {
    // The challenger is re-resolved too; its refusal leaves the champion's answer a success.
    const ReloadResult c = shadow_->challenger().reload(true);
    nlohmann::json& cj = j["challenger"] = {{"changed", c.changed}};
    if (c.model) cj["model"] = {{"name", c.model->name}, {"version", c.model->version}};
    if (!c.error.empty()) {
      cj["error"] =
          "candidate challenger refused, the current one (if any) keeps shadowing: " + c.error;
    }
  }
  if (!r.error.empty()) {
    j["error"] = "candidate model refused, the current model keeps serving: " + r.error;
    return json_response(j, 409);
  }
  return json_response(j);
}

}  // namespace loanrisk
