#pragma once
// Local users for a team without an identity provider: a name, one role and a bearer token shown
// once at creation. The store keeps only an argon2id hash of the token's secret (libsodium's
// crypto_pwhash_str), so a copy of the database does not hand out identities.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// What an identity may do (docs/security.md): read, score, build models, validate, administer.
enum class Role { kViewer, kOfficer, kAnalyst, kValidator, kAdmin };

/// "viewer", "officer", "analyst", "validator" or "admin".
std::string_view to_string(Role role);
/// The role with that name; UsageError listing the valid ones.
Role parse_role(std::string_view name);

/// `bytes` random bytes (libsodium) as base64url without padding: secrets and session ids.
std::string random_base64url(std::size_t bytes);

/// Who makes a call, as the audit trail and the registry record it.
struct Identity {
  std::string name;  ///< a user's name; the OS user's for the CLI without a token.
  /// A local user's one role, or those an identity provider's token names; none: single-user
  /// mode or an anonymous caller.
  std::vector<Role> roles;
  /// "user" (a local user's token), "oidc", "admin-token" or "api-token" (the environment's),
  /// "os" (the CLI without a token: whoever runs the process), "anonymous".
  std::string source;
  /// When the credential stops being valid (Unix seconds; an identity provider's token's exp);
  /// 0: no end of its own.
  std::int64_t expires = 0;

  bool has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }
  /// "analyst,validator"; empty for none (the audit trail's role column).
  std::string roles_text() const {
    std::string out;
    for (const Role r : roles) out += (out.empty() ? "" : ",") + std::string(to_string(r));
    return out;
  }
};

/// A local user as listed (never with the token or its hash).
struct User {
  std::string name;
  Role role = Role::kViewer;
  std::int64_t created_ms = 0;
  std::string created_by;
  std::optional<std::int64_t> revoked_ms;  ///< set once revoked; a revoked token never works.
  std::string revoked_by;
};

/// A new user and the one copy of its token.
struct NewUser {
  User user;
  std::string token;  ///< "lr_<id>_<secret>": shown once, stored only as a hash.
};

/// Local users in the tracking store.
class UserStore {
 public:
  explicit UserStore(Store& store);

  /// Creates a user; UsageError for a bad or taken name (a revoked user's name stays taken, so
  /// the audit trail keeps meaning one person).
  NewUser add(const std::string& name, Role role, const std::string& by);
  /// Every user, revoked ones included, by name.
  std::vector<User> list();
  /// Revokes a user's token; UsageError when there is no such user or it is already revoked.
  void revoke(const std::string& name, const std::string& by);
  /// The active user a token belongs to, or nullopt (unknown, malformed, wrong or revoked). Slow
  /// by design (argon2id); callers that see the same token often cache the answer.
  std::optional<User> authenticate(std::string_view token);

 private:
  Database& db_;
};

}  // namespace loanrisk
