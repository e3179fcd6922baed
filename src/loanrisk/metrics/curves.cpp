#include "loanrisk/metrics/curves.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "loanrisk/core/error.hpp"

namespace loanrisk {
namespace {

void check(const std::vector<double>& y, const std::vector<double>& p, bool probabilities) {
  if (y.size() != p.size()) {
    throw InputError(
        fmt::format("labels and scores differ in size: {} labels, {} scores", y.size(), p.size()));
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      throw InputError(
          fmt::format("label at index {} is {}; labels must be exactly 0 or 1", i, y[i]));
    }
    if (!std::isfinite(p[i]) || (probabilities && (p[i] < 0 || p[i] > 1))) {
      throw InputError(fmt::format("score at index {} is {}; scores must be finite{}", i, p[i],
                                   probabilities ? " probabilities in [0, 1]" : ""));
    }
  }
}

std::size_t bin_of(double p, std::size_t bins) {
  return std::min(bins - 1, static_cast<std::size_t>(p * static_cast<double>(bins)));
}

double number(const std::string& text, const std::string& whole) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < 0) {
    throw UsageError(fmt::format(
        "threshold rule '{}': '{}' is not a non-negative number; use max_f1, cost:FN:FP (e.g. "
        "cost:5:1) or fixed:T (e.g. fixed:0.5)",
        whole, text));
  }
  return v;
}

}  // namespace

std::vector<ThresholdPoint> threshold_curve(const std::vector<double>& y,
                                            const std::vector<double>& score) {
  check(y, score, false);
  std::vector<std::size_t> order(y.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return score[a] > score[b]; });
  const double positives = std::count(y.begin(), y.end(), 1.0);
  const double negatives = static_cast<double>(y.size()) - positives;
  if (positives == 0 || negatives == 0) {
    throw InputError("curves need both classes: the labels hold only " +
                     std::string(positives == 0 ? "0s" : "1s"));
  }
  std::vector<ThresholdPoint> out;
  out.push_back({std::numeric_limits<double>::infinity(), 0, 0, 1});
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size();) {
    const double s = score[order[i]];
    while (i < order.size() && score[order[i]] == s) {
      (y[order[i]] == 1.0 ? tp : fp) += 1;
      ++i;
    }
    out.push_back({s, tp / positives, fp / negatives, tp / (tp + fp)});
  }
  return out;
}

std::vector<ThresholdPoint> thin_curve(const std::vector<ThresholdPoint>& curve,
                                       std::size_t max_points) {
  if (curve.size() <= max_points || max_points < 2) return curve;
  std::vector<ThresholdPoint> out;
  const double step = static_cast<double>(curve.size() - 1) / static_cast<double>(max_points - 1);
  for (std::size_t k = 0; k < max_points; ++k) {
    out.push_back(curve[static_cast<std::size_t>(std::llround(step * static_cast<double>(k)))]);
  }
  return out;
}

std::vector<ReliabilityBin> reliability_curve(const std::vector<double>& y,
                                              const std::vector<double>& p, std::size_t bins) {
  check(y, p, true);
  if (bins == 0) throw UsageError("a reliability curve needs at least one bin");
  std::vector<ReliabilityBin> out(bins);
  for (std::size_t b = 0; b < bins; ++b) {
    out[b].lower = static_cast<double>(b) / static_cast<double>(bins);
    out[b].upper = static_cast<double>(b + 1) / static_cast<double>(bins);
  }
  for (std::size_t i = 0; i < p.size(); ++i) {
    ReliabilityBin& bin = out[bin_of(p[i], bins)];
    ++bin.count;
    bin.mean_pd += p[i];
    bin.observed_rate += y[i];
  }
  for (ReliabilityBin& bin : out) {
    if (bin.count == 0) continue;
    bin.mean_pd /= static_cast<double>(bin.count);
    bin.observed_rate /= static_cast<double>(bin.count);
  }
  return out;
}

double expected_calibration_error(const std::vector<ReliabilityBin>& curve) {
  double n = 0, sum = 0;
  for (const ReliabilityBin& bin : curve) {
    n += static_cast<double>(bin.count);
    sum += static_cast<double>(bin.count) * std::fabs(bin.observed_rate - bin.mean_pd);
  }
  return n == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / n;
}

ScoreHistogram score_histogram(const std::vector<double>& y, const std::vector<double>& p,
                               std::size_t bins) {
  check(y, p, true);
  if (bins == 0) throw UsageError("a histogram needs at least one bin");
  ScoreHistogram h;
  for (std::size_t b = 0; b <= bins; ++b) {
    h.edges.push_back(static_cast<double>(b) / static_cast<double>(bins));
  }
  h.negatives.assign(bins, 0);
  h.positives.assign(bins, 0);
  for (std::size_t i = 0; i < p.size(); ++i) {
    ++(y[i] == 1.0 ? h.positives : h.negatives)[bin_of(p[i], bins)];
  }
  return h;
}

