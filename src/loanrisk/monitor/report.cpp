#include "loanrisk/monitor/report.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/metrics/classification.hpp"
#include "loanrisk/monitor/shadow_compare.hpp"

namespace loanrisk::monitor {
namespace {

std::tm utc(std::int64_t time_ms) {
  const std::time_t t = static_cast<std::time_t>(time_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

/// AUC, KS, Brier, default rate and mean PD of one window; AUC and KS null with one class only.
nlohmann::json window_metrics(const std::string& label, const std::vector<double>& y,
                              const std::vector<double>& p) {
  double positives = 0, mean_pd = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    positives += y[i];
    mean_pd += p[i];
  }
  const double n = static_cast<double>(y.size());
  const bool both = positives > 0 && positives < n;
  return {{"window", label},
          {"rows", y.size()},
          {"auc_roc", number_or_null(both ? auc_roc(y, p) : std::nan(""))},
          {"ks", number_or_null(both ? ks_statistic(y, p) : std::nan(""))},
          {"brier", number_or_null(y.empty() ? std::nan("") : brier_score(y, p))},
          {"default_rate", number_or_null(y.empty() ? std::nan("") : positives / n)},
          {"mean_pd", number_or_null(y.empty() ? std::nan("") : mean_pd / n)}};
}

nlohmann::json training_values(const nlohmann::json& training) {
  const auto it = training.find("test");
  if (it == training.end() || !it->is_object()) return nullptr;
  const auto& t = *it;
  const double n = t.value("n", 0.0), pos = t.value("positives", 0.0);
  return {{"split", "test"},
          {"rows", t.value("n", 0)},
          {"auc_roc", t.value("auc_roc", nlohmann::json())},
          {"ks", t.value("ks", nlohmann::json())},
          {"brier", t.value("brier", nlohmann::json())},
          {"default_rate", number_or_null(n > 0 ? pos / n : std::nan(""))}};
}

nlohmann::json performance(const MonitorData& data, const WindowOptions& w,
                           const nlohmann::json& training) {
  // Windows in order of first appearance; times in a log are ascending so this is chronological.
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (std::size_t i = 0; i < data.target.size(); ++i) {
    if (std::isnan(data.target[i])) continue;  // no outcome joined to this row
    std::string label;
    if (!w.period.empty()) {
      label = window_label(data.time_ms[i], w.period);
    } else if (w.rows > 0) {
      const std::size_t k = i / w.rows;
      label = "rows " + std::to_string(k * w.rows + 1) + "-" +
              std::to_string(std::min(data.target.size(), (k + 1) * w.rows));
    } else {
      label = "all rows";
    }
    auto [it, added] = groups.try_emplace(label);
    if (added) order.push_back(label);
    it->second.first.push_back(data.target[i]);
    it->second.second.push_back(data.pd[i]);
  }
  nlohmann::json windows = nlohmann::json::array();
  for (const auto& label : order) {
    windows.push_back(window_metrics(label, groups[label].first, groups[label].second));
  }
  return {{"window",
           w.period.empty() ? (w.rows ? std::to_string(w.rows) + " rows" : "all rows") : w.period},
          {"training", training_values(training)},
          {"windows", windows}};
}

/// The characteristic analysis with a status per characteristic, on the PSI bands (too few rows:
/// insufficient). Informational: the inputs' own PSI already sets the report's status.
nlohmann::json characteristics_json(const nlohmann::json& analysis, std::size_t rows) {
  if (!analysis.is_array()) return nullptr;
  nlohmann::json out = analysis;
  for (auto& c : out) {
    const double csi = c.value("csi", 0.0);
    c["status"] = status_name(rows < kMinRows ? Status::Insufficient
                              : csi > kRed    ? Status::Red
                              : csi >= kAmber ? Status::Amber
                                              : Status::Green);
  }
  return out;
}

}  // namespace

std::string window_label(std::int64_t time_ms, const std::string& period) {
  std::tm tm = utc(time_ms);
  char buf[32];
  if (period == "month") {
    std::strftime(buf, sizeof buf, "%Y-%m", &tm);
  } else if (period == "week") {
    std::strftime(buf, sizeof buf, "%G-W%V", &tm);
  } else if (period == "day") {
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  } else {
    throw UsageError("unknown window '" + period + "': use month, week or day");
  }
  return buf;
}

MonitorReport monitor_report(const ModelReference& reference, const MonitorData& data,
                             const WindowOptions& windows, const nlohmann::json& model,
                             const nlohmann::json& training) {
  if (!windows.period.empty()) {
    window_label(0, windows.period);  // validates the name
    if (data.time_ms.size() != data.pd.size()) {
      throw UsageError("--window " + windows.period +
                       " needs timestamps, which only a prediction log has: use --window-rows N "
                       "with --data");
    }
  }
  MonitorReport r;
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : reference.features) {
    if (!data.inputs.has(f.name())) {
      throw InputError(data.source + " has no column '" + f.name() +
                       "' that the model's reference describes");
    }
    r.features.push_back(compare_feature(f, data.inputs.column(f.name())));
    r.status = worse(r.status, r.features.back().status);
    features.push_back(r.features.back().to_json(f));
  }
  r.score = compare_feature(reference.score, data.pd);
  const bool labelled =
      std::any_of(data.target.begin(), data.target.end(), [](double t) { return !std::isnan(t); });
  r.status = worse(r.status, r.score.status);
  r.json = {
      {"model", model},
      {"source", data.source},
      {"rows", data.pd.size()},
      {"created_at", utc_now_iso8601()},
      {"status", status_name(r.status)},
      {"thresholds", {{"amber", kAmber}, {"red", kRed}}},
      {"min_rows", kMinRows},
      {"method",
       {{"psi",
         "reference quantile bins (10, from the training split); empty shares "
         "replaced by 1e-4"},
        {"ks", "two-sample KS against the reference's 101 percentiles"},
        {"wasserstein", "W1 between quantile functions divided by the reference std"}}},
      {"reference_rows", reference.rows},
      {"score", r.score.to_json(reference.score)},
      {"features", features},
      {"traffic", data.traffic},
      {"outcomes", data.outcomes},
      {"performance", labelled ? performance(data, windows, training) : nlohmann::json(nullptr)},
      {"challenger", shadow_comparison(data.pd, data.challenger_pd, data.target)},
      {"characteristics", characteristics_json(data.characteristics, data.pd.size())}};
  return r;
}

void write_monitor_report(const std::filesystem::path& dir, const nlohmann::json& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw UsageError("cannot create --out folder '" + dir.string() + "': " + ec.message());
  }
  write_json_file(dir / "report.json", report);
  write_file_atomic(dir / "report.html", monitor_report_html(report));
}

}  // namespace loanrisk::monitor
