#include "loanrisk/models/calibrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

double logit(double p) {
  const double q = std::clamp(p, 1e-15, 1 - 1e-15);
  return std::log(q / (1 - q));
}

double clip_pd(double p) {
  return std::clamp(p, Calibrator::kMinPd, 1 - Calibrator::kMinPd);
}

void check(const std::vector<double>& raw, const std::vector<double>& y) {
  if (raw.size() != y.size()) {
    throw InputError(fmt::format("calibration has {} PDs for {} labels", raw.size(), y.size()));
  }
  std::size_t positives = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      throw InputError(
          fmt::format("calibration label at row {} is {}; labels must be 0 or 1", i, y[i]));
    }
    if (!(raw[i] >= 0 && raw[i] <= 1)) {
      throw InputError(
          fmt::format("calibration PD at row {} is {}; PDs must be within [0, 1]", i, raw[i]));
    }
    positives += y[i] == 1.0;
  }
  if (positives == 0 || positives == y.size()) {
    throw InputError(fmt::format(
        "calibration needs both classes in the validation split, which has {} rows and {} "
        "defaults; use more data or --calibration none",
        y.size(), positives));
  }
}

// Platt (1999) with his smoothed targets, minimised by Newton's method with a line search.
std::pair<double, double> fit_platt(const std::vector<double>& raw, const std::vector<double>& y) {
  const double pos = std::accumulate(y.begin(), y.end(), 0.0);
  const double neg = static_cast<double>(y.size()) - pos;
  const double hi = (pos + 1) / (pos + 2), lo = 1 / (neg + 2);
  std::vector<double> f(raw.size()), t(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    f[i] = logit(raw[i]);
    t[i] = y[i] == 1.0 ? hi : lo;
  }
  const auto loss = [&](double a, double b) {
    double sum = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double m = a * f[i] + b;
      const double sp = m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m));
      sum += sp - t[i] * m;
    }
    return sum;
  };
  double a = 1, b = 0, current = loss(a, b);
  for (int it = 0; it < 100; ++it) {
    double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const double p = 1 / (1 + std::exp(-(a * f[i] + b)));
      const double r = p - t[i], w = p * (1 - p);
      ga += r * f[i];
      gb += r;
      haa += w * f[i] * f[i];
      hab += w * f[i];
      hbb += w;
    }
    const double det = haa * hbb - hab * hab;
    const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    double step = 1;
    double next = current;
    for (int k = 0; k < 60; ++k) {
      next = loss(a - step * da, b - step * db);
      if (next <= current) break;
      step /= 2;
    }
    a -= step * da;
    b -= step * db;
    const bool done = std::fabs(step * da) + std::fabs(step * db) < 1e-12;
    current = next;
    if (done) break;
  }
  return {a, b};
}

// Pool-adjacent-violators on rows sorted by raw PD (ties pooled first); one knot at each end of a
// block, so the map is constant within a block and linear between blocks.
void fit_isotonic(const std::vector<double>& raw, const std::vector<double>& y,
                  std::vector<double>& xs, std::vector<double>& ys) {
  std::vector<std::size_t> order(raw.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto l, auto r) { return raw[l] < raw[r]; });
  struct Block {
    double lo, hi, sum, n;
  };
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < order.size();) {
    const double x = raw[order[i]];
    Block b{x, x, 0, 0};
    while (i < order.size() && raw[order[i]] == x) {
      b.sum += y[order[i]];
      b.n += 1;
      ++i;
    }
    blocks.push_back(b);
    while (blocks.size() > 1) {
      Block& last = blocks.back();
      Block& prev = blocks[blocks.size() - 2];
      if (prev.sum / prev.n < last.sum / last.n) break;
      prev = {prev.lo, last.hi, prev.sum + last.sum, prev.n + last.n};
      blocks.pop_back();
    }
  }
  for (const Block& b : blocks) {
    xs.push_back(b.lo);
    ys.push_back(b.sum / b.n);
    if (b.hi > b.lo) {
      xs.push_back(b.hi);
      ys.push_back(b.sum / b.n);
    }
  }
}

}  // namespace

std::string Calibrator::check_method(const std::string& name) {
  if (name == "none" || name == "platt" || name == "isotonic" || name == "auto") return name;
  throw UsageError(fmt::format(
      "unknown calibration '{}'; valid calibrations: auto, none, platt, isotonic", name));
}

Calibrator Calibrator::fit(const std::string& method, const std::vector<double>& raw_pd,
                           const std::vector<double>& y) {
  std::string chosen = check_method(method);
  Calibrator c;
  if (chosen == "none") return c;
  check(raw_pd, y);
  if (chosen == "auto") {
    const auto positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1.0));
    const bool enough = y.size() >= kIsotonicMinRows && positives >= kIsotonicMinPositives &&
                        y.size() - positives >= kIsotonicMinPositives;
    chosen = enough ? "isotonic" : "platt";
  }
  if (chosen == "platt") {
    c.method_ = Method::Platt;
    std::tie(c.a_, c.b_) = fit_platt(raw_pd, y);
  } else {
    c.method_ = Method::Isotonic;
    fit_isotonic(raw_pd, y, c.x_, c.y_);
  }
  return c;
}

