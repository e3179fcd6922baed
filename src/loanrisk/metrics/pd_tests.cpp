#include "loanrisk/metrics/pd_tests.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <numeric>
#include <string>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

void check_counts(std::int64_t n, std::int64_t d, double pd) {
  if (n < 1 || d < 0 || d > n) {
    throw InputError("a default test needs customers >= 1 and 0 <= defaults <= customers; got " +
                     std::to_string(d) + " defaults of " + std::to_string(n));
  }
  if (!(pd >= 0 && pd <= 1)) {
    throw InputError("a default test needs a PD in [0, 1]; got " + std::to_string(pd));
  }
}

double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

/// 1-based ranks with ties given their average rank.
std::vector<double> midranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> rank(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && x[order[j]] == x[order[i]]) ++j;
    const double mid = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k) rank[order[k]] = mid;
    i = j;
  }
  return rank;
}

/// DeLong's structural components of one score: V10 per positive, V01 per negative.
struct Components {
  double auc = 0;
  std::vector<double> v10, v01;
};

Components components(const std::vector<double>& positives, const std::vector<double>& negatives) {
  const auto m = static_cast<double>(positives.size()), n = static_cast<double>(negatives.size());
  std::vector<double> all = positives;
  all.insert(all.end(), negatives.begin(), negatives.end());
  const std::vector<double> tx = midranks(positives), ty = midranks(negatives), tz = midranks(all);
  Components c;
  double rank_sum = 0;
  for (std::size_t i = 0; i < positives.size(); ++i) {
    rank_sum += tz[i];
    c.v10.push_back((tz[i] - tx[i]) / n);
  }
  for (std::size_t j = 0; j < negatives.size(); ++j) {
    c.v01.push_back(1.0 - (tz[positives.size() + j] - ty[j]) / m);
  }
  c.auc = (rank_sum - m * (m + 1) / 2) / (m * n);
  return c;
}

double covariance(const std::vector<double>& a, const std::vector<double>& b) {
  const auto k = static_cast<double>(a.size());
  if (a.size() < 2) return 0;
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / k,
               mb = std::accumulate(b.begin(), b.end(), 0.0) / k;
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += (a[i] - ma) * (b[i] - mb);
  return s / (k - 1);
}

/// Scores split by label, after checking labels and scores.
void split(const std::vector<double>& y, const std::vector<double>& score, std::vector<double>& pos,
           std::vector<double>& neg) {
  if (y.size() != score.size()) {
    throw InputError("labels and scores differ in length: " + std::to_string(y.size()) + " vs " +
                     std::to_string(score.size()));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0 && y[i] != 1) {
      throw InputError("label " + std::to_string(y[i]) + " at row " + std::to_string(i) +
                       " is not 0 or 1");
    }
    if (!std::isfinite(score[i])) {
      throw InputError("score at row " + std::to_string(i) + " is not a finite number");
    }
    (y[i] == 1 ? pos : neg).push_back(score[i]);
  }
  if (pos.empty() || neg.empty()) {
    throw InputError("an AUC needs defaults and non-defaults; the sample has " +
                     std::to_string(pos.size()) + " defaults and " + std::to_string(neg.size()) +
                     " non-defaults");
  }
}

}  // namespace

double jeffreys_p_value(std::int64_t n, std::int64_t d, double pd) {
  check_counts(n, d, pd);
  return boost::math::ibeta(static_cast<double>(d) + 0.5, static_cast<double>(n - d) + 0.5, pd);
}

double binomial_p_value(std::int64_t n, std::int64_t d, double pd) {
  check_counts(n, d, pd);
  if (d == 0) return 1.0;
  // P(X >= d) = I_pd(d, n - d + 1), the regularised incomplete beta function.
  return boost::math::ibeta(static_cast<double>(d), static_cast<double>(n - d + 1), pd);
}

