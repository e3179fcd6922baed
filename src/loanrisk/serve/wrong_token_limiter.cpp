#include "loanrisk/serve/wrong_token_limiter.hpp"

#include <algorithm>

namespace loanrisk {

WrongTokenLimiter::WrongTokenLimiter(int max_failures, std::chrono::seconds window,
                                     std::size_t max_addresses)
    : max_failures_(max_failures), window_(window), max_addresses_(max_addresses) {}

std::string WrongTokenLimiter::host_of(const std::string& client) {
  const auto colon = client.rfind(':');
  return colon == std::string::npos ? client : client.substr(0, colon);
}

std::int64_t WrongTokenLimiter::blocked_for(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto it = counts_.find(address);
  if (it == counts_.end()) return 0;
  const auto ends = it->second.first + window_;
  if (now >= ends) {
    counts_.erase(it);
    return 0;
  }
  if (it->second.failures < max_failures_) return 0;
  // Rounded up: "retry after 0 s" would invite the next refusal.
  const auto left = std::chrono::ceil<std::chrono::seconds>(ends - now).count();
  return std::max<std::int64_t>(left, 1);
}

void WrongTokenLimiter::failed(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(address);
  if (it != counts_.end() && now >= it->second.first + window_) {
    counts_.erase(it);
    it = counts_.end();
  }
  if (it == counts_.end()) {
    if (counts_.size() >= max_addresses_) prune(now);
    counts_.emplace(address, Count{now, 1});
    return;
  }
  ++it->second.failures;
}

void WrongTokenLimiter::prune(Clock::time_point now) {
  std::erase_if(counts_, [&](const auto& kv) { return now >= kv.second.first + window_; });
  // Still full: many addresses guessing at once. The oldest window goes first, so memory stays
  // bounded; that address may start guessing again sooner, which costs only its own attempts.
  while (counts_.size() >= max_addresses_) {
    const auto oldest = std::min_element(
        counts_.begin(), counts_.end(),
        [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
    counts_.erase(oldest);
  }
}

}  // namespace loanrisk
