#pragma once
// Inline-SVG drawing shared by the HTML reports (EDA, evaluation): primitives in user units with a
// viewBox, and the generic line and bar charts. No script and no network: pages open offline.
#include <string>
#include <string_view>
#include <vector>

namespace loanrisk::charts {

/// Colour of non-defaulters (and of a chart's first series).
inline constexpr const char* kGood = "#3b6fb6";
/// Colour of defaulters (and of a chart's second series).
inline constexpr const char* kBad = "#e07b20";

/// Text safe inside HTML elements and attribute values.
std::string html_escape(std::string_view text);
/// One decimal, for coordinates.
std::string f1(double v);
/// Short text of a number for labels (4 significant digits; "n/a" for NaN).
std::string short_number(double v);
/// The style sheet the table-and-chart report pages share (evaluation, monitoring).
inline constexpr const char* kReportStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:right}th.l,td.l{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:1em}"
    ".muted{color:#666}";
/// A table cell with escaped text, right-aligned (numbers) unless left.
std::string cell(const std::string& text, bool left = false);

/// The opening <svg> tag with a viewBox and an accessible label.
std::string open_svg(int width, int height, const std::string& label);
/// A filled rectangle, with a hover title when given.
std::string rect(double x, double y, double w, double h, const std::string& fill,
                 const std::string& title = {});
/// A straight line, dashed or solid.
std::string line(double x1, double y1, double x2, double y2, const std::string& stroke,
                 bool dashed = false);
/// A text label.
std::string label(double x, double y, const std::string& text, const char* anchor = "middle",
                  int size = 11);
/// Linear map from [lo, hi] to [a, b]; the middle of the range when lo == hi.
double scale(double v, double lo, double hi, double a, double b);

/// One named polyline of a line chart.
struct Series {
  std::string name;
  std::vector<double> x, y;
  std::string colour = kGood;
  bool dashed = false;
};

/// Line chart on fixed axes ranges, with axis titles, a legend and optional marker lines.
struct LineChart {
  std::string title, x_title, y_title;
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  std::vector<Series> series;
  bool diagonal = false;  ///< a dotted y = x reference line (ROC, calibration)
};
std::string line_chart_svg(const LineChart& chart);

/// Vertical bars of two groups side by side per category (e.g. score bins by class).
struct GroupedBars {
  std::string title, x_title, y_title;
  std::vector<std::string> categories;
  std::string first_name, second_name;
  std::vector<double> first, second;
};
std::string grouped_bars_svg(const GroupedBars& chart);

/// Horizontal bars, one per label, longest first as given (e.g. feature importance).
std::string horizontal_bars_svg(const std::string& title, const std::vector<std::string>& labels,
                                const std::vector<double>& values);

}  // namespace loanrisk::charts
