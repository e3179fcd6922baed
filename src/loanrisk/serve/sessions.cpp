#include "loanrisk/serve/sessions.hpp"

#include <algorithm>

#include "loanrisk/core/sha256.hpp"

namespace loanrisk {

Sessions::Sessions(std::function<bool(const Identity&)> still_valid, std::chrono::seconds recheck)
    : still_valid_(std::move(still_valid)), recheck_(recheck) {}

Sessions::Started Sessions::start(const Identity& who, std::optional<std::int64_t> expires_in) {
  Started s{random_base64url(32), random_base64url(32), kLifetimeSeconds};
  if (expires_in) {
    s.max_age = static_cast<int>(std::clamp<std::int64_t>(*expires_in, 1, kLifetimeSeconds));
  }
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mutex_);
  if (by_hash_.size() >= kMaxSessions) {
    std::erase_if(by_hash_, [&](const auto& e) { return e.second.until <= now; });
  }
  if (by_hash_.size() >= kMaxSessions) {
    // Still full of live sessions: the one closest to its end goes, not the newcomer.
    const auto oldest = std::min_element(by_hash_.begin(), by_hash_.end(), [](auto& a, auto& b) {
      return a.second.until < b.second.until;
    });
    by_hash_.erase(oldest);
  }
  by_hash_[sha256_hex(s.id)] = {who, s.csrf, now + std::chrono::seconds(s.max_age), now};
  return s;
}

std::optional<Sessions::Found> Sessions::find(std::string_view cookie_header) {
  const std::string_view id = cookie_value(cookie_header, kCookie);
  if (id.empty()) return std::nullopt;
  const std::string key = sha256_hex(id);
  const auto now = std::chrono::steady_clock::now();
  Entry entry;
  {
    const std::lock_guard lock(mutex_);
    const auto it = by_hash_.find(key);
    if (it == by_hash_.end()) return std::nullopt;
    if (it->second.until <= now) {
      by_hash_.erase(it);
      return std::nullopt;
    }
    if (now - it->second.checked < recheck_) {
      return Found{
          it->second.who, it->second.csrf,
          static_cast<int>(
              std::chrono::duration_cast<std::chrono::seconds>(it->second.until - now).count())};
    }
    entry = it->second;
  }
  // The check may read the store: outside the lock, so that other sessions do not wait on it.
  const bool valid = still_valid_(entry.who);
  const std::lock_guard lock(mutex_);
  const auto it = by_hash_.find(key);
  if (it == by_hash_.end()) return std::nullopt;
  if (!valid) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.checked = now;
  return Found{entry.who, entry.csrf,
               static_cast<int>(
                   std::chrono::duration_cast<std::chrono::seconds>(entry.until - now).count())};
}

void Sessions::end(std::string_view cookie_header) {
  const std::string_view id = cookie_value(cookie_header, kCookie);
  if (id.empty()) return;
  const std::lock_guard lock(mutex_);
  by_hash_.erase(sha256_hex(id));
}

std::string Sessions::set_cookie(const Started& s) {
  return std::string(kCookie) + "=" + s.id + "; Path=/; Max-Age=" + std::to_string(s.max_age) +
         "; Secure; HttpOnly; SameSite=Strict";
}

std::string Sessions::clear_cookie() {
  return std::string(kCookie) + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict";
}

std::string_view Sessions::cookie_value(std::string_view header, std::string_view name) {
  // RFC 6265 section 5.4: "name=value" pairs separated by "; ". The first match counts.
  while (!header.empty()) {
    const std::size_t end = std::min(header.find(';'), header.size());
    std::string_view pair = header.substr(0, end);
    header.remove_prefix(std::min(end + 1, header.size()));
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
  }
  return {};
}

}  // namespace loanrisk
