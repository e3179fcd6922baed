#include "loanrisk/metrics/bootstrap.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/quantile.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/metrics/classification.hpp"

namespace loanrisk {
namespace {

std::map<std::string, double> headline(const ClassificationReport& r) {
  return {{"auc_roc", r.auc_roc}, {"pr_auc", r.pr_auc},       {"f1", r.f1},
          {"recall", r.recall},   {"precision", r.precision}, {"accuracy", r.accuracy},
          {"brier", r.brier},     {"log_loss", r.log_loss},   {"ks", r.ks}};
}

}  // namespace

std::map<std::string, MetricInterval> bootstrap_intervals(const std::vector<double>& y,
                                                          const std::vector<double>& p,
                                                          double threshold,
                                                          const BootstrapOptions& options) {
  if (options.resamples == 0) throw UsageError("bootstrap needs at least one resample");
  if (!(options.level > 0 && options.level < 1)) {
    throw UsageError(fmt::format("bootstrap level must be within (0, 1), got {}", options.level));
  }
  const std::map<std::string, double> full = headline(evaluate_classification(y, p, threshold));
  std::map<std::string, std::vector<double>> draws;
  Rng rng(options.seed);
  std::vector<double> ys(y.size()), ps(p.size());
  for (std::size_t b = 0; b < options.resamples; ++b) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      const std::size_t k = rng.below(y.size());
      ys[i] = y[k];
      ps[i] = p[k];
    }
    for (const auto& [name, value] : headline(evaluate_classification(ys, ps, threshold))) {
      if (std::isfinite(value)) draws[name].push_back(value);
    }
  }
  std::map<std::string, MetricInterval> out;
  for (const auto& [name, estimate] : full) {
    std::vector<double>& values = draws[name];
    std::sort(values.begin(), values.end());
    out[name] = {estimate, quantile_sorted(values, (1 - options.level) / 2),
                 quantile_sorted(values, (1 + options.level) / 2), values.size()};
  }
  return out;
}

nlohmann::json to_json(const std::map<std::string, MetricInterval>& intervals) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, m] : intervals) {
    out[name] = {{"estimate", number_or_null(m.estimate)},
                 {"lower", number_or_null(m.lower)},
                 {"upper", number_or_null(m.upper)},
                 {"resamples", m.resamples}};
  }
  return out;
}

}  // namespace loanrisk