HosmerLemeshow hosmer_lemeshow(const std::vector<HlGroup>& groups, bool fitted_on_sample) {
  HosmerLemeshow hl;
  for (const HlGroup& g : groups) {
    const double p = g.mean_pd, n = static_cast<double>(g.n);
    if (g.n < 1 || !(p > 0 && p < 1)) continue;
    const double expected = n * p;
    hl.statistic += std::pow(static_cast<double>(g.defaults) - expected, 2) / (expected * (1 - p));
    ++hl.dof;
  }
  if (fitted_on_sample) hl.dof -= 2;
  hl.p_value = hl.dof > 0 ? boost::math::gamma_q(hl.dof / 2.0, hl.statistic / 2.0) : std::nan("");
  return hl;
}

AucWithVariance delong_auc(const std::vector<double>& y, const std::vector<double>& score,
                           double level) {
  if (!(level > 0 && level < 1)) {
    throw InputError("a confidence level must be in (0, 1), e.g. 0.95; got " +
                     std::to_string(level));
  }
  std::vector<double> pos, neg;
  split(y, score, pos, neg);
  const Components c = components(pos, neg);
  AucWithVariance out;
  out.auc = c.auc;
  out.positives = static_cast<std::int64_t>(pos.size());
  out.negatives = static_cast<std::int64_t>(neg.size());
  out.variance = covariance(c.v10, c.v10) / static_cast<double>(pos.size()) +
                 covariance(c.v01, c.v01) / static_cast<double>(neg.size());
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + level / 2);
  const double half = z * std::sqrt(out.variance);
  out.ci_low = std::max(0.0, out.auc - half);
  out.ci_high = std::min(1.0, out.auc + half);
  return out;
}

AucComparison delong_compare(const std::vector<double>& y, const std::vector<double>& score_a,
                             const std::vector<double>& score_b) {
  std::vector<double> pos_a, neg_a, pos_b, neg_b;
  split(y, score_a, pos_a, neg_a);
  split(y, score_b, pos_b, neg_b);
  const Components a = components(pos_a, neg_a), b = components(pos_b, neg_b);
  const auto m = static_cast<double>(pos_a.size()), n = static_cast<double>(neg_a.size());
  AucComparison out;
  out.auc_a = a.auc;
  out.auc_b = b.auc;
  out.variance_a = covariance(a.v10, a.v10) / m + covariance(a.v01, a.v01) / n;
  out.variance_b = covariance(b.v10, b.v10) / m + covariance(b.v01, b.v01) / n;
  out.covariance = covariance(a.v10, b.v10) / m + covariance(a.v01, b.v01) / n;
  const double var = out.variance_a + out.variance_b - 2 * out.covariance;
  if (var <= 0) {
    // Identical rankings: no difference to test.
    out.z = 0;
    out.p_value = 1;
    return out;
  }
  out.z = (out.auc_a - out.auc_b) / std::sqrt(var);
  out.p_value = 2 * normal_sf(std::abs(out.z));
  return out;
}

AucDecline auc_decline(double auc_initial, const AucWithVariance& current) {
  AucDecline d;
  if (!(current.variance > 0)) {
    d.statistic = 0;
    d.p_value = auc_initial > current.auc ? 0 : 1;
    return d;
  }
  d.statistic = (auc_initial - current.auc) / std::sqrt(current.variance);
  d.p_value = normal_sf(d.statistic);
  return d;
}

Herfindahl herfindahl(const std::vector<double>& amounts) {
  Herfindahl h;
  const double total = std::accumulate(amounts.begin(), amounts.end(), 0.0);
  if (amounts.empty() || !(total > 0)) {
    h.index = std::nan("");
    h.normalised = std::nan("");
    return h;
  }
  for (const double a : amounts) h.index += (a / total) * (a / total);
  const auto k = static_cast<double>(amounts.size());
  h.normalised = amounts.size() == 1 ? 0.0 : (k * h.index - 1) / (k - 1);
  return h;
}

}  // namespace loanrisk
