// Web sign-in: sessions kept by the server, the cookie's attributes, the CSRF token a
// state-changing request must echo, sign-out, and revocation ending a session.
#include "loanrisk/serve/sessions.hpp"

#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "loanrisk/serve/api.hpp"
#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/users.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

using nlohmann::json;

TEST(Sessions, ReadsTheSessionCookieOutOfACookieHeader) {
  EXPECT_EQ(Sessions::cookie_value("a=1; loanrisk_session=XYZ; b=2", "loanrisk_session"), "XYZ");
  EXPECT_EQ(Sessions::cookie_value("loanrisk_session=XYZ", "loanrisk_session"), "XYZ");
  EXPECT_EQ(Sessions::cookie_value("loanrisk_session=A;loanrisk_session=B", "loanrisk_session"),
            "A");
  for (const std::string& header : std::vector<std::string>{
           "", "loanrisk_sessionX=1", "xloanrisk_session=1", "loanrisk_session", ";;;=;",
           std::string("loanrisk_session\xff=1"), std::string(100'000, ';')}) {
    EXPECT_EQ(Sessions::cookie_value(header, "loanrisk_session"), "") << header.substr(0, 40);
  }
}

TEST(Sessions, StartFindEndAndTheCookiesAttributes) {
  Sessions sessions([](const Identity&) { return true; });
  const Identity ana{"ana", {Role::kAnalyst}, "user"};
  const Sessions::Started s = sessions.start(ana);
  EXPECT_EQ(s.id.size(), 43u) << "256 bits in base64url";
  EXPECT_EQ(s.csrf.size(), 43u);
  EXPECT_NE(s.id, s.csrf);
  EXPECT_EQ(s.max_age, Sessions::kLifetimeSeconds);
  EXPECT_EQ(Sessions::set_cookie(s), "loanrisk_session=" + s.id +
                                         "; Path=/; Max-Age=28800; Secure; HttpOnly; "
                                         "SameSite=Strict");
  EXPECT_EQ(Sessions::clear_cookie(),
            "loanrisk_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
  const std::string cookie = "theme=dark; loanrisk_session=" + s.id;
  const auto found = sessions.find(cookie);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->who.name, "ana");
  EXPECT_EQ(found->csrf, s.csrf);
  EXPECT_FALSE(sessions.find("loanrisk_session=" + s.csrf)) << "the CSRF token is no session";
  EXPECT_FALSE(sessions.find("loanrisk_session=" + s.id + "x"));
  sessions.end(cookie);
  EXPECT_FALSE(sessions.find(cookie));
}

TEST(Sessions, EndAtTheProvidersExpiryAndWhenTheUserIsRevoked) {
  bool active = true;
  Sessions sessions([&](const Identity&) { return active; }, std::chrono::seconds(0));
  const Sessions::Started brief = sessions.start({"erin", {Role::kValidator}, "oidc"}, 1);
  EXPECT_EQ(brief.max_age, 1);
  EXPECT_EQ(sessions.start({"erin", {}, "oidc"}, 99'999'999).max_age, Sessions::kLifetimeSeconds);
  const Sessions::Started ana = sessions.start({"ana", {Role::kAnalyst}, "user"});
  EXPECT_TRUE(sessions.find("loanrisk_session=" + brief.id));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(sessions.find("loanrisk_session=" + brief.id)) << "past the token's expiry";
  EXPECT_TRUE(sessions.find("loanrisk_session=" + ana.id));
  active = false;  // revoked
  EXPECT_FALSE(sessions.find("loanrisk_session=" + ana.id));
  active = true;
  EXPECT_FALSE(sessions.find("loanrisk_session=" + ana.id)) << "a revoked session stays ended";
}

TEST(Sessions, AFullTableDropsTheSessionNearestItsEnd) {
  Sessions sessions([](const Identity&) { return true; });
  const Sessions::Started first = sessions.start({"a", {}, "user"}, 60);
  std::vector<std::string> ids;
  for (std::size_t i = 1; i < Sessions::kMaxSessions; ++i) {
    ids.push_back(sessions.start({"b", {}, "user"}).id);
  }
  EXPECT_TRUE(sessions.find("loanrisk_session=" + first.id));
  const Sessions::Started last = sessions.start({"c", {}, "user"});
  EXPECT_FALSE(sessions.find("loanrisk_session=" + first.id));
  EXPECT_TRUE(sessions.find("loanrisk_session=" + last.id));
  EXPECT_TRUE(sessions.find("loanrisk_session=" + ids.front()));
}

// Through the server's handler: sign in with each kind of token, use the cookie, sign out.
class WebSignIn : public ::testing::Test {
 protected:
  testing::TempDir dir;
  ModelHolder holder{"/nonexistent/bundle", ""};
  ServeMetrics metrics;
  std::string store = "sqlite:///" + (dir / "store.db").string();
  ServeSettings settings() const {
    ServeSettings s;
    s.admin_token = "adm1n";
    s.api_token = "ap1";
    s.log_level = "off";
    s.store = store;
    return s;
  }
  ServeApi api{settings(), holder, metrics};

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& authorization, const std::string& cookie = "",
                    const std::string& csrf = "", const std::string& body = "") {
    HttpRequest r{method, target, "application/json", authorization, body};
    r.cookie = cookie;
    r.csrf_token = csrf;
    return api.handle(r);
  }
  static bool allowed(const HttpResponse& r) { return r.status != 401 && r.status != 403; }
  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  /// Signs in; returns the Cookie header to send and the CSRF token.
  std::pair<std::string, std::string> sign_in(const std::string& token) {
    const HttpResponse r = call("POST", "/api/v1/session", "Bearer " + token);
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = header(r, "Set-Cookie");
    EXPECT_NE(set.find("; Secure; HttpOnly; SameSite=Strict"), std::string::npos) << set;
    EXPECT_EQ(header(r, "Cache-Control"), "no-store");
    EXPECT_EQ(r.body.find(token), std::string::npos) << "the token is not echoed";
    return {set.substr(0, set.find(';')), json::parse(r.body)["csrf_token"]};
  }
};

TEST_F(WebSignIn, TheCookieActsAsItsPersonAndStateChangesNeedTheCsrfToken) {
  std::string ana_token, val_token;
  {
    auto s = open_store(store);
    UserStore users(*s);
    ana_token = users.add("ana", Role::kAnalyst, "test").token;
    val_token = users.add("val", Role::kValidator, "test").token;
  }
  const auto [cookie, csrf] = sign_in(ana_token);
  json who = json::parse(call("GET", "/api/v1/session", "", cookie).body);
  EXPECT_EQ(who["signed_in"], true);
  EXPECT_EQ(who["user"], json({{"name", "ana"}, {"roles", {"analyst"}}, {"source", "user"}}));
  EXPECT_EQ(who["csrf_token"], csrf);
  EXPECT_EQ(json::parse(call("GET", "/api/v1/session", "").body)["signed_in"], false);
  // Reads by role: jobs need an analyst.
  EXPECT_EQ(call("GET", "/api/v1/jobs", "", cookie).status, 200);
  // A state change without the CSRF token (what a forged cross-site form sends): 403.
  HttpResponse r = call("POST", "/api/v1/admin/reload", "", cookie);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("CSRF token"), std::string::npos) << r.body;
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", cookie, csrf + "x").status, 403);
  // With it, the role decides: ana is no admin.
  r = call("POST", "/api/v1/admin/reload", "", cookie, csrf);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("user ana has the role analyst; this route needs admin"), std::string::npos)
      << r.body;
  // Another person's CSRF token does not fit this session.
  const auto [val_cookie, val_csrf] = sign_in(val_token);
  EXPECT_EQ(call("POST", "/api/v1/admin/promotions/1/approve", "", val_cookie, csrf).status, 403);
  // An Authorization header wins over the cookie.
  EXPECT_TRUE(allowed(call("POST", "/api/v1/admin/reload", "Bearer adm1n", cookie)));
  // Sign-out needs the CSRF token too, then the cookie is dead.
  EXPECT_EQ(call("DELETE", "/api/v1/session", "", cookie).status, 403);
  r = call("DELETE", "/api/v1/session", "", cookie, csrf);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Set-Cookie"),
            "loanrisk_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
  EXPECT_EQ(json::parse(call("GET", "/api/v1/session", "", cookie).body)["signed_in"], false);
  r = call("GET", "/api/v1/jobs", "", cookie);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("your sign-in has expired or was ended: sign in again"), std::string::npos);
  // The audit trail has both sign-ins and the sign-out, with who.
  std::vector<std::string> seen;
  for (const AuditEvent& e : AuditLog(*open_store(store)).list()) {
    if (e.action.find("/api/v1/session") != std::string::npos && e.status == 200) {
      seen.push_back(e.action + " " + e.who + " " + e.detail);
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"POST /api/v1/session ana signed in for 28800 s",
                                            "POST /api/v1/session val signed in for 28800 s",
                                            "DELETE /api/v1/session ana signed out"}));
}

