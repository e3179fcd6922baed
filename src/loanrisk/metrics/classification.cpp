#include "loanrisk/metrics/classification.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Shared by every metric: the caller's mistakes (mismatched sizes, labels that are not 0/1, NaN
// scores) are bad data, and a NaN score would also break the sort's strict weak ordering.
void check_inputs(const std::vector<double>& y, const std::vector<double>& score,
                  const char* what) {
  if (y.size() != score.size()) {
    throw InputError("labels and " + std::string(what) +
                     " differ in size: " + std::to_string(y.size()) + " labels, " +
                     std::to_string(score.size()) + " " + what);
  }
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0.0 && y[i] != 1.0) {
      throw InputError("label at index " + std::to_string(i) + " is " + format_double(y[i]) +
                       "; labels must be exactly 0 or 1");
    }
    if (std::isnan(score[i])) {
      throw InputError("NaN in " + std::string(what) + " at index " + std::to_string(i));
    }
  }
}

// One point per distinct threshold, visited from the highest score down: cumulative counts of
// positives (tp) and negatives (fp) scoring at or above it. Equals sklearn's _binary_clf_curve.
struct Curve {
  std::vector<std::int64_t> tp, fp;
  std::int64_t positives = 0, negatives = 0;
};

Curve binary_curve(const std::vector<double>& y, const std::vector<double>& score) {
  // Sorting (score, label) pairs by value, not indices, keeps the sort cache-friendly.
  struct Scored {
    double score;
    bool positive;
  };
  std::vector<Scored> rows(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) rows[i] = {score[i], y[i] == 1.0};
  std::sort(rows.begin(), rows.end(),
            [](const Scored& a, const Scored& b) { return a.score > b.score; });
  Curve c;
  std::int64_t tp = 0, fp = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (rows[k].positive) {
      ++tp;
    } else {
      ++fp;
    }
    // Close the group only after the last row sharing this score, so ties form one point.
    if (k + 1 == rows.size() || rows[k + 1].score != rows[k].score) {
      c.tp.push_back(tp);
      c.fp.push_back(fp);
    }
  }
  c.positives = tp;
  c.negatives = fp;
  return c;
}

double auc_from(const Curve& c) {
  if (c.positives == 0 || c.negatives == 0) return kNaN;
  // Trapezoids between consecutive points, in integer units of 1/(2PN): exact, and the same as
  // giving half credit to tied positive/negative pairs.
  std::int64_t twice_area = 0, prev_tp = 0, prev_fp = 0;
  for (std::size_t i = 0; i < c.tp.size(); ++i) {
    twice_area += (c.fp[i] - prev_fp) * (c.tp[i] + prev_tp);
    prev_tp = c.tp[i];
    prev_fp = c.fp[i];
  }
  return static_cast<double>(twice_area) /
         (2.0 * static_cast<double>(c.positives) * static_cast<double>(c.negatives));
}

double average_precision_from(const Curve& c) {
  if (c.positives == 0) return kNaN;
  double ap = 0.0;
  std::int64_t prev_tp = 0;
  for (std::size_t i = 0; i < c.tp.size(); ++i) {
    if (c.tp[i] == prev_tp) continue;  // recall did not move: the step adds nothing
    const double recall_step =
        static_cast<double>(c.tp[i] - prev_tp) / static_cast<double>(c.positives);
    const double prec = static_cast<double>(c.tp[i]) / static_cast<double>(c.tp[i] + c.fp[i]);
    ap += recall_step * prec;
    prev_tp = c.tp[i];
  }
  return ap;
}

double ks_from(const Curve& c) {
  if (c.positives == 0 || c.negatives == 0) return kNaN;
  // |tp/P - fp/N| compared as |tp*N - fp*P| in integers, so equal gaps compare equal.
  std::int64_t best = 0;
  for (std::size_t i = 0; i < c.tp.size(); ++i) {
    const std::int64_t gap = c.tp[i] * c.negatives - c.fp[i] * c.positives;
    best = std::max(best, gap < 0 ? -gap : gap);
  }
  return static_cast<double>(best) /
         (static_cast<double>(c.positives) * static_cast<double>(c.negatives));
}

}  // namespace

double auc_roc(const std::vector<double>& y, const std::vector<double>& score) {
  check_inputs(y, score, "scores");
  return auc_from(binary_curve(y, score));
}

double average_precision(const std::vector<double>& y, const std::vector<double>& score) {
  check_inputs(y, score, "scores");
  return average_precision_from(binary_curve(y, score));
}

double ks_statistic(const std::vector<double>& y, const std::vector<double>& score) {
  check_inputs(y, score, "scores");
  return ks_from(binary_curve(y, score));
}

