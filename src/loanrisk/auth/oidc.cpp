#include "loanrisk/auth/oidc.hpp"

#include <algorithm>
#include <utility>

#include "loanrisk/core/text.hpp"

namespace loanrisk::auth {

namespace {

constexpr std::size_t kMaxNameBytes = 200;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// A numeric date claim (seconds since the epoch), or nullopt when absent; TokenError when it is
/// there but not a number.
std::optional<std::int64_t> date_claim(const nlohmann::json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (!it->is_number())
    throw TokenError(std::string("the token's \"") + name + "\" is not a number");
  const double v = it->get<double>();
  if (!(v > -1e15 && v < 1e15))
    throw TokenError(std::string("the token's \"") + name + "\" is out of range");
  return static_cast<std::int64_t>(v);
}

bool has_audience(const nlohmann::json& claims, const std::string& audience) {
  const auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return *it == audience;
  if (!it->is_array()) return false;
  return std::any_of(it->begin(), it->end(),
                     [&](const nlohmann::json& a) { return a.is_string() && a == audience; });
}

std::string audiences_text(const nlohmann::json& claims) {
  const auto it = claims.find("aud");
  if (it == claims.end()) return "no audience";
  return "audience " +
         echo_text(it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), 200);
}

bool printable_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameBytes || !is_valid_utf8(s)) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

std::vector<std::string> roles_of(const nlohmann::json& claim) {
  std::vector<std::string> roles;
  const auto add = [&](const std::string& text) {
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t j = text.find_first_of(", ", i);
      const std::string part = text.substr(i, j == std::string::npos ? std::string::npos : j - i);
      if (!part.empty()) roles.push_back(part);
      if (j == std::string::npos) break;
      i = j + 1;
    }
  };
  if (claim.is_string()) add(claim.get<std::string>());
  if (claim.is_array()) {
    for (const nlohmann::json& r : claim) {
      if (r.is_string()) add(r.get<std::string>());
    }
  }
  return roles;
}

void check_config(const OidcConfig& c) {
  const auto bad = [](const std::string& what) { return UsageError("[auth.oidc] " + what); };
  if (c.issuer.empty()) throw bad("issuer is empty: set it to the provider's issuer URL");
  if (c.audience.empty()) {
    throw bad("audience is empty: set it to the audience the provider puts in loanrisk's tokens");
  }
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"issuer", &c.issuer},
                                    {"jwks_uri", &c.jwks_uri}}) {
    if (value->empty()) continue;
    const Url url = parse_url(*value);
    if (url.scheme == "http" && !is_loopback_host(url.host)) {
      throw bad(std::string(name) + " " + echo_text(*value) +
                " is plain http: use https (http is allowed only to 127.0.0.1, ::1 or localhost)");
    }
  }
  if (c.role_claim.empty() || c.username_claim.empty()) {
    throw bad("role_claim and username_claim must name claims");
  }
  if (c.leeway_seconds < 0 || c.leeway_seconds > 600) {
    throw bad("leeway_seconds must be from 0 to 600");
  }
  if (c.min_refetch_seconds < 0 || c.max_key_age_seconds < 1) {
    throw bad("min_refetch_seconds must be >= 0 and max_key_age_seconds >= 1");
  }
}

OidcVerifier::OidcVerifier(OidcConfig config, Fetch fetch)
    : config_(std::move(config)), fetch_(std::move(fetch)) {
  check_config(config_);
  jwks_uri_ = config_.jwks_uri;
}

int OidcVerifier::key_fetches() const {
  const std::lock_guard lock(mutex_);
  return key_fetches_;
}

void OidcVerifier::fetch_keys(std::int64_t now) {
  attempted_at_ = now;
  try {
    if (jwks_uri_.empty()) {
      std::string base = config_.issuer;
      while (!base.empty() && base.back() == '/') base.pop_back();
      const std::string where = base + "/.well-known/openid-configuration";
      const nlohmann::json doc =
          nlohmann::json::parse(fetch_(where, config_.fetch), nullptr, false);
      if (doc.is_discarded() || !doc.is_object()) {
        throw FetchError("the discovery document at " + echo_text(where, 300) + " is not JSON");
      }
      if (!doc.contains("issuer") || doc["issuer"] != config_.issuer) {
        throw FetchError("the discovery document at " + echo_text(where, 300) +
                         " names another issuer: set [auth.oidc] issuer to exactly its \"issuer\"");
      }
      if (!doc.contains("jwks_uri") || !doc["jwks_uri"].is_string()) {
        throw FetchError("the discovery document at " + echo_text(where, 300) + " has no jwks_uri");
      }
      jwks_uri_ = doc["jwks_uri"];
    }
    std::vector<Jwk> keys;
    try {
      keys = parse_jwks(fetch_(jwks_uri_, config_.fetch));
    } catch (const TokenError& e) {
      throw FetchError(std::string("the key set at ") + echo_text(jwks_uri_, 300) + ": " +
                       e.what());
    }
    keys_ = std::move(keys);
    fetched_at_ = now;
    ++key_fetches_;
    last_error_.clear();
  } catch (const FetchError& e) {
    last_error_ = e.what();
    throw;
  }
}

