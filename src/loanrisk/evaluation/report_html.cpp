// report.html: one self-contained page drawn from report.json with the shared SVG charts.
#include <algorithm>
#include <cmath>
#include <utility>

#include "loanrisk/charts/svg.hpp"
#include "loanrisk/evaluation/report.hpp"

namespace loanrisk {
namespace {

using charts::html_escape;
using charts::short_number;

using charts::cell;
constexpr const char* kStyle = charts::kReportStyle;

double num(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::nan("");
}

std::string metrics_table(const nlohmann::json& r) {
  std::string s =
      "<table><tr><th class=\"l\">metric</th><th>value</th><th>95% interval</th></tr>\n";
  for (const char* key :
       {"auc_roc", "pr_auc", "f1", "recall", "precision", "accuracy", "brier", "log_loss", "ks"}) {
    const nlohmann::json& m = r["intervals"][key];
    s += "<tr>" + cell(key, true) + cell(short_number(num(m["estimate"]))) +
         cell(short_number(num(m["lower"])) + " – " + short_number(num(m["upper"]))) + "</tr>\n";
  }
  return s + "</table>\n";
}

std::string confusion_table(const nlohmann::json& cm) {
  return "<table><tr><th></th><th>predicted default</th><th>predicted no default</th></tr>"
         "<tr><th class=\"l\">default</th>" +
         cell(std::to_string(cm["tp"].get<long long>())) +
         cell(std::to_string(cm["fn"].get<long long>())) +
         "</tr><tr><th class=\"l\">no default</th>" +
         cell(std::to_string(cm["fp"].get<long long>())) +
         cell(std::to_string(cm["tn"].get<long long>())) + "</tr></table>\n";
}

std::string curves(const nlohmann::json& r) {
  charts::Series roc{"ROC", {}, {}}, pr{"precision-recall", {}, {}};
  charts::Series cdf_bad{"defaults (1 - CDF)", {}, {}, charts::kBad},
      cdf_good{"non-defaults (1 - CDF)", {}, {}, charts::kGood};
  for (const auto& pt : r["curves"]["threshold"]) {
    roc.x.push_back(num(pt["fpr"]));
    roc.y.push_back(num(pt["tpr"]));
    pr.x.push_back(num(pt["tpr"]));
    pr.y.push_back(num(pt["precision"]));
    const double t = pt["threshold"].is_null() ? 1.0 : std::min(1.0, num(pt["threshold"]));
    cdf_bad.x.push_back(t);
    cdf_bad.y.push_back(num(pt["tpr"]));
    cdf_good.x.push_back(t);
    cdf_good.y.push_back(num(pt["fpr"]));
  }
  std::string s = "<div class=\"grid\">";
  s += charts::line_chart_svg({"ROC curve (AUC " + short_number(num(r["metrics"]["auc_roc"])) + ")",
                               "false positive rate",
                               "true positive rate",
                               0,
                               1,
                               0,
                               1,
                               {roc},
                               true});
  s += charts::line_chart_svg(
      {"Precision-recall (AP " + short_number(num(r["metrics"]["pr_auc"])) + ")",
       "recall",
       "precision",
       0,
       1,
       0,
       1,
       {pr},
       false});
  s += charts::line_chart_svg({"KS plot (KS " + short_number(num(r["curves"]["ks"])) + ")",
                               "PD threshold",
                               "share at or above",
                               0,
                               1,
                               0,
                               1,
                               {cdf_bad, cdf_good},
                               false});
  return s + "</div>\n";
}

std::string calibration(const nlohmann::json& r) {
  const nlohmann::json& c = r["calibration"];
  std::vector<charts::Series> series;
  for (const auto& [key, name, colour] :
       {std::tuple{"before", "raw model", charts::kBad}, {"after", "calibrated", charts::kGood}}) {
    charts::Series s{name, {}, {}, colour, std::string(key) == "before"};
    for (const auto& bin : c[key]["reliability"]) {
      if (bin["count"].get<std::size_t>() == 0) continue;
      s.x.push_back(num(bin["mean_pd"]));
      s.y.push_back(num(bin["observed_rate"]));
    }
    series.push_back(std::move(s));
  }
  std::string s = "<div class=\"grid\">";
  s += charts::line_chart_svg({"Reliability (10 equal-width bins)", "mean predicted PD",
                               "observed default rate", 0, 1, 0, 1, series, true});
  const nlohmann::json& h = r["score_histogram"];
  charts::GroupedBars bars{"Calibrated PD by class (share of each class)",
                           "PD",
                           "share",
                           {},
                           "no default",
                           "default",
                           {},
                           {}};
  double neg = 0, pos = 0;
  for (const auto& v : h["negatives"]) neg += v.get<double>();
  for (const auto& v : h["positives"]) pos += v.get<double>();
  for (std::size_t i = 0; i < h["negatives"].size(); ++i) {
    bars.categories.push_back(short_number(num(h["edges"][i])));
    bars.first.push_back(neg > 0 ? h["negatives"][i].get<double>() / neg : 0);
    bars.second.push_back(pos > 0 ? h["positives"][i].get<double>() / pos : 0);
  }
  s += charts::grouped_bars_svg(bars) + "</div>\n";
  s += "<table><tr><th class=\"l\">calibration (" + html_escape(c["method"].get<std::string>()) +
       ")</th><th>Brier</th><th>ECE</th></tr>";
  for (const char* key : {"before", "after"}) {
    s += "<tr>" + cell(key, true) + cell(short_number(num(c[key]["brier"]))) +
         cell(short_number(num(c[key]["ece"]))) + "</tr>";
  }
  return s + "</table>\n";
}

std::string model_section(const nlohmann::json& m) {
  std::string s;
  if (m.contains("importance") && m["importance"].is_object()) {
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [name, value] : m["importance"].items()) rows.emplace_back(num(value), name);
    std::sort(rows.rbegin(), rows.rend());
    std::vector<std::string> labels;
    std::vector<double> values;
    for (const auto& [value, name] : rows) {
      labels.push_back(name);
      values.push_back(value);
    }
    s += charts::horizontal_bars_svg(
        "Feature importance (" + m.value("importance_type", std::string("gain")) + ")", labels,
        values);
  }
  if (m.contains("scorecard") && m["scorecard"].is_array()) {
    s += "<h3>Scorecard (" + short_number(num(m["scaling"]["base_score"])) + " points at " +
         short_number(num(m["scaling"]["base_odds"])) + ":1, " +
         short_number(num(m["scaling"]["pdo"])) +
         " points to double the odds)</h3><table><tr><th class=\"l\">characteristic</th>"
         "<th class=\"l\">bin</th><th>count</th><th>default rate</th><th>WoE</th><th>IV</th>"
         "<th>points</th></tr>";
    for (const auto& row : m["scorecard"]) {
      s += "<tr>" + cell(row["characteristic"].get<std::string>(), true) +
           cell(row["bin"].get<std::string>(), true) +
           cell(std::to_string(row["count"].get<std::int64_t>())) +
           cell(short_number(num(row["default_rate"]))) + cell(short_number(num(row["woe"]))) +
           cell(short_number(num(row["iv"]))) +
           cell(std::to_string(row["points"].get<std::int64_t>())) + "</tr>";
    }
    s += "</table>\n";
  }
  if (m.contains("coefficients")) {
    s += "<h3>Coefficients (original scale; standardised in the last column)</h3><table><tr>"
         "<th class=\"l\">feature</th><th>coefficient</th><th>standardised</th></tr>";
    s += "<tr>" + cell("intercept", true) + cell(short_number(num(m["intercept"]))) +
         cell(short_number(num(m["standardized_intercept"]))) + "</tr>";
    for (const auto& c : m["coefficients"]) {
      s += "<tr>" + cell(c["feature"].get<std::string>(), true) +
           cell(short_number(num(c["coefficient"]))) +
           cell(short_number(num(c["standardized_coefficient"]))) + "</tr>";
    }
    s += "</table>\n";
  }
  return s;
}

}  // namespace

