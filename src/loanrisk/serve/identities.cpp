#include "loanrisk/serve/identities.hpp"

#include "loanrisk/core/sha256.hpp"

namespace loanrisk {

LocalUsers::LocalUsers(std::string store_uri) : store_uri_(std::move(store_uri)) {}

LocalUsers::~LocalUsers() = default;

std::optional<User> LocalUsers::authenticate(std::string_view token) {
  if (!token.starts_with("lr_")) return std::nullopt;
  const std::string key = sha256_hex(token);
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mutex_);
  if (const auto it = remembered_.find(key); it != remembered_.end()) {
    if (it->second.until > now) return it->second.user;
    remembered_.erase(it);
  }
  if (!users_) {
    store_ = open_store(store_uri_, {{}, false});
    users_ = std::make_unique<UserStore>(*store_);
  }
  std::optional<User> user = users_->authenticate(token);
  if (user) {
    // Bounded: a server sees few distinct valid tokens; forget them all if that ever stops holding.
    if (remembered_.size() >= 10'000) remembered_.clear();
    remembered_[key] = {*user, now + std::chrono::seconds(kRememberSeconds)};
  }
  return user;
}

}  // namespace loanrisk