TEST_F(WebSignIn, TheEnvironmentsTokensSignInAndBadTokensDoNot) {
  const auto [admin_cookie, admin_csrf] = sign_in("adm1n");
  EXPECT_EQ(json::parse(call("GET", "/api/v1/session", "", admin_cookie).body)["user"]["source"],
            "admin-token");
  EXPECT_TRUE(allowed(call("POST", "/api/v1/admin/reload", "", admin_cookie, admin_csrf)));
  const auto [api_cookie, api_csrf] = sign_in("ap1");
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", api_cookie, api_csrf).status, 403);
  for (const std::string& bad : std::vector<std::string>{
           "", "Bearer ", "Bearer nope", "Bearer lr_x", "Basic YTpi",
           std::string("Bearer \xff\xfe"), "Bearer " + std::string(9000, 'a')}) {
    const HttpResponse r = call("POST", "/api/v1/session", bad);
    EXPECT_EQ(r.status, 401) << bad.substr(0, 20) << " " << r.body;
    EXPECT_EQ(header(r, "Set-Cookie"), "");
  }
  // A hostile or stale cookie: nobody, and a clear 401 where a person is needed.
  for (const std::string& cookie : std::vector<std::string>{
           std::string("loanrisk_session=\xff\xfe"), "loanrisk_session=" + std::string(8000, 'A'),
           "loanrisk_session=; loanrisk_session=x"}) {
    EXPECT_EQ(json::parse(call("GET", "/api/v1/session", "", cookie).body)["signed_in"], false);
    EXPECT_EQ(call("POST", "/api/v1/admin/reload", "", cookie, "x").status, 401);
  }
}

}  // namespace
}  // namespace loanrisk