std::string evaluation_html(const nlohmann::json& r) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>Evaluation: " + html_escape(r["title"].get<std::string>()) + "</title>\n<style>" +
       kStyle + "</style>\n</head>\n<body>\n";
  s += "<h1>Model evaluation</h1>\n<p class=\"muted\">" +
       html_escape(r["title"].get<std::string>()) + " &middot; " +
       std::to_string(r["metrics"]["n"].get<std::size_t>()) + " rows, " +
       std::to_string(r["metrics"]["positives"].get<std::size_t>()) + " defaults &middot; " +
       html_escape(r["context"].dump()) + "</p>\n";
  s += "<h2>1. Metrics</h2>\n<p>Bootstrap " +
       std::to_string(r["bootstrap"]["resamples"].get<std::size_t>()) + " resamples (seed " +
       std::to_string(r["bootstrap"]["seed"].get<std::uint64_t>()) +
       "), percentile intervals.</p>\n" + metrics_table(r);
  s += "<h2>2. Decisions at threshold " + short_number(num(r["threshold"]["value"])) + " (" +
       html_escape(r["threshold"]["rule"].get<std::string>()) + ")</h2>\n" +
       confusion_table(r["metrics"]["confusion_matrix"]);
  s += "<h2>3. Discrimination</h2>\n" + curves(r);
  s += "<h2>4. Calibration</h2>\n" + calibration(r);
  s += "<h2>5. Model</h2>\n" + model_section(r["model"]);
  return s + "</body>\n</html>\n";
}

}  // namespace loanrisk
