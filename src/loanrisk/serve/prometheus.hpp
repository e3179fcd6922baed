#pragma once
// The server's Prometheus metrics: requests by route and status, request latency and predicted PD
// histograms, reloads and refused reloads, and the loaded model as an info metric.
#include <array>
#include <atomic>
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
  /// Records one predicted PD.
  void observe_pd(double pd);
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
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  Histogram<kLatencyBounds.size()> latency_;
  Histogram<kPdBounds.size()> pd_;
};

/// Escapes a Prometheus label value (backslash, quote, newline).
std::string prometheus_label(const std::string& value);

}  // namespace loanrisk
