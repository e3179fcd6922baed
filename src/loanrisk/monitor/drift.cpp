#include "loanrisk/monitor/drift.hpp"

#include <algorithm>
#include <cmath>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/quantile.hpp"

namespace loanrisk::monitor {

namespace {
using enum Status;
constexpr auto kStatuses = enum_names<Status>(
    "drift status",
    {{Green, "green"}, {Amber, "amber"}, {Red, "red"}, {Insufficient, "insufficient"}});
}  // namespace

std::string status_name(Status s) {
  return std::string(kStatuses.name(s));
}

Status status_of(double psi_value) {
  if (std::isnan(psi_value)) return Status::Insufficient;
  if (psi_value < kAmber) return Status::Green;
  if (psi_value <= kRed) return Status::Amber;
  return Status::Red;
}

Status worse(Status a, Status b) {
  // Insufficient ranks lowest: missing evidence must not hide a red elsewhere.
  const auto rank = [](Status s) {
    return s == Status::Red ? 3 : s == Status::Amber ? 2 : s == Status::Green ? 1 : 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

double psi(const std::vector<double>& reference_shares,
           const std::vector<std::size_t>& live_counts) {
  if (reference_shares.size() != live_counts.size() || live_counts.empty()) return std::nan("");
  std::size_t total = 0;
  for (auto c : live_counts) total += c;
  if (total == 0) return std::nan("");
  double sum = 0;
  for (std::size_t k = 0; k < live_counts.size(); ++k) {
    const double e = std::max(reference_shares[k], kEmptyShare);
    const double a =
        std::max(static_cast<double>(live_counts[k]) / static_cast<double>(total), kEmptyShare);
    sum += (a - e) * std::log(a / e);
  }
  return sum;
}

double psi_with_missing(const std::vector<double>& reference_shares, double reference_missing,
                        const std::vector<std::size_t>& live_counts, std::size_t live_missing) {
  if (reference_shares.size() != live_counts.size() || live_counts.empty()) return std::nan("");
  std::size_t total = live_missing;
  for (auto c : live_counts) total += c;
  if (total == 0) return std::nan("");
  const auto term = [](double e, double a) {
    e = std::max(e, kEmptyShare);
    a = std::max(a, kEmptyShare);
    return (a - e) * std::log(a / e);
  };
  const double n = static_cast<double>(total);
  double sum = term(reference_missing, static_cast<double>(live_missing) / n);
  for (std::size_t k = 0; k < live_counts.size(); ++k) {
    sum += term(reference_shares[k] * (1 - reference_missing),
                static_cast<double>(live_counts[k]) / n);
  }
  return sum;
}

double ks_two_sample(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.empty() || b.empty()) return std::nan("");
  // Walk both samples in order; after consuming every copy of a value, compare the two CDFs.
  std::size_t i = 0, j = 0;
  double d = 0;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  while (i < a.size() && j < b.size()) {
    const double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
  }
  return d;
}

double wasserstein_quantiles(const std::vector<double>& qa, const std::vector<double>& qb) {
  if (qa.size() != qb.size() || qa.size() < 2) return std::nan("");
  double sum = 0;
  for (std::size_t k = 0; k + 1 < qa.size(); ++k) {
    sum += 0.5 * (std::abs(qa[k] - qb[k]) + std::abs(qa[k + 1] - qb[k + 1]));
  }
  return sum / static_cast<double>(qa.size() - 1);
}

std::vector<double> quantile_grid(const std::vector<double>& sorted, std::size_t n) {
  std::vector<double> q(n);
  for (std::size_t k = 0; k < n; ++k) {
    q[k] = quantile_sorted(sorted, n > 1 ? static_cast<double>(k) / (n - 1) : 0.0);
  }
  return q;
}

}  // namespace loanrisk::monitor