double brier_score(const std::vector<double>& y, const std::vector<double>& p) {
  check_inputs(y, p, "probabilities");
  if (y.empty()) return kNaN;
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) sum += (p[i] - y[i]) * (p[i] - y[i]);
  return sum / static_cast<double>(y.size());
}

double log_loss(const std::vector<double>& y, const std::vector<double>& p, double eps) {
  check_inputs(y, p, "probabilities");
  if (!(eps > 0.0 && eps < 0.5)) {
    throw UsageError("log_loss eps must lie in (0, 0.5), got " + format_double(eps));
  }
  if (y.empty()) return kNaN;
  double sum = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double q = std::clamp(p[i], eps, 1.0 - eps);
    sum -= y[i] == 1.0 ? std::log(q) : std::log(1.0 - q);
  }
  return sum / static_cast<double>(y.size());
}

ConfusionMatrix confusion_at(const std::vector<double>& y, const std::vector<double>& p,
                             double threshold) {
  check_inputs(y, p, "probabilities");
  ConfusionMatrix cm;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const bool predicted = p[i] >= threshold;
    const bool actual = y[i] == 1.0;
    if (predicted && actual) ++cm.tp;
    if (predicted && !actual) ++cm.fp;
    if (!predicted && actual) ++cm.fn;
    if (!predicted && !actual) ++cm.tn;
  }
  return cm;
}

double precision(const ConfusionMatrix& cm) {
  const long long predicted = cm.tp + cm.fp;
  return predicted == 0 ? 0.0 : static_cast<double>(cm.tp) / static_cast<double>(predicted);
}

double recall(const ConfusionMatrix& cm) {
  const long long actual = cm.tp + cm.fn;
  return actual == 0 ? 0.0 : static_cast<double>(cm.tp) / static_cast<double>(actual);
}

double f1(const ConfusionMatrix& cm) {
  // 2tp / (2tp + fp + fn) is the harmonic mean without the rounding of the two ratios.
  const long long denom = 2 * cm.tp + cm.fp + cm.fn;
  return denom == 0 ? 0.0 : static_cast<double>(2 * cm.tp) / static_cast<double>(denom);
}

double accuracy(const ConfusionMatrix& cm) {
  const long long total = cm.tp + cm.fp + cm.tn + cm.fn;
  return total == 0 ? kNaN : static_cast<double>(cm.tp + cm.tn) / static_cast<double>(total);
}

nlohmann::json ClassificationReport::to_json() const {
  const auto num = [](double v) -> nlohmann::json {
    if (std::isfinite(v)) return v;
    return nullptr;
  };
  return nlohmann::json{
      {"n", n},
      {"positives", positives},
      {"threshold", num(threshold)},
      {"auc_roc", num(auc_roc)},
      {"pr_auc", num(pr_auc)},
      {"f1", num(f1)},
      {"recall", num(recall)},
      {"precision", num(precision)},
      {"accuracy", num(accuracy)},
      {"brier", num(brier)},
      {"log_loss", num(log_loss)},
      {"ks", num(ks)},
      {"gini", num(gini)},
      {"confusion_matrix",
       {{"tp", confusion.tp}, {"fp", confusion.fp}, {"tn", confusion.tn}, {"fn", confusion.fn}}},
  };
}

ClassificationReport evaluate_classification(const std::vector<double>& y,
                                             const std::vector<double>& p, double threshold) {
  check_inputs(y, p, "probabilities");
  if (y.empty()) throw InputError("no rows to evaluate: labels and probabilities are empty");
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isfinite(p[i]) || p[i] < 0.0 || p[i] > 1.0) {
      throw InputError("probability at index " + std::to_string(i) + " is " + format_double(p[i]) +
                       "; probabilities must be finite and within [0, 1]");
    }
  }
  if (!std::isfinite(threshold)) {
    throw UsageError("threshold must be finite, got " + format_double(threshold));
  }
  ClassificationReport r;
  r.n = y.size();
  r.positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1.0));
  r.threshold = threshold;
  const Curve curve = binary_curve(y, p);  // one sort serves the three ranking metrics
  r.auc_roc = auc_from(curve);
  r.gini = 2.0 * r.auc_roc - 1.0;
  r.pr_auc = average_precision_from(curve);
  r.ks = ks_from(curve);
  r.brier = brier_score(y, p);
  r.log_loss = log_loss(y, p);
  r.confusion = confusion_at(y, p, threshold);
  r.precision = precision(r.confusion);
  r.recall = recall(r.confusion);
  r.f1 = f1(r.confusion);
  r.accuracy = accuracy(r.confusion);
  return r;
}

}  // namespace loanrisk
