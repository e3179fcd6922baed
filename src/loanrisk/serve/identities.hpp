#pragma once
// Who a bearer token belongs to, for the route table's access check: a local user's token
// (`loanrisk users add`, checked against its argon2id hash in the store) or one of the two tokens
// from the environment. A verified local token is remembered for a short while, so a client that
// sends it with every request pays the slow hash once, and a revocation takes effect within
// kRememberSeconds.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

class LocalUsers {
 public:
  static constexpr int kRememberSeconds = 30;

  /// store_uri: the server's tracking store ("" for $LOANRISK_STORE, then the default); opened at
  /// the first local token.
  explicit LocalUsers(std::string store_uri);
  ~LocalUsers();

  /// The active user of a local token ("lr_..."), or nullopt for any other text, an unknown,
  /// wrong or revoked token. Thread-safe.
  std::optional<User> authenticate(std::string_view token);

 private:
  struct Remembered {
    User user;
    std::chrono::steady_clock::time_point until;
  };
  std::string store_uri_;
  std::mutex mutex_;  // the store's connection and the memory are shared by request threads
  std::unique_ptr<Store> store_;
  std::unique_ptr<UserStore> users_;
  std::map<std::string, Remembered> remembered_;  ///< by sha256 of the token, never the token.
};

}  // namespace loanrisk
