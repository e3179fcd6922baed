#include "loanrisk/serve/prometheus.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

template <std::size_t N, typename H>
void add(H& h, const std::array<double, N>& bounds, double x) {
  std::size_t i = 0;
  while (i < N && x > bounds[i]) ++i;
  h.counts[i].fetch_add(1, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
  h.sum_micro.fetch_add(static_cast<std::uint64_t>(std::llround(x * 1e6)),
                        std::memory_order_relaxed);
}

template <std::size_t N, typename H>
void write(std::string& out, const std::string& name, const std::string& help, const H& h,
           const std::array<double, N>& bounds) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= N; ++i) {
    cumulative += h.counts[i].load(std::memory_order_relaxed);
    const std::string le = i < N ? format_double(bounds[i]) : "+Inf";
    out += name + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  out += name + "_sum " + format_double(static_cast<double>(h.sum_micro.load()) / 1e6) + "\n";
  out += name + "_count " + std::to_string(h.count.load()) + "\n";
}

}  // namespace

std::string prometheus_label(const std::string& value) {
  std::string s;
  for (char c : value) {
    if (c == '\\')
      s += "\\\\";
    else if (c == '"')
      s += "\\\"";
    else if (c == '\n')
      s += "\\n";
    else
      s += c;
  }
  return s;
}

void ServeMetrics::observe_request(const std::string& route, int status, double seconds) {
  {
    std::lock_guard lock(mutex_);
    ++requests_[{route, status}];
  }
  add(latency_, kLatencyBounds, seconds);
}

namespace {
std::int64_t utc_day() {
  return std::chrono::duration_cast<std::chrono::days>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void ServeMetrics::roll_to(std::int64_t day) {
  if (day_.load(std::memory_order_acquire) >= day) return;
  std::lock_guard lock(day_mutex_);
  if (day_.load(std::memory_order_relaxed) >= day) return;
  day_scored_ = 0;
  day_decided_ = 0;
  day_declined_ = 0;
  day_.store(day, std::memory_order_release);
}

void ServeMetrics::observe_pd(double pd) {
  add(pd_, kPdBounds, pd);
}

void ServeMetrics::observe_scored(std::uint64_t rows, std::uint64_t approved,
                                  std::uint64_t declined) {
  if (rows == 0) return;
  approved_total_.fetch_add(approved, std::memory_order_relaxed);
  declined_total_.fetch_add(declined, std::memory_order_relaxed);
  roll_to(utc_day());
  day_scored_.fetch_add(rows, std::memory_order_relaxed);
  day_decided_.fetch_add(approved + declined, std::memory_order_relaxed);
  day_declined_.fetch_add(declined, std::memory_order_relaxed);
}

ServeMetrics::Today ServeMetrics::today() const {
  const std::int64_t now = utc_day();
  Today t;
  t.day = now;
  t.since = std::max(now * 86'400, started_);
  if (day_.load(std::memory_order_acquire) != now) return t;  // nothing scored today yet
  t.scored = day_scored_.load(std::memory_order_relaxed);
  t.decided = day_decided_.load(std::memory_order_relaxed);
  t.declined = day_declined_.load(std::memory_order_relaxed);
  return t;
}

std::string ServeMetrics::render(const std::string& model_name, const std::string& model_version,
                                 std::uint64_t reloads, std::uint64_t reload_failures) const {
  std::string out;
  out += "# HELP loanrisk_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE loanrisk_http_requests_total counter\n";
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, n] : requests_) {
      out += "loanrisk_http_requests_total{route=\"" + prometheus_label(key.first) +
             "\",status=\"" + std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    }
  }
  write(out, "loanrisk_http_request_duration_seconds", "Time to answer a request.", latency_,
        kLatencyBounds);
  write(out, "loanrisk_predicted_pd", "Predicted probabilities of default.", pd_, kPdBounds);
  out += "# HELP loanrisk_decisions_total Decisions made on predicted PDs, by decision.\n";
  out += "# TYPE loanrisk_decisions_total counter\n";
  out += "loanrisk_decisions_total{decision=\"approve\"} " +
         std::to_string(approved_total_.load()) + "\n";
  out += "loanrisk_decisions_total{decision=\"decline\"} " +
         std::to_string(declined_total_.load()) + "\n";
  out += "# HELP loanrisk_model_info The model answering requests.\n";
  out += "# TYPE loanrisk_model_info gauge\n";
  out += "loanrisk_model_info{name=\"" + prometheus_label(model_name) + "\",version=\"" +
         prometheus_label(model_version) + "\"} 1\n";
  out += "# HELP loanrisk_model_reloads_total Models swapped in since start.\n";
  out += "# TYPE loanrisk_model_reloads_total counter\n";
  out += "loanrisk_model_reloads_total " + std::to_string(reloads) + "\n";
  out += "# HELP loanrisk_model_reload_failures_total Candidate models refused.\n";
  out += "# TYPE loanrisk_model_reload_failures_total counter\n";
  out += "loanrisk_model_reload_failures_total " + std::to_string(reload_failures) + "\n";
  // The thread budget the process computes with, and the CPUs it may use: a pod whose quota is
  // below its node's cores shows it here (core/cpu_budget.hpp).
  const ThreadBudget budget = thread_budget();
  out += "# HELP loanrisk_threads Threads for models and OpenMP, by where the count came from.\n";
  out += "# TYPE loanrisk_threads gauge\n";
  out += "loanrisk_threads{source=\"" + prometheus_label(budget.source) + "\"} " +
         std::to_string(budget.threads) + "\n";
  out += "# HELP loanrisk_cpus CPUs the process may use, by the bound that set the count.\n";
  out += "# TYPE loanrisk_cpus gauge\n";
  out += "loanrisk_cpus{source=\"" + prometheus_label(budget.cpus.source) + "\"} " +
         std::to_string(budget.cpus.cpus) + "\n";
  return out;
}

}  // namespace loanrisk
