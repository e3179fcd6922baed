#include "loanrisk/serve/identities.hpp"

#include <spdlog/spdlog.h>

#include "loanrisk/auth/http_fetch.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/http_error.hpp"

namespace loanrisk {

Identities::Identities(std::string store_uri, std::optional<OidcSettings> oidc)
    : store_uri_(std::move(store_uri)), oidc_settings_(std::move(oidc)) {
  if (oidc_settings_) oidc_ = std::make_unique<auth::OidcVerifier>(oidc_settings_->config);
}

Identity Identities::authenticate_oidc(std::string_view token) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  try {
    const auth::OidcIdentity who = oidc_->verify(token, now);
    return {who.name, oidc_settings_->roles_of(who.roles), "oidc", who.expires};
  } catch (const auth::TokenError& e) {
    throw HttpError(401, std::string("identity provider token refused: ") + e.what());
  } catch (const auth::FetchError& e) {
    spdlog::error("identity provider: {}", e.what());
    throw HttpError(503,
                    "the identity provider cannot be reached to check the token; try again "
                    "shortly");
  }
}

Identities::~Identities() = default;

Store& Identities::store() {
  if (!store_) {
    store_ = open_store(store_uri_, {{}, false});
    users_ = std::make_unique<UserStore>(*store_);
    audit_ = std::make_unique<AuditLog>(*store_);
  }
  return *store_;
}

std::optional<User> Identities::authenticate(std::string_view token) {
  if (!token.starts_with("lr_")) return std::nullopt;
  const std::string key = sha256_hex(token);
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mutex_);
  if (const auto it = remembered_.find(key); it != remembered_.end()) {
    if (it->second.until > now) return it->second.user;
    remembered_.erase(it);
  }
  store();
  std::optional<User> user = users_->authenticate(token);
  if (user) {
    // Bounded: a server sees few distinct valid tokens; forget them all if that ever stops holding.
    if (remembered_.size() >= 10'000) remembered_.clear();
    remembered_[key] = {*user, now + std::chrono::seconds(kRememberSeconds)};
  }
  return user;
}

bool Identities::has_users() {
  if (oidc_) return true;
  const std::lock_guard lock(mutex_);
  store();
  for (const User& u : users_->list()) {
    if (!u.revoked_ms) return true;
  }
  return false;
}

bool Identities::still_active(const Identity& who) {
  if (who.source != "user") return true;
  const std::lock_guard lock(mutex_);
  store();
  for (const User& u : users_->list()) {
    if (u.name == who.name) return !u.revoked_ms;
  }
  return false;
}

void Identities::audit(const AuditEvent& event) noexcept {
  try {
    const std::lock_guard lock(mutex_);
    store();
    audit_->append(event);
  } catch (const std::exception& e) {
    spdlog::error("audit trail: could not record {} {} by {}: {}", echo_text(event.action),
                  echo_text(event.target), echo_text(event.who), echo_text(e.what(), 500));
  } catch (...) {
    spdlog::error("audit trail: could not record {}: unknown error", echo_text(event.action));
  }
}

void require_identity_source(const ServeSettings& s, Identities& ids) {
  if (auth::is_loopback_host(s.host) || ids.has_users()) return;
  throw UsageError(
      "serve --host " + echo_text(s.host) +
      " would be reachable from other machines, but this server cannot tell people apart: the "
      "store has no users and no identity provider is configured. Add an admin (`loanrisk users "
      "add NAME --role admin --store URI`, which prints the token once), or configure "
      "[auth.oidc] in loanrisk.toml (docs/security.md), or listen on 127.0.0.1");
}

}  // namespace loanrisk
