#pragma once
// Charts of the HTML report as inline SVG strings: no script and no network, so the page opens
// offline, prints, and can be archived with the model's documentation.
#include <string>
#include <vector>

#include "loanrisk/eda/analysis.hpp"

namespace loanrisk::eda {

/// Histogram of one feature by class, as the share of each class's rows per bin (the classes are
/// unbalanced, so counts would hide the defaulters' shape).
std::string histogram_svg(const Histogram& h);
/// Horizontal box plot: box q1..q3, median, whiskers to the last values inside the IQR fences,
/// dashed fences, and the extremes beyond them.
std::string box_plot_svg(const OutlierSummary& o);
/// Normal Q-Q plot of standardised sorted values (at most 200 points drawn).
std::string qq_plot_svg(const std::vector<double>& sorted);
/// Correlation heatmap, blue (-1) to white (0) to red (+1), with the values in the cells.
std::string heatmap_svg(const CorrelationMatrix& m);
/// Information value per feature as horizontal bars, with the 0.02 / 0.1 / 0.3 band lines.
std::string iv_bars_svg(const std::vector<FeatureReport>& features);
/// Two bars: rows without and with default.
std::string class_balance_svg(const ClassBalance& b);

/// Short text of a number for labels (4 significant digits; "n/a" for NaN).
std::string short_number(double v);

}  // namespace loanrisk::eda
