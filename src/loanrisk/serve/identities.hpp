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

#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

class Identities {
 public:
  static constexpr int kRememberSeconds = 30;

  /// store_uri: the server's tracking store ("" for $LOANRISK_STORE, then the default); opened at
  /// first use.
  explicit Identities(std::string store_uri);
  ~Identities();

  /// The active user of a local token ("lr_..."), or nullopt for any other text, an unknown,
  /// wrong or revoked token. Thread-safe.
  std::optional<User> authenticate(std::string_view token);
  /// True when the store has at least one active user: governance is on, so the environment's
  /// shared admin token cannot stand in for a person where four eyes are needed.
  bool has_users();
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
  std::map<std::string, Remembered> remembered_;  ///< by sha256 of the token, never the token.
};

}  // namespace loanrisk