std::vector<Jwk> OidcVerifier::keys_for(const std::string& kid, std::int64_t now) {
  const std::lock_guard lock(mutex_);
  const bool may_fetch = attempted_at_ == 0 || now - attempted_at_ >= config_.min_refetch_seconds;
  if (fetched_at_ == 0) {
    // No keys yet: fetch, but a provider that just failed is not asked again on every request.
    if (!may_fetch) {
      throw FetchError("the identity provider's keys could not be fetched (" + last_error_ +
                       "); retrying in at most " + std::to_string(config_.min_refetch_seconds) +
                       " s");
    }
    fetch_keys(now);
    return keys_;
  }
  const bool known = kid.empty() || std::any_of(keys_.begin(), keys_.end(),
                                                [&](const Jwk& k) { return k.kid == kid; });
  if (may_fetch && (!known || now - fetched_at_ >= config_.max_key_age_seconds)) {
    try {
      fetch_keys(now);
    } catch (const FetchError&) {
      // Keys we have keep working while the provider is away; an unknown kid stays unknown.
    }
  }
  return keys_;
}

OidcIdentity OidcVerifier::verify(std::string_view token, std::int64_t now) {
  const Jws jws = decode_jws(token);
  const auto alg = jws.header.find("alg");
  if (alg == jws.header.end() || !alg->is_string() || (*alg != "RS256" && *alg != "ES256")) {
    throw TokenError("the token's signing algorithm is not RS256 or ES256");
  }
  if (jws.header.contains("crit")) {
    throw TokenError("the token has critical header extensions this server does not understand");
  }
  if (const auto typ = jws.header.find("typ"); typ != jws.header.end()) {
    const std::string t = typ->is_string() ? lower(typ->get<std::string>()) : "";
    if (t != "jwt" && t != "at+jwt" && t != "application/jwt" && t != "application/at+jwt") {
      throw TokenError("the token's type is not a JWT access token");
    }
  }
  std::string kid;
  if (const auto k = jws.header.find("kid"); k != jws.header.end()) {
    if (!k->is_string()) throw TokenError("the token's key id is not a string");
    kid = *k;
  }
  bool signed_ok = false, key_found = false;
  for (const Jwk& key : keys_for(kid, now)) {
    if (key.alg != *alg || (!kid.empty() && key.kid != kid)) continue;
    key_found = true;
    if (verify_signature(key, jws.signing_input, jws.signature)) {
      signed_ok = true;
      break;
    }
  }
  if (!key_found) {
    throw TokenError("the token is signed with a key the identity provider does not publish" +
                     (kid.empty() ? std::string() : " (key id " + echo_text(kid, 80) + ")"));
  }
  if (!signed_ok) throw TokenError("the token's signature does not verify");

  const nlohmann::json& c = jws.claims;
  if (!c.contains("iss") || c["iss"] != config_.issuer) {
    throw TokenError("the token was not issued by " + echo_text(config_.issuer, 200));
  }
  if (!has_audience(c, config_.audience)) {
    throw TokenError("the token is for " + audiences_text(c) + ", not " +
                     echo_text(config_.audience, 200));
  }
  const std::optional<std::int64_t> exp = date_claim(c, "exp");
  if (!exp) throw TokenError("the token has no expiry (\"exp\")");
  if (now >= *exp + config_.leeway_seconds) {
    throw TokenError("the token expired " + std::to_string(now - *exp) +
                     " s ago: get a new one from the identity provider");
  }
  if (const auto nbf = date_claim(c, "nbf"); nbf && now + config_.leeway_seconds < *nbf) {
    throw TokenError("the token is not valid before " + std::to_string(*nbf - now) +
                     " s from now (check the clocks)");
  }
  if (const auto iat = date_claim(c, "iat"); iat && now + config_.leeway_seconds < *iat) {
    throw TokenError("the token was issued in the future (check the clocks)");
  }

  OidcIdentity who;
  who.expires = *exp;
  if (const auto s = c.find("sub"); s != c.end() && s->is_string()) who.subject = *s;
  if (const auto n = c.find(config_.username_claim); n != c.end() && n->is_string()) {
    who.name = *n;
  } else {
    who.name = who.subject;
  }
  if (!printable_name(who.name)) {
    throw TokenError("the token's \"" + config_.username_claim +
                     "\" (or \"sub\") is missing, too long or not printable text");
  }
  if (const auto r = c.find(config_.role_claim); r != c.end()) who.roles = roles_of(*r);
  return who;
}

}  // namespace loanrisk::auth
