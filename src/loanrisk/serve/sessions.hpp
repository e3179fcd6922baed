#pragma once
// Web sign-in: a browser trades a token the server accepts (a local user's, the identity
// provider's, the environment's admin token) for a session cookie, so that the page never keeps a
// token where its scripts can read it. The cookie is Secure, HttpOnly and SameSite=Strict; a
// state-changing request carried by the cookie must also echo the session's CSRF token in the
// X-CSRF-Token header (docs/security.md). Sessions live in the server's memory: a restart signs
// everyone out.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

class Sessions {
 public:
  static constexpr int kLifetimeSeconds = 8 * 3600;  ///< a working day, then sign in again.
  static constexpr int kRecheckSeconds = 30;         ///< a revoked user's session ends within this.
  static constexpr std::size_t kMaxSessions = 10'000;
  static constexpr std::string_view kCookie = "loanrisk_session";

  /// still_valid: asked at most every kRecheckSeconds whether a session's identity still holds
  /// (a local user not revoked since).
  explicit Sessions(std::function<bool(const Identity&)> still_valid,
                    std::chrono::seconds recheck = std::chrono::seconds(kRecheckSeconds));

  struct Started {
    std::string id;    ///< the cookie's value: 256 random bits, kept only as a hash here.
    std::string csrf;  ///< the token state-changing requests echo in X-CSRF-Token.
    int max_age = 0;   ///< seconds.
  };
  struct Found {
    Identity who;
    std::string csrf;
    int seconds_left = 0;
  };

  /// A session for who, ending after kLifetimeSeconds or at `expires_in` seconds when sooner (an
  /// identity provider's token expiry).
  Started start(const Identity& who, std::optional<std::int64_t> expires_in = std::nullopt);
  /// The live session the Cookie header names; nullopt for none, an unknown, expired or revoked
  /// one. Thread-safe.
  std::optional<Found> find(std::string_view cookie_header);
  /// Ends the session the Cookie header names (nothing when none).
  void end(std::string_view cookie_header);

  /// The Set-Cookie header's value for a new session, and the one that clears it.
  static std::string set_cookie(const Started& s);
  static std::string clear_cookie();
  /// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "" when absent.
  static std::string_view cookie_value(std::string_view header, std::string_view name);

 private:
  struct Entry {
    Identity who;
    std::string csrf;
    std::chrono::steady_clock::time_point until;
    std::chrono::steady_clock::time_point checked;
  };
  std::function<bool(const Identity&)> still_valid_;
  std::chrono::seconds recheck_;
  std::mutex mutex_;
  std::map<std::string, Entry> by_hash_;  ///< sha256 of the cookie's value -> session.
};

}  // namespace loanrisk
