// Web sign-in (sessions.hpp): trade a token for a session cookie, ask who is signed in, sign out.
#include <chrono>

#include <nlohmann/json.hpp>

#include "loanrisk/serve/api.hpp"
#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {
namespace {

nlohmann::json user_json(const Identity& who) {
  nlohmann::json roles = nlohmann::json::array();
  for (const Role r : who.roles) roles.push_back(to_string(r));
  return {{"name", who.name}, {"roles", roles}, {"source", who.source}};
}

// A session's answers name its CSRF token: never kept by a cache.
HttpResponse private_json(const nlohmann::json& j) {
  HttpResponse r = json_response(j);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

HttpResponse ServeApi::session(const RouteCall& call) const {
  const std::optional<Sessions::Found> s =
      call.request.authorization.empty() ? sessions_->find(call.request.cookie) : std::nullopt;
  nlohmann::json out = {{"signed_in", s.has_value()},
                        {"users", identities_->has_users()},
                        {"admin_token", !settings_.admin_token.empty()}};
  if (s) {
    out["user"] = user_json(s->who);
    out["csrf_token"] = s->csrf;
    out["expires_in"] = s->seconds_left;
  }
  return private_json(out);
}

HttpResponse ServeApi::sign_in(const RouteCall& call) const {
  if (call.request.authorization.empty()) {
    throw HttpError(400, "send the token to sign in with as 'Authorization: Bearer <token>'");
  }
  std::optional<std::int64_t> expires_in;
  if (call.who.expires > 0) {
    // The session must not outlive the provider's token (checked once, by the access check).
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    expires_in = call.who.expires - now;
  }
  sessions_->end(call.request.cookie);  // a browser signing in again drops its old session
  const Sessions::Started s = sessions_->start(call.who, expires_in);
  HttpResponse r = private_json({{"signed_in", true},
                                 {"user", user_json(call.who)},
                                 {"csrf_token", s.csrf},
                                 {"expires_in", s.max_age}});
  r.headers.emplace_back("Set-Cookie", Sessions::set_cookie(s));
  r.audit_note = "signed in for " + std::to_string(s.max_age) + " s";
  return r;
}

HttpResponse ServeApi::sign_out(const RouteCall& call) const {
  sessions_->end(call.request.cookie);
  HttpResponse r = private_json({{"signed_in", false}});
  r.headers.emplace_back("Set-Cookie", Sessions::clear_cookie());
  r.audit_note = "signed out";
  return r;
}

}  // namespace loanrisk
