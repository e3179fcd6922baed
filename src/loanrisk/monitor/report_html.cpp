// report.html of `loanrisk monitor`: one self-contained page drawn from report.json with the shared
// SVG charts (no script, no network).
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/charts/svg.hpp"
#include "loanrisk/monitor/report.hpp"

namespace loanrisk::monitor {
namespace {

using charts::html_escape;
using charts::short_number;

using charts::cell;
// The shared report style plus the status badges.
const std::string kStyle =
    std::string(charts::kReportStyle) +
    ".s{padding:1px 8px;border-radius:8px;color:#fff}.green{background:#2e8b57}"
    ".amber{background:#d48a00}.red{background:#c0392b}"
    ".insufficient{background:#888}";

double num(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::nan("");
}

std::string badge(const std::string& status) {
  return "<span class=\"s " + html_escape(status) + "\">" + html_escape(status) + "</span>";
}

std::string drift_row(const nlohmann::json& f) {
  return "<tr>" + cell(f["name"].get<std::string>(), true) + "<td class=\"l\">" +
         badge(f["status"].get<std::string>()) + "</td>" + cell(short_number(num(f["psi"]))) +
         cell(short_number(num(f["ks"]))) + cell(short_number(num(f["wasserstein"]))) +
         cell(short_number(num(f["reference_mean"]))) + cell(short_number(num(f["mean"]))) +
         "</tr>\n";
}

std::string bins_chart(const nlohmann::json& f) {
  charts::GroupedBars bars{f["name"].get<std::string>() + " (PSI " + short_number(num(f["psi"])) +
                               ", " + f["status"].get<std::string>() + ")",
                           "reference bin (upper edge)",
                           "share",
                           {},
                           "reference",
                           "live",
                           {},
                           {}};
  for (const auto& b : f["bins"]) {
    bars.categories.push_back(short_number(num(b["hi"])));
    bars.first.push_back(num(b["reference"]));
    bars.second.push_back(num(b["live"]));
  }
  return charts::grouped_bars_svg(bars);
}

std::string performance_section(const nlohmann::json& p) {
  std::string s =
      "<table><tr><th class=\"l\">window</th><th>rows</th><th>AUC</th><th>KS</th>"
      "<th>Brier</th><th>default rate</th><th>mean PD</th></tr>\n";
  const auto row = [](const std::string& label, const nlohmann::json& w, bool has_pd) {
    return "<tr>" + cell(label, true) +
           cell(w["rows"].is_number() ? std::to_string(w["rows"].get<std::int64_t>()) : "n/a") +
           cell(short_number(num(w["auc_roc"]))) + cell(short_number(num(w["ks"]))) +
           cell(short_number(num(w["brier"]))) + cell(short_number(num(w["default_rate"]))) +
           cell(has_pd ? short_number(num(w["mean_pd"])) : "") + "</tr>\n";
  };
  if (p["training"].is_object()) s += row("training (test split)", p["training"], false);
  charts::Series auc{"AUC", {}, {}, charts::kGood}, rate{"default rate", {}, {}, charts::kBad};
  double x = 0;
  for (const auto& w : p["windows"]) {
    s += row(w["window"].get<std::string>(), w, true);
    if (!std::isnan(num(w["auc_roc"]))) {
      auc.x.push_back(x);
      auc.y.push_back(num(w["auc_roc"]));
    }
    rate.x.push_back(x);
    rate.y.push_back(num(w["default_rate"]));
    x += 1;
  }
  s += "</table>\n";
  std::vector<charts::Series> series = {auc, rate};
  if (p["training"].is_object() && x > 0) {
    const double t = num(p["training"]["auc_roc"]);
    if (!std::isnan(t))
      series.push_back({"training AUC", {0, std::max(1.0, x - 1)}, {t, t}, charts::kGood, true});
  }
  if (x > 1) {
    s += charts::line_chart_svg(
        {"By window (0 = first)", "window", "value", 0, x - 1, 0, 1, series, false});
  }
  return s;
}

/// How the outcome file met the log, in one sentence.
std::string outcomes_paragraph(const nlohmann::json& o) {
  const auto n = [&](const char* k) { return std::to_string(o[k].get<std::size_t>()); };
  return "<p>Outcomes joined to the log: " + n("joined") + " of " + n("outcomes") +
         " outcomes, on " + n("scorings") + " scorings (" + n("defaults") + " defaults); " +
         n("not_scored") + " customers never scored, " + n("scored_after") +
         " scored only after their observation, " + n("beyond_horizon") + " scored more than " +
         n("horizon_days") + " days before it" +
         (o["hashed_ids"].get<bool>() ? "; ids hashed with the server's salt" : "") +
         ".</p>\n<p class=\"muted\">" + html_escape(o["rule"].get<std::string>()) + ".</p>\n";
}

/// Champion and challenger side by side on the shadowed rows.
std::string challenger_section(const nlohmann::json& c) {
  const auto& d = c["pd_difference"];
  std::string s =
      "<p>" + std::to_string(c["rows"].get<std::size_t>()) +
      " rows scored by both. Mean PD: champion " + short_number(num(c["champion_mean_pd"])) +
      ", challenger " + short_number(num(c["challenger_mean_pd"])) +
      ". PD difference (challenger minus champion): mean " + short_number(num(d["mean"])) +
      ", mean absolute " + short_number(num(d["mean_abs"])) + ", 5th / 50th / 95th percentile " +
      short_number(num(d["p05"])) + " / " + short_number(num(d["p50"])) + " / " +
      short_number(num(d["p95"])) + ", largest absolute " + short_number(num(d["max_abs"])) +
      ".</p>\n";
  const auto& w = c["with_outcomes"];
  if (!w.is_object()) {
    return s +
           "<p class=\"muted\">No outcome is known for a shadowed row yet: join outcomes "
           "(<code>--outcomes FILE</code>) to compare discrimination and calibration.</p>\n";
  }
  const auto row = [](const std::string& name, const nlohmann::json& m) {
    return "<tr>" + cell(name, true) + cell(short_number(num(m["auc_roc"]))) +
           cell(short_number(num(m["auc_ci_low"])) + " - " + short_number(num(m["auc_ci_high"]))) +
           cell(short_number(num(m["brier"]))) + cell(short_number(num(m["mean_pd"]))) + "</tr>\n";
  };
  s += "<p>On the " + std::to_string(w["rows"].get<std::size_t>()) +
       " shadowed rows with a known outcome (observed default rate " +
       short_number(num(w["default_rate"])) +
       "):</p>\n<table><tr><th class=\"l\">model</th>"
       "<th>AUC</th><th>95% CI (DeLong)</th><th>Brier</th><th>mean PD</th></tr>\n" +
       row("champion", w["champion"]) + row("challenger", w["challenger"]) + "</table>\n";
  s += "<p>AUC difference " + short_number(num(w["auc_difference"])) + " (DeLong p " +
       short_number(num(w["auc_p_value"])) + "), Brier difference " +
       short_number(num(w["brier_difference"])) + ". <span class=\"muted\">" +
       html_escape(w["note"].get<std::string>()) + ".</span></p>\n";
  return s;
}

}  // namespace

std::string monitor_report_html(const nlohmann::json& r) {
  const std::string status = r["status"].get<std::string>();
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>Monitoring: " + html_escape(r["source"].get<std::string>()) + "</title>\n<style>" +
       kStyle + "</style>\n</head>\n<body>\n";
  s += "<h1>Model monitoring " + badge(status) + "</h1>\n<p class=\"muted\">" +
       html_escape(r["source"].get<std::string>()) + " &middot; " +
       std::to_string(r["rows"].get<std::size_t>()) + " rows against a reference of " +
       std::to_string(r["reference_rows"].get<std::size_t>()) + " training rows &middot; model " +
       html_escape(r["model"].dump()) + " &middot; " +
       html_escape(r["created_at"].get<std::string>()) + "</p>\n";
  s += "<p>PSI bands: green &lt; " + short_number(num(r["thresholds"]["amber"])) +
       " &le; amber &le; " + short_number(num(r["thresholds"]["red"])) + " &lt; red; fewer than " +
       std::to_string(r["min_rows"].get<std::size_t>()) +
       " rows: insufficient. KS against the reference's percentiles; Wasserstein-1 divided by the "
       "reference standard deviation.</p>\n";
  s += "<h2>1. Drift</h2>\n<table><tr><th class=\"l\">feature</th><th class=\"l\">status</th>"
       "<th>PSI</th><th>KS</th><th>W1/std</th><th>reference mean</th><th>live mean</th></tr>\n";
  s += drift_row(r["score"]);
  for (const auto& f : r["features"]) s += drift_row(f);
  s += "</table>\n<h2>2. Distributions against the reference</h2>\n<div class=\"grid\">" +
       bins_chart(r["score"]);
  for (const auto& f : r["features"]) s += bins_chart(f);
  s += "</div>\n<h2>3. Performance over time</h2>\n";
  if (r.contains("outcomes") && r["outcomes"].is_object()) s += outcomes_paragraph(r["outcomes"]);
  if (r["performance"].is_object()) {
    s += performance_section(r["performance"]);
  } else {
    s += "<p class=\"muted\">No outcomes in the data (no <code>default</code> column or field, "
         "and no outcome file joined with <code>--outcomes</code>): performance needs them.</p>\n";
  }
  if (r.contains("challenger") && r["challenger"].is_object()) {
    s += "<h2>4. Champion and challenger</h2>\n" + challenger_section(r["challenger"]);
  }
  if (r.contains("characteristics") && r["characteristics"].is_array()) {
    s += "<h2>Scorecard characteristics</h2>\n<p>Each characteristic on the scorecard's own "
         "bins: CSI (the PSI of its bins, same bands) and the average points the population "
         "gains or loses there against the training rows.</p>\n<table><tr><th class=\"l\">"
         "characteristic</th><th class=\"l\">status</th><th>CSI</th><th>score shift</th>"
         "</tr>\n";
    for (const auto& c : r["characteristics"]) {
      s += "<tr>" + cell(c["name"].get<std::string>(), true) + "<td class=\"l\">" +
           badge(c["status"].get<std::string>()) + "</td>" + cell(short_number(num(c["csi"]))) +
           cell(short_number(num(c["score_shift"]))) + "</tr>\n";
    }
    s += "</table>\n";
  }
  return s + "</body>\n</html>\n";
}

}  // namespace loanrisk::monitor
