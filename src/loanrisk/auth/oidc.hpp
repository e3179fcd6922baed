#pragma once
// Bearer tokens from the bank's OpenID Connect provider: the discovery document names the key set,
// the keys are fetched and cached, a token naming a key not in the cache makes the verifier fetch
// the set again (key rotation) at most once per min_refetch_seconds, and the claims are checked:
// iss exactly, aud among the token's audiences, exp and nbf with a small clock skew, iat not in the
// future. Who the caller is comes from a username claim, their roles from a configurable claim.
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/auth/http_fetch.hpp"
#include "loanrisk/auth/jwt.hpp"

namespace loanrisk::auth {

struct OidcConfig {
  std::string issuer;    ///< exactly the tokens' "iss" and the discovery document's "issuer"
  std::string audience;  ///< must be the token's "aud" or one of them
  std::string jwks_uri;  ///< optional: else the discovery document's jwks_uri
  std::string role_claim = "roles";  ///< a string ("a,b" or "a b") or an array of strings
  std::string username_claim = "preferred_username";  ///< then "sub" when absent
  int leeway_seconds = 60;                            ///< clock skew allowed on exp, nbf and iat
  int min_refetch_seconds = 30;    ///< an unknown kid refetches the keys at most this often
  int max_key_age_seconds = 3600;  ///< keys are refetched at least this often
  FetchLimits fetch;
};

/// Throws UsageError naming the setting when the configuration cannot work (no issuer, http to
/// a host that is not loopback, negative times).
void check_config(const OidcConfig& config);

struct OidcIdentity {
  std::string name;                ///< the username claim (or sub), valid UTF-8
  std::string subject;             ///< "sub"
  std::vector<std::string> roles;  ///< as the provider wrote them
  std::int64_t expires = 0;        ///< "exp", seconds since the epoch
};

class OidcVerifier {
 public:
  using Fetch = std::function<std::string(const std::string& url, const FetchLimits&)>;
  explicit OidcVerifier(OidcConfig config, Fetch fetch = http_get);

  /// The identity a token proves at time now (seconds since the epoch); TokenError saying why
  /// not, FetchError when the provider cannot be reached to learn its keys. Thread-safe.
  OidcIdentity verify(std::string_view token, std::int64_t now);

  const OidcConfig& config() const { return config_; }
  /// Key fetches so far (discovery not counted), for tests and /metrics.
  int key_fetches() const;

 private:
  /// The keys (fetching them when stale or when kid is unknown and a refetch is allowed).
  std::vector<Jwk> keys_for(const std::string& kid, std::int64_t now);
  void fetch_keys(std::int64_t now);  // with mutex_ held

  OidcConfig config_;
  Fetch fetch_;
  mutable std::mutex mutex_;
  std::string jwks_uri_;
  std::vector<Jwk> keys_;
  std::int64_t fetched_at_ = 0;    ///< last successful key fetch; 0: never
  std::int64_t attempted_at_ = 0;  ///< last try, successful or not (the refetch rate limit)
  std::string last_error_;
  int key_fetches_ = 0;
};

/// The roles in a claim value: a string split at commas and spaces, or an array of strings.
std::vector<std::string> roles_of(const nlohmann::json& claim);

}  // namespace loanrisk::auth