ThresholdRule ThresholdRule::parse(const std::string& text) {
  ThresholdRule rule;
  if (text == "max_f1") return rule;
  if (text.rfind("cost:", 0) == 0) {
    const auto colon = text.find(':', 5);
    if (colon == std::string::npos) {
      throw UsageError(
          fmt::format("threshold rule '{}' needs two costs; use cost:FN:FP, e.g. cost:5:1", text));
    }
    rule.kind = Kind::Cost;
    rule.fn_cost = number(text.substr(5, colon - 5), text);
    rule.fp_cost = number(text.substr(colon + 1), text);
    if (rule.fn_cost + rule.fp_cost == 0) {
      throw UsageError(fmt::format("threshold rule '{}': the costs cannot both be 0", text));
    }
    return rule;
  }
  if (text.rfind("fixed:", 0) == 0) {
    rule.kind = Kind::Fixed;
    rule.fixed = number(text.substr(6), text);
    if (rule.fixed > 1) {
      throw UsageError(
          fmt::format("threshold rule '{}': the threshold must be within [0, 1]", text));
    }
    return rule;
  }
  throw UsageError(fmt::format(
      "unknown threshold rule '{}'; use max_f1, cost:FN:FP (e.g. cost:5:1) or fixed:T (e.g. "
      "fixed:0.5)",
      text));
}

std::string ThresholdRule::to_string() const {
  switch (kind) {
    case Kind::MaxF1:
      return "max_f1";
    case Kind::Cost:
      return fmt::format("cost:{}:{}", fn_cost, fp_cost);
    case Kind::Fixed:
      return fmt::format("fixed:{}", fixed);
  }
  return "max_f1";
}

double choose_threshold(const std::vector<double>& y, const std::vector<double>& p,
                        const ThresholdRule& rule) {
  if (rule.kind == ThresholdRule::Kind::Fixed) return rule.fixed;
  const std::vector<ThresholdPoint> curve = threshold_curve(y, p);
  const double positives = std::count(y.begin(), y.end(), 1.0);
  const double negatives = static_cast<double>(y.size()) - positives;
  double best = curve[1].threshold;
  double best_value = -std::numeric_limits<double>::infinity();
  // The cost rule also weighs declining nobody (the curve's starting point), which is the
  // cheapest decision when false alarms cost enough; max F1 is 0 there, so it starts below.
  const std::size_t first = rule.kind == ThresholdRule::Kind::Cost ? 0 : 1;
  for (std::size_t i = first; i < curve.size(); ++i) {
    const ThresholdPoint& pt = curve[i];
    double value = 0;
    if (rule.kind == ThresholdRule::Kind::MaxF1) {
      const double denom = pt.precision + pt.tpr;
      value = denom == 0 ? 0 : 2 * pt.precision * pt.tpr / denom;
    } else {
      const double fn = (1 - pt.tpr) * positives, fp = pt.fpr * negatives;
      value = -(rule.fn_cost * fn + rule.fp_cost * fp);
    }
    if (value > best_value) {  // strict: the highest threshold wins a tie
      best_value = value;
      // Declining nobody: just above the highest score, so that p >= threshold holds for none.
      best = std::isinf(pt.threshold)
                 ? std::nextafter(curve[1].threshold, std::numeric_limits<double>::infinity())
                 : pt.threshold;
    }
  }
  return best;
}

nlohmann::json to_json(const std::vector<ThresholdPoint>& curve) {
  nlohmann::json out = nlohmann::json::array();
  for (const ThresholdPoint& pt : curve) {
    out.push_back({{"threshold", std::isfinite(pt.threshold) ? nlohmann::json(pt.threshold)
                                                             : nlohmann::json(nullptr)},
                   {"tpr", pt.tpr},
                   {"fpr", pt.fpr},
                   {"precision", pt.precision}});
  }
  return out;
}

nlohmann::json to_json(const std::vector<ReliabilityBin>& curve) {
  nlohmann::json out = nlohmann::json::array();
  for (const ReliabilityBin& bin : curve) {
    out.push_back({{"lower", bin.lower},
                   {"upper", bin.upper},
                   {"count", bin.count},
                   {"mean_pd", bin.mean_pd},
                   {"observed_rate", bin.observed_rate}});
  }
  return out;
}

nlohmann::json to_json(const ScoreHistogram& h) {
  return {{"edges", h.edges}, {"negatives", h.negatives}, {"positives", h.positives}};
}

}  // namespace loanrisk
