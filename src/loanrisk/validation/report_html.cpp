// report.html of `loanrisk validate`: one self-contained page drawn from report.json with the
// shared SVG charts (no script, no network), read by a model-risk reviewer top to bottom: the
// verdict and its red tests first, then each family of tests with its evidence.
#include <cmath>
#include <nlohmann/json.hpp>

#include "loanrisk/charts/svg.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/validation/report.hpp"

namespace loanrisk::validation {
namespace {

using charts::cell;
using charts::html_escape;
using charts::short_number;

const std::string kStyle = std::string(charts::kReportStyle) +
                           ".s{padding:1px 8px;border-radius:8px;color:#fff}"
                           ".green{background:#2e8b57}.amber{background:#d48a00}"
                           ".red{background:#c0392b}.na{background:#888}"
                           "code{overflow-wrap:anywhere}";

double num(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::nan("");
}
std::string text(const nlohmann::json& j) {
  return j.is_string() ? j.get<std::string>() : "";
}

std::string badge(const std::string& status) {
  const std::string css = status == "n/a" ? "na" : status;
  return "<span class=\"s " + html_escape(css) + "\">" + html_escape(status) + "</span>";
}

/// obj[key], or null when obj has no such key: indexing a const json by a missing key is undefined
/// behaviour, and a report stored by an older build may lack keys this one writes.
const nlohmann::json& field(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json null;
  if (!obj.is_object()) return null;
  const auto it = obj.find(key);
  return it == obj.end() ? null : *it;
}

std::string number_cell(const nlohmann::json& j) {
  // Counts in full: %.4g would show 12,345 customers as 1.234e+04.
  if (j.is_number_integer()) return cell(std::to_string(j.get<std::int64_t>()));
  return cell(short_number(num(j)));
}

std::string tests_table(const nlohmann::json& tests) {
  std::string s =
      "<table><tr><th class=\"l\">test</th><th class=\"l\">status</th><th>value</th>"
      "<th class=\"l\">finding</th><th class=\"l\">gate</th></tr>\n";
  for (const auto& t : tests) {
    s += "<tr id=\"test-" + html_escape(text(t["id"])) + "\">" + cell(text(t["name"]), true) +
         "<td class=\"l\">" + badge(text(t["status"])) + "</td>" + number_cell(t["value"]) +
         cell(text(t["detail"]), true) + cell(text(t["rule"]), true) + "</tr>\n";
  }
  return s + "</table>\n";
}

std::string grades_section(const nlohmann::json& cal, bool exposure) {
  std::string s =
      "<table><tr><th class=\"l\">grade</th><th>PD up to</th><th>customers</th><th>defaults</th>"
      "<th>average PD</th><th>default rate</th><th>Jeffreys p</th><th>binomial p</th>" +
      std::string(exposure ? "<th>exposure</th>" : "") + "<th class=\"l\">status</th></tr>\n";
  charts::GroupedBars bars{"Average PD and observed default rate by grade",
                           "grade",
                           "rate",
                           {},
                           "average PD",
                           "default rate",
                           {},
                           {}};
  for (const auto& g : cal["grades"]) {
    // An empty grade has no average PD, rate or tests.
    const auto f = [&](const char* key) { return number_cell(field(g, key)); };
    s += "<tr>" + cell(text(g["grade"]), true) + f("max_pd") + f("customers") + f("defaults") +
         f("average_pd") + f("default_rate") + f("jeffreys_p") + f("binomial_p") +
         (exposure ? f("exposure") : "") + "<td class=\"l\">" + badge(text(g["status"])) +
         "</td></tr>\n";
    bars.categories.push_back(text(g["grade"]));
    const double avg = num(field(g, "average_pd")), rate = num(field(g, "default_rate"));
    bars.first.push_back(std::isnan(avg) ? 0 : avg);
    bars.second.push_back(std::isnan(rate) ? 0 : rate);
  }
  const auto& p = cal["portfolio"];
  s += "<tr><th class=\"l\">portfolio</th><td></td>" + number_cell(p["customers"]) +
       number_cell(p["defaults"]) + number_cell(p["average_pd"]) + number_cell(p["default_rate"]) +
       number_cell(p["jeffreys_p"]) + number_cell(p["binomial_p"]) + (exposure ? "<td></td>" : "") +
       "<td></td></tr>\n</table>\n";
  s += "<p>Jeffreys: one-sided p-value of the grade's average PD under the Beta(D + 1/2, N - D + "
       "1/2) posterior of its default rate; binomial: P(X &ge; D) for X ~ Bin(N, PD). A small "
       "p-value says the PD underestimates the observed defaults. Hosmer-Lemeshow: chi-squared " +
       short_number(num(cal["hosmer_lemeshow"]["statistic"])) + " on " +
       short_number(num(cal["hosmer_lemeshow"]["dof"])) + " degrees of freedom, p " +
       short_number(num(cal["hosmer_lemeshow"]["p_value"])) + ".</p>\n";
  charts::Series rel{"observed default rate", {}, {}, charts::kBad};
  for (const auto& b : cal["reliability"]) {
    if (num(b["count"]) > 0) {
      rel.x.push_back(num(b["mean_pd"]));
      rel.y.push_back(num(b["observed_rate"]));
    }
  }
  s += "<div class=\"grid\">" + charts::grouped_bars_svg(bars) +
       charts::line_chart_svg({"Reliability (ECE " + short_number(num(cal["ece"])) + ")",
                               "mean PD of the bin",
                               "observed default rate",
                               0,
                               1,
                               0,
                               1,
                               {rel},
                               true}) +
       "</div>\n";
  return s;
}

std::string discrimination_section(const nlohmann::json& d) {
  if (!d.contains("auc"))
    return "<p class=\"muted\">The AUC needs defaults and non-defaults.</p>\n";
  std::string s =
      "<table><tr><th class=\"l\"></th><th>AUC</th><th>DeLong variance</th>"
      "<th>95% CI</th><th>Gini</th></tr>\n<tr>" +
      cell("this book", true) + number_cell(d["auc"]) + number_cell(d["variance"]) +
      cell(short_number(num(d["ci_low"])) + " to " + short_number(num(d["ci_high"]))) +
      number_cell(d["gini"]) + "</tr>\n";
  if (d["initial_auc"].is_number()) {
    s += "<tr>" + cell("initial validation (bundle's test split)", true) +
         number_cell(d["initial_auc"]) + "<td></td><td></td>" +
         cell(short_number(2 * num(d["initial_auc"]) - 1)) + "</tr>\n";
  }
  if (d.contains("against")) {
    s += "<tr>" + cell("compared model, same rows", true) + number_cell(d["against"]["auc"]) +
         number_cell(d["against"]["variance"]) + "<td></td>" +
         cell(short_number(2 * num(d["against"]["auc"]) - 1)) + "</tr>\n";
  }
  return s + "</table>\n";
}

std::string concentration_section(const nlohmann::json& c) {
  std::string s =
      "<table><tr><th class=\"l\">across grades</th><th>Herfindahl index</th>"
      "<th>normalised</th></tr>\n";
  for (const char* k : {"customers", "exposure"}) {
    if (!c.contains(k)) continue;
    s += "<tr>" + cell(k, true) + number_cell(c[k]["index"]) + number_cell(c[k]["normalised"]) +
         "</tr>\n";
  }
  return s + "</table>\n";
}

std::string stability_section(const nlohmann::json& st) {
  if (!st.is_object()) {
    return "<p class=\"muted\">The bundle has no training reference (reference.json): no "
           "PSI.</p>\n";
  }
  std::string s =
      "<table><tr><th class=\"l\">PSI against training</th><th>PSI</th>"
      "<th>reference mean</th><th>mean</th></tr>\n";
  const auto row = [](const nlohmann::json& f) {
    return "<tr>" + cell(text(f["name"]), true) + number_cell(f["psi"]) +
           number_cell(f["reference_mean"]) + number_cell(f["mean"]) + "</tr>\n";
  };
  s += row(st["score"]);
  for (const auto& f : st["features"]) s += row(f);
  return s + "</table>\n";
}

std::string migration_section(const nlohmann::json& m) {
  if (!m.is_object())
    return "<p class=\"muted\">No compared model (--against): no migration.</p>\n";
  std::string s = "<p>Rows: the compared model's grade; columns: this model's. Upgrades " +
                  short_number(num(m["upgrade_share"])) + ", downgrades " +
                  short_number(num(m["downgrade_share"])) + ", unchanged " +
                  short_number(num(m["unchanged_share"])) + ", more than one grade " +
                  short_number(num(m["beyond_one_grade_share"])) +
                  " (shares of customers).</p>\n<table><tr><th class=\"l\">from \\ to</th>";
  for (const auto& g : m["grades"]) s += "<th>" + html_escape(text(g)) + "</th>";
  s += "</tr>\n";
  for (std::size_t i = 0; i < m["matrix"].size(); ++i) {
    s += "<tr>" + cell(text(m["grades"][i]), true);
    for (const auto& v : m["matrix"][i]) s += number_cell(v);
    s += "</tr>\n";
  }
  return s + "</table>\n";
}

/// A count in full ("12000", where %.4g would write 1.2e+04).
std::string count_text(const nlohmann::json& v) {
  return v.is_number() ? std::to_string(std::llround(v.get<double>())) : "n/a";
}

/// On logged traffic: how the outcomes met the log and which model the logged answers came from.
std::string traffic_paragraph(const nlohmann::json& r) {
  const auto& d = r["data"];
  if (!d.contains("outcomes") || !d["outcomes"].is_object()) return "";
  const auto& o = d["outcomes"];
  const auto n = [](const nlohmann::json& v) { return count_text(v); };
  std::string s = "<p>Logged traffic: " + n(o["joined"]) + " of " + n(o["outcomes"]) +
                  " outcomes joined to " + n(o["scorings"]) + " scorings (" + n(o["defaults"]) +
                  " defaults); " + n(o["not_scored"]) + " customers never scored, " +
                  n(o["scored_after"]) + " scored only after their observation, " +
                  n(o["beyond_horizon"]) + " scored more than " + n(o["horizon_days"]) +
                  " days before it. Each model rescored the logged inputs";
  const auto served = [&](const char* who, const nlohmann::json& m) {
    if (!m.is_object() || !m.contains("traffic")) return std::string();
    return "; " + std::string(who) + " reproduces the served PD on " +
           n(m["traffic"]["rows_as_served_champion"]) + " rows and the shadowed challenger's on " +
           n(m["traffic"]["rows_as_shadowed_challenger"]);
  };
  s += served("the validated model", r["model"]) + served("the compared model", r["against"]);
  return s + ".</p>\n<p class=\"muted\">" + html_escape(text(o["rule"])) + ".</p>\n";
}

}  // namespace

std::string validation_html(const nlohmann::json& r) {
  const std::string status = text(r["status"]);
  const std::string model = text(r["model"]["source"]);
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>Validation: " + html_escape(model) + "</title>\n<style>" + kStyle +
       "</style>\n</head>\n<body>\n";
  s += "<h1>PD model validation " + badge(status) + "</h1>\n<p class=\"muted\">model " +
       html_escape(model) + " (" + html_escape(text(r["model"]["family"])) + ") on " +
       html_escape(text(r["data"]["source"])) + ", " + count_text(r["data"]["rows"]) + " rows";
  if (r["against"].is_object()) {
    s += ", compared with " + html_escape(text(r["against"]["source"])) + " (" +
         html_escape(text(r["against"]["family"])) + ")";
  }
  s += " &middot; " + html_escape(text(r["created_at"]));
  if (r["model"].contains("bundle_sha256")) {
    s += " &middot; bundle sha256 <code>" + html_escape(text(r["model"]["bundle_sha256"])) +
         "</code>";
  }
  s += "</p>\n" + traffic_paragraph(r);
  if (!r["red"].empty()) {
    s += "<p><strong>Red gates:</strong></p><ul id=\"red\">";
    for (const auto& t : r["red"]) s += "<li>" + html_escape(text(t)) + "</li>";
    s += "</ul>\n";
  }
  s += "<h2>Tests</h2>\n" + tests_table(r["tests"]);
  s += "<h2>1. Calibration by grade</h2>\n" +
       grades_section(r["calibration"], r["concentration"].contains("exposure"));
  s += "<h2>2. Discriminatory power</h2>\n" + discrimination_section(r["discrimination"]);
  s += "<h2>3. Concentration</h2>\n" + concentration_section(r["concentration"]);
  s += "<h2>4. Stability</h2>\n" + stability_section(r["stability"]) +
       migration_section(r["migration"]);
  s += "<p class=\"muted\">Gates from loanrisk.toml [validation]: " +
       html_escape(dump_json(r["gates"])) + "</p>\n";
  return s + "</body>\n</html>\n";
}

}  // namespace loanrisk::validation
