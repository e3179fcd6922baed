// The OIDC verifier's rules on tokens signed in the test: what it accepts (RS256, ES256, an
// audience among several, skew within the leeway) and everything it refuses (alg none, HMAC with
// the public key, a tampered payload, wrong issuer or audience, expired, not yet valid, unknown
// keys, hostile bytes), and how it fetches keys (once, again for an unknown kid, rate-limited).
// The provider is a function here; oidc_provider_test.cpp runs the same verifier against glewlwyd.
#include "loanrisk/auth/oidc.hpp"

#include <gtest/gtest.h>

#include <map>

#include "signer.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

using auth::FetchError;
using auth::OidcConfig;
using auth::OidcVerifier;
using auth::TokenError;

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kIssuer = "https://idp.example.test/realms/bank";

/// A provider as the verifier sees it: a discovery document and a key set, with a fetch count.
struct Provider {
  std::vector<const Signer*> published;
  std::string issuer_in_discovery = kIssuer;
  std::map<std::string, int> fetches;
  bool down = false;

  OidcVerifier::Fetch fetch() {
    return [this](const std::string& url, const auth::FetchLimits&) {
      ++fetches[url];
      if (down) throw FetchError("GET " + url + ": connecting: Connection refused");
      if (url == kIssuer + "/.well-known/openid-configuration") {
        return nlohmann::json{{"issuer", issuer_in_discovery}, {"jwks_uri", kIssuer + "/certs"}}
            .dump();
      }
      if (url == kIssuer + "/certs") {
        nlohmann::json keys = nlohmann::json::array();
        for (const Signer* s : published) keys.push_back(s->jwk());
        return nlohmann::json{{"keys", keys}}.dump();
      }
      throw FetchError("GET " + url + ": answered HTTP 404");
    };
  }
  int key_fetches() { return fetches[kIssuer + "/certs"]; }
};

OidcConfig config() {
  OidcConfig c;
  c.issuer = kIssuer;
  c.audience = "loanrisk-api";
  c.leeway_seconds = 60;
  c.min_refetch_seconds = 30;
  return c;
}

nlohmann::json claims(const std::string& user = "ana", const std::string& roles = "validator") {
  return {
      {"iss", kIssuer}, {"aud", "loanrisk-api"}, {"sub", "u-" + user}, {"preferred_username", user},
      {"roles", roles}, {"iat", kNow - 10},      {"nbf", kNow - 10},   {"exp", kNow + 300}};
}

class Verifier : public ::testing::Test {
 protected:
  Signer rsa{"RS256", "rsa-1"};
  Signer ec{"ES256", "ec-1"};
  Provider idp;
  void SetUp() override { idp.published = {&rsa, &ec}; }
};

TEST_F(Verifier, AcceptsRs256AndEs256TokensAndReadsNameAndRoles) {
  OidcVerifier v(config(), idp.fetch());
  const auth::OidcIdentity a = v.verify(rsa.sign(claims("ana", "analyst,validator")), kNow);
  EXPECT_EQ(a.name, "ana");
  EXPECT_EQ(a.subject, "u-ana");
  EXPECT_EQ(a.roles, (std::vector<std::string>{"analyst", "validator"}));
  EXPECT_EQ(a.expires, kNow + 300);
  const auth::OidcIdentity b = v.verify(ec.sign(claims("bo", "viewer")), kNow);
  EXPECT_EQ(b.name, "bo");
  EXPECT_EQ(b.roles, std::vector<std::string>{"viewer"});
  // Discovery once, keys once: the second token is checked from the cache.
  EXPECT_EQ(idp.key_fetches(), 1);
  EXPECT_EQ(idp.fetches[kIssuer + "/.well-known/openid-configuration"], 1);
}

