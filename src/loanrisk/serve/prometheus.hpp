#pragma once
// The server's Prometheus metrics: requests by route and status, request latency and predicted PD
// histograms, reloads and refused reloads, and the loaded model as an info metric.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace loanrisk {

/// Counters and histograms updated by request threads, rendered as text exposition format 0.0.4.
class ServeMetrics {
 public:
  /// Upper bounds of the latency histogram, in seconds.
  static constexpr std::array<double, 12> kLatencyBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};
  /// Upper bounds of the PD histogram.
  static constexpr std::array<double, 10> kPdBounds = {0.005, 0.01, 0.02, 0.04, 0.07,
                                                       0.12,  0.2,  0.3,  0.5,  1.0};

  /// Records one answered request (route is the route template, "other" for unknown paths).
  void observe_request(const std::string& route, int status, double seconds);
  /// Records one predicted PD (what-if probes are not recorded).
  void observe_pd(double pd);
  /// Records one request's scored rows and the decisions made on them (approve, or decline at
  /// the threshold; none for /invocations): once per request, off the per-row path.
  void observe_scored(std::uint64_t rows, std::uint64_t approved, std::uint64_t declined);
  /// Rows scored and decisions made since 00:00 UTC of the current day (or since the server
  /// started, when later): in memory, so a restart begins again at zero.
  struct Today {
    std::int64_t day = 0;    ///< days since 1970-01-01, UTC.
    std::int64_t since = 0;  ///< Unix seconds the counts start from: midnight or the start.
    std::uint64_t scored = 0, decided = 0, declined = 0;
  };
  Today today() const;
  /// The exposition text; the info metric and reload counters come from the caller.
  std::string render(const std::string& model_name, const std::string& model_version,
                     std::uint64_t reloads, std::uint64_t reload_failures) const;

 private:
  template <std::size_t N>
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, N + 1> counts{};  ///< last bucket: +Inf.
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_micro{0};  ///< sum x 1e6, to keep it an integer atomic.
  };
  /// Moves the day tally to `day` when it is still on an earlier one.
  void roll_to(std::int64_t day);

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::atomic<std::uint64_t> approved_total_{0}, declined_total_{0};
  std::mutex day_mutex_;  ///< held only to move to a new day.
  std::atomic<std::int64_t> day_{0};
  std::atomic<std::uint64_t> day_scored_{0}, day_decided_{0}, day_declined_{0};
  std::int64_t started_ = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  Histogram<kLatencyBounds.size()> latency_;
  Histogram<kPdBounds.size()> pd_;
};

/// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace loanrisk
