// report.html: one page, styles inline, charts as inline SVG, no script and no external reference,
// so it opens offline and prints. Every text that comes from data or files is escaped.
#include <cmath>
#include <cstdio>

#include "loanrisk/charts/svg.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/eda/report.hpp"
#include "loanrisk/eda/svg.hpp"

namespace loanrisk::eda {
namespace {

constexpr const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1100px;
padding:1rem 2rem;color:#222;line-height:1.4}
h1{border-bottom:2px solid #3b6fb6;padding-bottom:.3rem}h2{margin-top:2.2rem;color:#1f3f6e}
table{border-collapse:collapse;margin:.6rem 0;font-size:.88rem}
th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:right}th{background:#eef2f8}
td.l,th.l{text-align:left}.muted{color:#666;font-size:.85rem}
.grid{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #dde;padding:.5rem;border-radius:4px}
nav ol{columns:2}svg{max-width:100%;height:auto}code{background:#f4f4f4;padding:0 .2rem}
@media print{nav{display:none}h2{break-before:page}.card{break-inside:avoid}body{max-width:none}}
)";

std::string num(double v) {
  return short_number(v);
}

std::string pct(double v) {
  return std::isnan(v) ? "n/a" : short_number(100.0 * v) + "%";
}

std::string p_value(double p) {
  if (std::isnan(p)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", p);
  return buf;
}

std::string td(const std::string& s, bool left = false) {
  return std::string(left ? "<td class=\"l\">" : "<td>") + html_escape(s) + "</td>";
}

std::string th(const std::string& s, bool left = false) {
  return std::string(left ? "<th class=\"l\">" : "<th>") + html_escape(s) + "</th>";
}

std::string row(std::initializer_list<std::string> cells) {
  std::string s = "<tr>";
  bool first = true;
  for (const auto& c : cells) {
    s += td(c, first);
    first = false;
  }
  return s + "</tr>\n";
}

std::string header(std::initializer_list<std::string> cells) {
  std::string s = "<tr>";
  bool first = true;
  for (const auto& c : cells) {
    s += th(c, first);
    first = false;
  }
  return s + "</tr>\n";
}

std::string overview_section(const EdaReport& r) {
  const Overview& o = r.overview;
  std::string s = "<h2 id=\"overview\">1. Overview</h2>\n<table>\n";
  s += row({"file", o.source}) + row({"sha256", o.sha256});
  s += row({"rows read", std::to_string(o.rows_read)});
  s += row({"valid rows (analysed)", std::to_string(o.rows_valid)});
  s += row({"rows rejected by the schema", std::to_string(o.rejects)});
  s += row({"columns", std::to_string(o.column_types.size())});
  s += row({"duplicated ids", std::to_string(o.duplicated_ids)});
  s += row({"duplicated rows", std::to_string(o.duplicated_rows)});
  s += row({"constant columns", o.constant_columns.empty() ? "none" : join(o.constant_columns)});
  s += "</table>\n<table>\n" + header({"column", "type", "missing values"});
  for (const auto& [name, type] : o.column_types) {
    const auto it = o.missing.find(name);
    s += row({name, type, std::to_string(it == o.missing.end() ? 0 : it->second)});
  }
  s += "</table>\n<p class=\"muted\">A missing required value rejects its row; a rejected row is "
       "counted once, under its first problem.</p>\n";
  if (!o.reject_reasons.empty()) {
    s += "<h3>Validation problems (first " + std::to_string(o.reject_reasons.size()) + " of " +
         std::to_string(o.rejects) + ")</h3>\n<ol>\n";
    for (const auto& reason : o.reject_reasons) s += "<li>" + html_escape(reason) + "</li>\n";
    s += "</ol>\n";
  }
  for (const auto& w : o.warnings) s += "<p class=\"muted\">warning: " + html_escape(w) + "</p>\n";
  return s;
}

std::string columns_section(const EdaReport& r) {
  std::string s = "<h2 id=\"columns\">2. Columns</h2>\n<table>\n";
  s += header({"feature", "count", "mean", "std", "min", "25%", "50%", "75%", "max", "skewness",
               "kurtosis"});
  for (const auto& f : r.features) {
    const ColumnSummary& c = f.summary;
    s += row({f.name + (f.derived ? " (derived)" : ""), std::to_string(c.count), num(c.mean),
              num(c.std), num(c.min), num(c.q1), num(c.median), num(c.q3), num(c.max),
              num(c.skewness), num(c.kurtosis)});
  }
  s += "</table>\n<p class=\"muted\">std: sample (ddof = 1). Quartiles: linear interpolation. "
       "Skewness: adjusted Fisher-Pearson G1; kurtosis: bias-corrected excess G2 (both as pandas' "
       "skew() and kurt(), scipy.stats.skew/kurtosis with bias=False). Histograms: share of each "
       "class's rows per bin.</p>\n<div class=\"grid\">\n";
  for (const auto& f : r.features) {
    s += "<div class=\"card\"><strong>" + html_escape(f.name) + "</strong><br>" +
         histogram_svg(f.histogram) + "</div>\n";
  }
  return s + "</div>\n";
}

std::string normality_section(const EdaReport& r) {
  std::string s = "<h2 id=\"normality\">3. Normality</h2>\n<table>\n";
  s += header(
      {"feature", "D'Agostino-Pearson K2", "p-value", "Shapiro-Wilk W", "p-value", "rows tested"});
  bool sampled = false;
  for (const auto& f : r.features) {
    sampled = sampled || f.shapiro_sampled;
    s += row({f.name, num(f.dagostino.statistic), p_value(f.dagostino.p_value),
              num(f.shapiro.statistic), p_value(f.shapiro.p_value),
              std::to_string(f.shapiro_rows) + (f.shapiro_sampled ? " (sample)" : "")});
  }
  s += "</table>\n<p class=\"muted\">K2 on every row (scipy.stats.normaltest); Shapiro-Wilk by "
       "Royston's AS R94 (scipy.stats.shapiro), valid up to 5,000 rows";
  if (sampled) {
    s += "; on this file it ran on a random sample of 5,000 rows drawn with seed " +
         std::to_string(r.options.seed);
  }
  s += ". Q-Q plots show the rows Shapiro-Wilk tested.</p>\n<div class=\"grid\">\n";
  for (const auto& f : r.features) {
    s += "<div class=\"card\"><strong>" + html_escape(f.name) + "</strong><br>" +
         qq_plot_svg(f.shapiro_sample_sorted) + "</div>\n";
  }
  return s + "</div>\n";
}

std::string balance_section(const EdaReport& r) {
  const ClassBalance& b = r.balance;
  return "<h2 id=\"balance\">4. Class balance</h2>\n<p>Target <code>" + html_escape(b.target) +
         "</code>: " + std::to_string(b.positives) + " defaults out of " +
         std::to_string(b.positives + b.negatives) + " rows, a default rate of " +
         pct(b.default_rate) + ".</p>\n" + class_balance_svg(b) + "\n";
}

std::string outliers_section(const EdaReport& r) {
  std::string s = "<h2 id=\"outliers\">5. Outliers</h2>\n<table>\n";
  s += header({"feature", "k", "IQR fences", "IQR", "|z| > " + num(r.options.z_threshold), "both",
               "either", "default rate outliers", "default rate rest"});
  for (const auto& f : r.features) {
    if (!f.outliers) continue;
    const OutlierSummary& o = *f.outliers;
    s += row({f.name, num(o.iqr_factor), num(o.lower) + " / " + num(o.upper),
              std::to_string(o.iqr_count), std::to_string(o.z_count), std::to_string(o.both),
              std::to_string(o.either), pct(o.default_rate_outliers), pct(o.default_rate_rest)});
  }
  s +=
      "</table>\n<p class=\"muted\">IQR rule: outside [q1 - k IQR, q3 + k IQR]; z rule: z from the "
      "mean and the population standard deviation (ddof = 0).</p>\n<div class=\"grid\">\n";
  for (const auto& f : r.features) {
    if (!f.outliers) continue;
    s += "<div class=\"card\"><strong>" + html_escape(f.name) + "</strong><br>" +
         box_plot_svg(*f.outliers) + "</div>\n";
  }
  return s + "</div>\n";
}

std::string relationships_section(const EdaReport& r) {
  std::string s = "<h2 id=\"relationships\">6. Relationships</h2>\n<h3>With the target</h3>\n";
  s += "<table>\n" + header({"feature", "Pearson", "Spearman", "AUC", "max(AUC, 1 - AUC)",
                             "direction", "IV", "IV band"});
  for (const auto& f : r.features) {
    s += row({f.name, num(f.pearson_target), num(f.spearman_target), num(f.score.auc),
              num(f.score.auc_best),
              f.score.higher_is_riskier ? "higher = riskier" : "lower = riskier", num(f.woe.iv),
              std::string(iv_band(f.woe.iv))});
  }
  s += "</table>\n<h3>Information value</h3>\n" + iv_bars_svg(r.features) + "\n";
  s += "<h3>Pearson correlation</h3>\n" + heatmap_svg(r.pearson) + "\n";
  s += "<h3>Spearman correlation</h3>\n" + heatmap_svg(r.spearman) + "\n";
  s += "<h3>WOE bins</h3>\n<p class=\"muted\">Quantile bins (" +
       std::to_string(r.options.woe_bins) +
       " before merging a bin without goods or bads into its neighbour). Good = no default. "
       "WOE = ln(%good / %bad); IV = sum of (%good - %bad) WOE. Bands: &lt; 0.02 useless, "
       "0.02-0.1 weak, 0.1-0.3 medium, &gt; 0.3 strong.</p>\n";
  for (const auto& f : r.features) {
    s += "<details><summary>" + html_escape(f.name) + ": IV " + num(f.woe.iv) +
         "</summary>\n<table>\n";
    s += header({"bin", "count", "goods", "bads", "%good", "%bad", "WOE", "IV"});
    for (const auto& b : f.woe.bins) {
      s += row({"(" + num(b.lower) + ", " + num(b.upper) + "]", std::to_string(b.count),
                std::to_string(b.goods), std::to_string(b.bads), pct(b.share_good),
                pct(b.share_bad), num(b.woe), num(b.iv)});
    }
    s += "</table></details>\n";
  }
  return s;
}

std::string reference_section(const EdaReport& r) {
  std::string s =
      "<h2 id=\"reference\">7. Reference distribution</h2>\n<p class=\"muted\">Saved in "
      "report.json under \"reference\" for drift monitoring (PSI/CSI): quantile bin "
      "edges and the share of rows per bin.</p>\n<table>\n" +
      header({"feature", "bins", "edges"});
  for (const auto& f : r.features) {
    std::string edges;
    for (double e : f.reference.edges) edges += (edges.empty() ? "" : ", ") + num(e);
    s += row({f.name, std::to_string(f.reference.shares.size()), edges});
  }
  return s + "</table>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  return charts::html_escape(text);
}

std::string report_html(const EdaReport& r) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>EDA: " + html_escape(r.overview.source) + "</title>\n<style>" + kStyle +
       "</style>\n</head>\n<body>\n";
  s += "<h1>Exploratory data analysis</h1>\n<p class=\"muted\">" + html_escape(r.overview.source) +
       " &middot; " + std::to_string(r.overview.rows_valid) + " valid rows &middot; sha256 " +
       html_escape(r.overview.sha256.substr(0, 16)) + "&hellip;</p>\n";
  s +=
      "<nav><h2>Contents</h2><ol>"
      "<li><a href=\"#overview\">Overview</a></li><li><a href=\"#columns\">Columns</a></li>"
      "<li><a href=\"#normality\">Normality</a></li><li><a href=\"#balance\">Class balance</a></li>"
      "<li><a href=\"#outliers\">Outliers</a></li>"
      "<li><a href=\"#relationships\">Relationships</a></li>"
      "<li><a href=\"#reference\">Reference distribution</a></li></ol></nav>\n";
  s += overview_section(r) + columns_section(r) + normality_section(r) + balance_section(r) +
       outliers_section(r) + relationships_section(r) + reference_section(r);
  return s + "</body>\n</html>\n";
}

}  // namespace loanrisk::eda
