// Correlations computed in two passes around the means (as pandas' nancorr), and single-column AUCs
// through the metrics layer, so the report and model evaluation agree on what an AUC is.
#include "loanrisk/eda/correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "loanrisk/metrics/classification.hpp"

namespace loanrisk::eda {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_of(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

CorrelationMatrix matrix_of(const std::vector<std::string>& names,
                            const std::vector<const std::vector<double>*>& columns) {
  const std::size_t k = columns.size();
  CorrelationMatrix m;
  m.names = names;
  m.values.assign(k * k, kNaN);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = i; j < k; ++j) {
      // The diagonal is 1 for any column that varies, as pandas shows it.
      const double r = pearson(*columns[i], *columns[j]);
      m.values[i * k + j] = m.values[j * k + i] = (i == j && !std::isnan(r)) ? 1.0 : r;
    }
  }
  return m;
}

}  // namespace

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) return kNaN;
  const double mx = mean_of(x), my = mean_of(y);
  double sxx = 0.0, syy = 0.0, sxy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx == 0.0 || syy == 0.0) return kNaN;
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  const std::size_t n = values.size();
  // Sorting (value, row) pairs kept together is several times faster than sorting row indices
  // through the values on a million rows.
  std::vector<std::pair<double, std::size_t>> order(n);
  for (std::size_t r = 0; r < n; ++r) order[r] = {values[r], r};
  std::sort(order.begin(), order.end());
  std::vector<double> ranks(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && order[j].first == order[i].first) ++j;
    // Positions i..j-1 share the mean of ranks i+1..j.
    const double rank = 0.5 * static_cast<double>(i + 1 + j);
    for (std::size_t t = i; t < j; ++t) ranks[order[t].second] = rank;
    i = j;
  }
  return ranks;
}

CorrelationMatrix pearson_matrix(const std::vector<std::string>& names,
                                 const std::vector<const std::vector<double>*>& columns) {
  return matrix_of(names, columns);
}

CorrelationMatrix spearman_matrix(const std::vector<std::string>& names,
                                  const std::vector<const std::vector<double>*>& columns) {
  std::vector<std::vector<double>> ranks;
  ranks.reserve(columns.size());
  std::vector<const std::vector<double>*> pointers;
  for (const auto* c : columns) {
    ranks.push_back(average_ranks(*c));
    pointers.push_back(&ranks.back());
  }
  return matrix_of(names, pointers);
}

SingleColumnScore single_column_score(const std::vector<double>& values,
                                      const std::vector<double>& target) {
  SingleColumnScore s;
  s.auc = auc_roc(target, values);
  s.higher_is_riskier = !(s.auc < 0.5);
  s.auc_best = std::isnan(s.auc) ? kNaN : std::max(s.auc, 1.0 - s.auc);
  return s;
}

}  // namespace loanrisk::eda