double Calibrator::apply(double raw) const {
  const double p = calibrated(raw);
  if (shift_ == 0) return p;
  return clip_pd(1 / (1 + std::exp(-(logit(clip_pd(p)) + shift_))));
}

void Calibrator::anchor(double target_rate, const std::vector<double>& raw_pd) {
  if (!(target_rate > 0 && target_rate < 1)) {
    throw UsageError(
        "[calibration] target_rate must be a default rate strictly between 0 and 1, "
        "e.g. 0.035 for 3.5%, got " +
        format_double(target_rate));
  }
  if (raw_pd.empty()) throw InputError("no training row to anchor the PDs on");
  std::vector<double> z(raw_pd.size());
  for (std::size_t i = 0; i < raw_pd.size(); ++i) z[i] = logit(clip_pd(calibrated(raw_pd[i])));
  // g(d) = mean sigmoid(z + d) - target rises strictly from -target to 1 - target: Newton steps,
  // kept inside a bracket that halves whenever a step would leave it.
  const auto g = [&](double d, double& slope) {
    double sum = 0, s2 = 0;
    for (const double v : z) {
      const double p = 1 / (1 + std::exp(-(v + d)));
      sum += p;
      s2 += p * (1 - p);
    }
    slope = s2 / static_cast<double>(z.size());
    return sum / static_cast<double>(z.size()) - target_rate;
  };
  double lo = -60, hi = 60, d = 0;
  for (int it = 0; it < 200; ++it) {
    double slope = 0;
    const double value = g(d, slope);
    if (std::abs(value) < 1e-14) break;
    (value > 0 ? hi : lo) = d;
    const double next = slope > 0 ? d - value / slope : (lo + hi) / 2;
    d = next > lo && next < hi ? next : (lo + hi) / 2;
    if (hi - lo < 1e-15) break;
  }
  shift_ = d;
  target_rate_ = target_rate;
}

double Calibrator::calibrated(double raw) const {
  switch (method_) {
    case Method::None:
      return raw;
    case Method::Platt:
      return clip_pd(1 / (1 + std::exp(-(a_ * logit(raw) + b_))));
    case Method::Isotonic: {
      if (raw <= x_.front()) return clip_pd(y_.front());
      if (raw >= x_.back()) return clip_pd(y_.back());
      const auto it = std::upper_bound(x_.begin(), x_.end(), raw);
      const std::size_t hi = static_cast<std::size_t>(it - x_.begin()), lo = hi - 1;
      const double w = (raw - x_[lo]) / (x_[hi] - x_[lo]);
      return clip_pd(y_[lo] + w * (y_[hi] - y_[lo]));
    }
  }
  return raw;
}

std::vector<double> Calibrator::apply(const std::vector<double>& raw_pd) const {
  std::vector<double> out(raw_pd.size());
  for (std::size_t i = 0; i < raw_pd.size(); ++i) out[i] = apply(raw_pd[i]);
  return out;
}

namespace {
constexpr auto kMethods = enum_names<Calibrator::Method>(
    "calibration method", {{Calibrator::Method::None, "none"},
                           {Calibrator::Method::Platt, "platt"},
                           {Calibrator::Method::Isotonic, "isotonic"}});
}  // namespace

std::string Calibrator::method_name() const {
  return std::string(kMethods.name(method_));
}

nlohmann::json Calibrator::to_json() const {
  nlohmann::json j = {{"method", method_name()}};
  if (!std::isnan(target_rate_)) {
    j["target_rate"] = target_rate_;
    j["shift"] = shift_;
  }
  if (method_ == Method::Platt) {
    j["a"] = a_;
    j["b"] = b_;
  } else if (method_ == Method::Isotonic) {
    j["x"] = x_;
    j["y"] = y_;
  }
  return j;
}

Calibrator Calibrator::from_json(const nlohmann::json& j) {
  Calibrator c;
  try {
    const std::string method = j.at("method").get<std::string>();
    const auto known = kMethods.parse(method);
    if (!known) {
      throw InputError(fmt::format(
          "calibrator method '{}' is unknown (expected none, platt or isotonic)", method));
    }
    c.method_ = *known;
    // Written only by an anchored calibrator; older bundles have neither.
    if (j.contains("target_rate")) {
      c.target_rate_ = j.at("target_rate").get<double>();
      c.shift_ = j.at("shift").get<double>();
      if (!(c.target_rate_ > 0 && c.target_rate_ < 1) || !std::isfinite(c.shift_)) {
        throw InputError("calibrator is malformed: target_rate must be in (0, 1) and shift finite");
      }
    }
    if (c.method_ == Method::None) return c;
    if (c.method_ == Method::Platt) {
      c.a_ = j.at("a").get<double>();
      c.b_ = j.at("b").get<double>();
      return c;
    }
    c.x_ = j.at("x").get<std::vector<double>>();
    c.y_ = j.at("y").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("calibrator is malformed: ") + e.what());
  }
  if (c.x_.empty() || c.x_.size() != c.y_.size() || !std::is_sorted(c.x_.begin(), c.x_.end())) {
    throw InputError(fmt::format(
        "calibrator is malformed: isotonic knots need as many x as y values ({} and {}), x "
        "ascending",
        c.x_.size(), c.y_.size()));
  }
  return c;
}

}  // namespace loanrisk
