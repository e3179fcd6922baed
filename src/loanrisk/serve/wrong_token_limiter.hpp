#pragma once
// Wrong tokens are counted per client address: checking a local user's token costs an argon2id
// verification (on purpose), so a client guessing tokens would otherwise hold the check for
// everyone. After max_failures wrong credentials within a window, the address is answered 429
// (Retry-After) for whatever credential it sends until the window ends; requests without one,
// and other addresses, are not affected.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace loanrisk {

class WrongTokenLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WrongTokenLimiter(int max_failures = 20,
                             std::chrono::seconds window = std::chrono::seconds(60),
                             std::size_t max_addresses = 10'000);

  /// Seconds until the address may send a credential again; 0 when it may now.
  std::int64_t blocked_for(const std::string& address, Clock::time_point now);
  /// Records a wrong credential from the address.
  void failed(const std::string& address, Clock::time_point now);

  /// The address without its port: "10.0.0.7:5555" -> "10.0.0.7", "::1:5555" -> "::1".
  static std::string host_of(const std::string& client);

 private:
  struct Count {
    Clock::time_point first;
    int failures = 0;
  };
  void prune(Clock::time_point now);

  int max_failures_;
  std::chrono::seconds window_;
  std::size_t max_addresses_;
  std::mutex mutex_;
  std::map<std::string, Count> counts_;
};

}  // namespace loanrisk