TEST_F(Verifier, RolesComeAsAStringOrAnArrayAndTheNameFallsBackToSub) {
  EXPECT_EQ(auth::roles_of("a, b c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(auth::roles_of(nlohmann::json::array({"x", 3, "y z"})),
            (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(auth::roles_of(42).empty());
  OidcVerifier v(config(), idp.fetch());
  nlohmann::json c = claims();
  c.erase("preferred_username");
  c.erase("roles");
  const auth::OidcIdentity who = v.verify(rsa.sign(c), kNow);
  EXPECT_EQ(who.name, "u-ana");
  EXPECT_TRUE(who.roles.empty());
}

TEST_F(Verifier, AudienceMayBeOneOfSeveral) {
  OidcVerifier v(config(), idp.fetch());
  nlohmann::json c = claims();
  c["aud"] = {"account", "loanrisk-api"};
  EXPECT_EQ(v.verify(rsa.sign(c), kNow).name, "ana");
  c["aud"] = {"account", "other-api"};
  EXPECT_THROW_MSG(v.verify(rsa.sign(c), kNow), TokenError,
                   R"(the token is for audience ["account","other-api"], not loanrisk-api)");
}

TEST_F(Verifier, ClaimsOutsideTheRulesAreRefused) {
  OidcVerifier v(config(), idp.fetch());
  const auto with = [&](const char* key, nlohmann::json value) {
    nlohmann::json c = claims();
    if (value.is_null()) {
      c.erase(key);
    } else {
      c[key] = std::move(value);
    }
    return rsa.sign(c);
  };
  expect_refusals<TokenError>(
      [&](const std::string& t) { return v.verify(t, kNow); },
      {
          {with("iss", "https://evil.example"), "was not issued by https://idp"},
          {with("iss", nullptr), "was not issued by"},
          {with("aud", "other-api"), "is for audience \"other-api\""},
          {with("aud", nullptr), "is for no audience"},
          {with("exp", kNow - 61), "the token expired 61 s ago"},
          {with("exp", nullptr), "has no expiry"},
          {with("exp", "tomorrow"), "\"exp\" is not a number"},
          {with("exp", 1e300), "\"exp\" is out of range"},
          {with("nbf", kNow + 61), "not valid before 61 s from now"},
          {with("iat", kNow + 3600), "issued in the future"},
          {with("preferred_username", "a\nb"), "not printable text"},
          {with("preferred_username", std::string(201, 'a')), "too long"},
      });
  // Within the leeway: a clock 60 s apart on either side is still fine.
  EXPECT_EQ(v.verify(with("exp", kNow - 59), kNow).name, "ana");
  EXPECT_EQ(v.verify(with("nbf", kNow + 59), kNow).name, "ana");
  // A payload with invalid UTF-8 (a name that would reach the audit trail) is not JSON.
  std::string text = claims().dump();
  text.replace(text.find("\"ana\""), 5, "\"\xff\xfe\"");
  const std::string h = b64url(R"({"alg":"RS256","kid":"rsa-1"})");
  const std::string input = h + "." + b64url(text);
  EXPECT_THROW_MSG(v.verify(input + "." + b64url(rsa.signature(input)), kNow), TokenError,
                   "payload is not a JSON object");
}

TEST_F(Verifier, ForgedOrTamperedTokensAreRefused) {
  OidcVerifier v(config(), idp.fetch());
  const std::string good = rsa.sign(claims("ana", "analyst"));
  const std::string header = good.substr(0, good.find('.'));
  const std::string rest = good.substr(good.find('.') + 1);
  const std::string payload = rest.substr(0, rest.find('.'));
  const std::string sig = rest.substr(rest.find('.') + 1);
  const std::string admin_payload = b64url(claims("ana", "admin").dump());
  const std::string none_header = b64url(R"({"alg":"none","typ":"JWT"})");
  // HS256 "signed" with the RSA public key's JWK text: a classic confusion attack.
  const std::string hs_header = b64url(R"({"alg":"HS256","typ":"JWT","kid":"rsa-1"})");
  const std::string hs_input = hs_header + "." + admin_payload;
  const std::string hs = hs_input + "." + b64url(hmac_sha256(rsa.jwk().dump(), hs_input));
  const Signer stranger("RS256", "rsa-1");  // same kid, another key
  expect_refusals<TokenError>(
      [&](const std::string& t) { return v.verify(t, kNow); },
      {
          {header + "." + admin_payload + "." + sig, "signature does not verify"},
          {none_header + "." + admin_payload + ".", "signing algorithm is not RS256 or ES256"},
          {hs, "signing algorithm is not RS256 or ES256"},
          {stranger.sign(claims("ana", "admin")), "signature does not verify"},
          {rsa.sign(claims(), {{"alg", "ES256"}}), "does not publish (key id rsa-1)"},
          {rsa.sign(claims(), {{"kid", "rsa-9"}}),
           "a key the identity provider does not publish (key id rsa-9)"},
          {rsa.sign(claims(), {{"kid", 7}}), "key id is not a string"},
          {rsa.sign(claims(), {{"crit", {"exp"}}}), "critical header extensions"},
          {rsa.sign(claims(), {{"typ", "JOSE+JSON"}}), "not a JWT access token"},
          {good + ".", "not a JWT"},
          {"", "not a JWT"},
          {"abc", "not a JWT"},
          {header + "." + payload + "." + sig + "=", "signature is not base64url"},
          {header + ".%%%." + sig, "payload is not base64url"},
          {b64url("[1,2]") + "." + payload + "." + sig, "header is not a JSON object"},
          {b64url("\xff\xfe{") + "." + payload + "." + sig, "header is not a JSON object"},
          {std::string(17 * 1024, 'a'), "longer than 16 KiB"},
      });
  // No kid: every published key of the algorithm is tried.
  nlohmann::json no_kid = {{"alg", "RS256"}};
  const std::string h = b64url(no_kid.dump());
  const std::string input = h + "." + b64url(claims().dump());
  EXPECT_EQ(v.verify(input + "." + b64url(rsa.signature(input)), kNow).name, "ana");
}

TEST_F(Verifier, AnUnknownKeyIdRefetchesTheKeysAtMostOncePerInterval) {
  OidcVerifier v(config(), idp.fetch());
  EXPECT_EQ(v.verify(rsa.sign(claims()), kNow).name, "ana");
  ASSERT_EQ(idp.key_fetches(), 1);
  // The provider rotates: a new key signs, the old one is still published.
  const Signer next("RS256", "rsa-2");
  idp.published = {&next, &rsa};
  // Within the interval, an unknown kid does not fetch again (a flood of made-up kids cannot
  // turn into a flood of requests to the provider).
  EXPECT_THROW_MSG(v.verify(next.sign(claims()), kNow + 5), TokenError, "key id rsa-2");
  EXPECT_EQ(idp.key_fetches(), 1);
  EXPECT_EQ(v.verify(next.sign(claims()), kNow + 31).name, "ana");
  EXPECT_EQ(idp.key_fetches(), 2);
  EXPECT_EQ(v.verify(rsa.sign(claims()), kNow + 32).name, "ana");  // old key still published
  // The old key is withdrawn: after the next refetch its tokens fail.
  idp.published = {&next};
  const Signer third("RS256", "rsa-3");
  EXPECT_THROW_MSG(v.verify(third.sign(claims()), kNow + 70), TokenError, "key id rsa-3");
  EXPECT_EQ(idp.key_fetches(), 3);
  EXPECT_THROW_MSG(v.verify(rsa.sign(claims()), kNow + 71), TokenError, "key id rsa-1");
  EXPECT_EQ(v.verify(next.sign(claims()), kNow + 72).name, "ana");
}

TEST_F(Verifier, KeysAreRefetchedWhenOldAndKeptWhileTheProviderIsAway) {
  OidcConfig c = config();
  c.max_key_age_seconds = 600;
  OidcVerifier v(c, idp.fetch());
  nlohmann::json later = claims();
  later["exp"] = kNow + 3600;  // the token outlives the key cache here
  const std::string token = rsa.sign(later);
  EXPECT_EQ(v.verify(token, kNow).name, "ana");
  EXPECT_EQ(v.verify(token, kNow + 599).name, "ana");
  EXPECT_EQ(idp.key_fetches(), 1);
  idp.down = true;
  // Stale keys, provider down: the keys we have still verify.
  EXPECT_EQ(v.verify(token, kNow + 601).name, "ana");
  idp.down = false;
  EXPECT_EQ(v.verify(token, kNow + 640).name, "ana");
  EXPECT_EQ(idp.key_fetches(), 3) << "the first, the one that failed, the one after it";
}

TEST_F(Verifier, AProviderThatCannotBeReachedIsAFetchErrorAndIsNotHammered) {
  idp.down = true;
  OidcVerifier v(config(), idp.fetch());
  EXPECT_THROW_MSG(v.verify(rsa.sign(claims()), kNow), FetchError, "Connection refused");
  EXPECT_THROW_MSG(v.verify(rsa.sign(claims()), kNow + 1), FetchError,
                   "the identity provider's keys could not be fetched (GET " + kIssuer +
                       "/.well-known/openid-configuration: connecting: Connection refused); "
                       "retrying in at most 30 s");
  EXPECT_EQ(idp.fetches[kIssuer + "/.well-known/openid-configuration"], 1);
  idp.down = false;
  EXPECT_EQ(v.verify(rsa.sign(claims()), kNow + 30).name, "ana");
}

TEST_F(Verifier, ADiscoveryDocumentOfAnotherIssuerIsRefused) {
  idp.issuer_in_discovery = kIssuer + "/";
  OidcVerifier v(config(), idp.fetch());
  EXPECT_THROW_MSG(v.verify(rsa.sign(claims()), kNow), FetchError,
                   "names another issuer: set [auth.oidc] issuer to exactly its \"issuer\"");
}

TEST_F(Verifier, AConfiguredJwksUriSkipsDiscovery) {
  OidcConfig c = config();
  c.jwks_uri = kIssuer + "/certs";
  OidcVerifier v(c, idp.fetch());
  EXPECT_EQ(v.verify(ec.sign(claims()), kNow).name, "ana");
  EXPECT_EQ(idp.fetches.count(kIssuer + "/.well-known/openid-configuration"), 0u);
}

TEST(OidcConfigCheck, RefusesConfigurationsThatCannotWork) {
  const auto with = [](auto change) {
    OidcConfig c = config();
    change(c);
    return c;
  };
  const std::vector<std::pair<OidcConfig, std::string>> cases = {
      {with([](OidcConfig& c) { c.issuer.clear(); }), "issuer is empty"},
      {with([](OidcConfig& c) { c.audience.clear(); }), "audience is empty"},
      {with([](OidcConfig& c) { c.issuer = "http://idp.example.test"; }),
       "is plain http: use https"},
      {with([](OidcConfig& c) { c.jwks_uri = "http://10.0.0.1/certs"; }), "jwks_uri"},
      {with([](OidcConfig& c) { c.issuer = "idp.example.test"; }), "has no scheme"},
      {with([](OidcConfig& c) { c.issuer = "https://user:pw@idp/"; }), "user name or password"},
      {with([](OidcConfig& c) { c.issuer = "https://idp:99999/"; }), "port that is not a number"},
      {with([](OidcConfig& c) { c.leeway_seconds = -1; }), "leeway_seconds must be from 0 to 600"},
      {with([](OidcConfig& c) { c.role_claim.clear(); }), "must name claims"},
  };
  for (const auto& [c, message] : cases) {
    SCOPED_TRACE(message);
    EXPECT_THROW_MSG(auth::check_config(c), UsageError, message);
  }
  OidcConfig local = config();
  local.issuer = "http://127.0.0.1:5556/api/oidc";
  EXPECT_NO_THROW(auth::check_config(local));
  local.issuer = "http://[::1]:5556/x";
  EXPECT_NO_THROW(auth::check_config(local));
}

TEST(Jwks, ReadsSigningKeysAndSkipsOthers) {
  const Signer rsa("RS256", "a"), ec("ES256", "b"), weak("RS256", "weak", 1024);
  nlohmann::json enc = rsa.jwk();
  enc["use"] = "enc";
  enc["kid"] = "enc";
  nlohmann::json p384 = ec.jwk();
  p384["crv"] = "P-384";
  const nlohmann::json doc = {
      {"keys", {rsa.jwk(), ec.jwk(), enc, p384, {{"kty", "oct"}, {"k", "c2VjcmV0"}}, 5}}};
  const std::vector<auth::Jwk> keys = auth::parse_jwks(doc.dump());
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].kid, "a");
  EXPECT_EQ(keys[0].alg, "RS256");
  EXPECT_EQ(keys[1].alg, "ES256");
  nlohmann::json short_y = ec.jwk();
  short_y["y"] = b64url("abc");
  nlohmann::json no_n = rsa.jwk();
  no_n.erase("n");
  nlohmann::json off_curve = ec.jwk();
  off_curve["y"] = b64url(std::string(32, '\x01'));
  expect_refusals<TokenError>(
      [](const std::string& t) { return auth::parse_jwks(t); },
      {
          {"", "not a JSON object with a \"keys\" array"},
          {R"({"keys": {}})", "not a JSON object with a \"keys\" array"},
          {nlohmann::json{{"keys", {weak.jwk()}}}.dump(), "shorter than 2048 bits"},
          {nlohmann::json{{"keys", {short_y}}}.dump(), "not a valid EC public key"},
          {nlohmann::json{{"keys", {no_n}}}.dump(), "has no \"n\" string"},
          {nlohmann::json{{"keys", {off_curve}}}.dump(), "not a valid EC public key"},
      });
}

// Some issuers (glewlwyd through GnuTLS, as the with-oidc test met one run in 128) publish EC
// coordinates as minimal big-endian integers, without the leading zero bytes RFC 7518 asks for.
TEST(Jwks, AcceptsEcCoordinatesWithoutTheirLeadingZeroBytes) {
  const auto decode = [](const nlohmann::json& v) {
    return auth::base64url_decode(v.get<std::string>(), "test");
  };
  for (int i = 0;; ++i) {
    ASSERT_LT(i, 5000) << "no key with a leading zero coordinate byte in 5000 tries";
    const Signer ec("ES256", "short");
    nlohmann::json jwk = ec.jwk();
    bool trimmed = false;
    for (const char* axis : {"x", "y"}) {
      std::string bytes = decode(jwk[axis]);
      if (bytes[0] != '\0') continue;
      bytes.erase(0, bytes.find_first_not_of('\0'));
      jwk[axis] = b64url(bytes);
      trimmed = true;
    }
    if (!trimmed) continue;
    const std::vector<auth::Jwk> keys = auth::parse_jwks(nlohmann::json{{"keys", {jwk}}}.dump());
    ASSERT_EQ(keys.size(), 1u);
    Provider idp;
    idp.published = {&ec};
    OidcVerifier v(config(), [&](const std::string& url, const auth::FetchLimits& limits) {
      std::string text = idp.fetch()(url, limits);
      return url == kIssuer + "/certs" ? nlohmann::json{{"keys", {jwk}}}.dump() : text;
    });
    EXPECT_EQ(v.verify(ec.sign(claims()), kNow).name, "ana");
    nlohmann::json long_x = ec.jwk();
    long_x["x"] = b64url("\x01" + decode(long_x["x"]));
    EXPECT_THROW_MSG(auth::parse_jwks(nlohmann::json{{"keys", {long_x}}}.dump()), TokenError,
                     "longer than 32 bytes");
    return;
  }
}

TEST(Urls, AreParsedStrictly) {
  const auth::Url u = auth::parse_url("https://idp.example.test:8443/realms/bank?x=1");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "idp.example.test");
  EXPECT_EQ(u.port, "8443");
  EXPECT_EQ(u.target, "/realms/bank?x=1");
  const auth::Url v6 = auth::parse_url("http://[::1]/");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, "80");
  EXPECT_EQ(auth::parse_url("https://idp").target, "/");
  EXPECT_TRUE(auth::is_loopback_host("127.0.0.2"));
  EXPECT_TRUE(auth::is_loopback_host("::1"));
  EXPECT_FALSE(auth::is_loopback_host("127.0.0.1.evil.example"));
  expect_refusals<UsageError>([](const std::string& t) { return auth::parse_url(t); },
                              {
                                  {"ftp://idp/", "is not http or https"},
                                  {"https:///x", "has no host"},
                                  {"https://idp/#frag", "has a fragment"},
                                  {"https://id p/", "spaces or control bytes"},
                                  {"https://[::1/", "unclosed IPv6"},
                                  {"https://idp:0/", "port that is not a number"},
                              });
}

TEST(HttpGet, RefusesPlainHttpOffLoopbackAndReportsUnreachableHosts) {
  EXPECT_THROW_MSG(auth::http_get("http://192.0.2.1/certs"), FetchError,
                   "plain http is allowed only to 127.0.0.1, ::1 or localhost; use https");
  EXPECT_THROW_MSG(auth::http_get("ftp://x/"), FetchError, "is not http or https");
  // A loopback port nobody listens on (port 1 needs root to bind, and nothing here does).
  EXPECT_THROW_MSG(auth::http_get("http://127.0.0.1:1/x"), FetchError,
                   "GET http://127.0.0.1:1/x: connecting:");
}

}  // namespace
}  // namespace loanrisk::testing
