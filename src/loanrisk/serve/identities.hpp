#pragma once
// The server's side of governance: who a local bearer token belongs to (`loanrisk users add`,
// checked against its argon2id hash in the store) and the audit trail it appends to. A verified
// local token is remembered for a short while, so a client that sends it with every request pays
// the slow hash once, and a revocation takes effect within kRememberSeconds.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "loanrisk/auth/oidc.hpp"
#include "loanrisk/serve/settings.hpp"
#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

class Identities {
 public:
  static constexpr int kRememberSeconds = 30;

  /// store_uri: the server's tracking store ("" for $LOANRISK_STORE, then the default); opened at
  /// first use.
  /// oidc: the bank's identity provider, when configured ([auth.oidc]).
  Identities(std::string store_uri, std::optional<OidcSettings> oidc = std::nullopt);
  ~Identities();

  /// The active user of a local token ("lr_..."), or nullopt for any other text, an unknown,
  /// wrong or revoked token. Thread-safe.
  std::optional<User> authenticate(std::string_view token);
  /// True when people are known: an identity provider is configured, or the store has at least
  /// one active user. Governance is on, so the environment's shared admin token cannot stand in
  /// for a person where four eyes are needed.
  bool has_users();
  bool oidc() const { return oidc_ != nullptr; }
  /// The person an identity provider's token proves, with the loanrisk roles its claim maps to
  /// (possibly none). HttpError 401 when the token is refused (the reason, never the token), 503
  /// while the provider's keys cannot be fetched.
  /// The identity carries the token's expiry, for a session that must not outlive it.
  Identity authenticate_oidc(std::string_view token);
  /// False when who is a local user revoked (or removed) since signing in; true for the others
  /// (a provider's identity lasts as long as its token). Reads the store.
  bool still_active(const Identity& who);
  /// Appends to the audit trail; never throws (a failure is logged as an error).
  void audit(const AuditEvent& event) noexcept;

 private:
  struct Remembered {
    User user;
    std::chrono::steady_clock::time_point until;
  };
  Store& store();  // with mutex_ held

  std::string store_uri_;
  std::mutex mutex_;  // the store's connection and the memory are shared by request threads
  std::unique_ptr<Store> store_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<AuditLog> audit_;
  std::map<std::string, Remembered> remembered_;
  std::optional<OidcSettings> oidc_settings_;
  std::unique_ptr<auth::OidcVerifier> oidc_;  ///< by sha256 of the token, never the token.
};

/// A server reachable beyond this machine must tell people apart: UsageError (exit 2) saying how
/// to add users or an identity provider, unless settings.host is loopback or ids.has_users().
void require_identity_source(const ServeSettings& settings, Identities& ids);

}  // namespace loanrisk
