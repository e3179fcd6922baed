#include "loanrisk/charts/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace loanrisk::charts {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string cell(const std::string& text, bool left) {
  return std::string(left ? "<td class=\"l\">" : "<td>") + html_escape(text) + "</td>";
}

std::string f1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string short_number(double v) {
  if (std::isnan(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string open_svg(int width, int height, const std::string& text) {
  return "<svg viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
         "\" role=\"img\" aria-label=\"" + html_escape(text) + "\">";
}

std::string rect(double x, double y, double w, double h, const std::string& fill,
                 const std::string& title) {
  std::string s = "<rect x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" width=\"" + f1(std::max(w, 0.0)) +
                  "\" height=\"" + f1(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"";
  if (title.empty()) return s + "/>";
  return s + "><title>" + html_escape(title) + "</title></rect>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke,
                 bool dashed) {
  return "<line x1=\"" + f1(x1) + "\" y1=\"" + f1(y1) + "\" x2=\"" + f1(x2) + "\" y2=\"" + f1(y2) +
         "\" stroke=\"" + stroke + "\"" + (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>";
}

std::string label(double x, double y, const std::string& text, const char* anchor, int size) {
  return "<text x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" font-size=\"" + std::to_string(size) +
         "\" text-anchor=\"" + anchor + "\">" + html_escape(text) + "</text>";
}

double scale(double v, double lo, double hi, double a, double b) {
  if (!(hi > lo)) return 0.5 * (a + b);
  return a + (v - lo) / (hi - lo) * (b - a);
}

namespace {

struct Frame {
  int width, height, left, right, top, bottom;
  double x(double v, double lo, double hi) const { return scale(v, lo, hi, left, width - right); }
  double y(double v, double lo, double hi) const { return scale(v, lo, hi, height - bottom, top); }
};

std::string axes(const Frame& f, const std::string& x_title, const std::string& y_title) {
  std::string s = line(f.left, f.height - f.bottom, f.width - f.right, f.height - f.bottom, "#555");
  s += line(f.left, f.top, f.left, f.height - f.bottom, "#555");
  s += label(0.5 * (f.left + f.width - f.right), f.height - 4, x_title);
  s += "<text x=\"12\" y=\"" + f1(0.5 * (f.top + f.height - f.bottom)) +
       "\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 " +
       f1(0.5 * (f.top + f.height - f.bottom)) + ")\">" + html_escape(y_title) + "</text>";
  return s;
}

}  // namespace

std::string line_chart_svg(const LineChart& c) {
  const Frame f{420, 300, 50, 15, 25, 40};
  std::string s = open_svg(f.width, f.height, c.title);
  s += label(f.width / 2.0, 15, c.title, "middle", 12);
  s += axes(f, c.x_title, c.y_title);
  for (int k = 0; k <= 4; ++k) {
    const double xv = c.x_min + (c.x_max - c.x_min) * k / 4.0;
    const double yv = c.y_min + (c.y_max - c.y_min) * k / 4.0;
    s += label(f.x(xv, c.x_min, c.x_max), f.height - f.bottom + 14, short_number(xv), "middle", 9);
    s += label(f.left - 4, f.y(yv, c.y_min, c.y_max) + 3, short_number(yv), "end", 9);
  }
  if (c.diagonal) {
    s += "<line x1=\"" + f1(f.x(c.x_min, c.x_min, c.x_max)) + "\" y1=\"" +
         f1(f.y(c.y_min, c.y_min, c.y_max)) + "\" x2=\"" + f1(f.x(c.x_max, c.x_min, c.x_max)) +
         "\" y2=\"" + f1(f.y(c.y_max, c.y_min, c.y_max)) +
         "\" stroke=\"#999\" stroke-dasharray=\"1 3\"/>";
  }
  for (std::size_t k = 0; k < c.series.size(); ++k) {
    const Series& series = c.series[k];
    std::string points;
    for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
      if (!std::isfinite(series.x[i]) || !std::isfinite(series.y[i])) continue;
      points += f1(f.x(series.x[i], c.x_min, c.x_max)) + "," +
                f1(f.y(series.y[i], c.y_min, c.y_max)) + " ";
    }
    s += "<polyline fill=\"none\" stroke=\"" + series.colour + "\" stroke-width=\"1.5\"" +
         (series.dashed ? " stroke-dasharray=\"5 3\"" : "") + " points=\"" + points + "\"/>";
    const double ly = f.top + 12 + 14.0 * static_cast<double>(k);
    s += line(f.width - f.right - 120, ly - 4, f.width - f.right - 104, ly - 4, series.colour,
              series.dashed);
    s += label(f.width - f.right - 100, ly, series.name, "start", 10);
  }
  return s + "</svg>";
}

std::string grouped_bars_svg(const GroupedBars& c) {
  const Frame f{420, 240, 50, 10, 25, 40};
  double top = 0;
  for (double v : c.first) top = std::max(top, v);
  for (double v : c.second) top = std::max(top, v);
  std::string s = open_svg(f.width, f.height, c.title);
  s += label(f.width / 2.0, 15, c.title, "middle", 12);
  s += axes(f, c.x_title, c.y_title);
  const double slot = (f.width - f.left - f.right) / std::max<double>(1, c.categories.size());
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    const double x0 = f.left + slot * static_cast<double>(i);
    const double a = i < c.first.size() ? c.first[i] : 0, b = i < c.second.size() ? c.second[i] : 0;
    s += rect(x0 + 1, f.y(a, 0, top), slot / 2 - 1, f.height - f.bottom - f.y(a, 0, top), kGood,
              c.first_name + " " + c.categories[i] + ": " + short_number(a));
    s += rect(x0 + slot / 2, f.y(b, 0, top), slot / 2 - 1, f.height - f.bottom - f.y(b, 0, top),
              kBad, c.second_name + " " + c.categories[i] + ": " + short_number(b));
    if (i % std::max<std::size_t>(1, c.categories.size() / 5) == 0) {
      s += label(x0 + slot / 2, f.height - f.bottom + 14, c.categories[i], "middle", 9);
    }
  }
  s += label(f.left - 4, f.top + 3, short_number(top), "end", 9);
  s += rect(f.width - 130, f.top, 10, 10, kGood) +
       label(f.width - 116, f.top + 9, c.first_name, "start", 10);
  s += rect(f.width - 130, f.top + 14, 10, 10, kBad) +
       label(f.width - 116, f.top + 23, c.second_name, "start", 10);
  return s + "</svg>";
}

std::string horizontal_bars_svg(const std::string& title, const std::vector<std::string>& labels,
                                const std::vector<double>& values) {
  const int width = 420, left = 170, right = 60, row = 18;
  const int height = 30 + row * static_cast<int>(labels.size());
  double top = 0;
  for (double v : values) top = std::max(top, std::fabs(v));
  std::string s = open_svg(width, height, title);
  s += label(width / 2.0, 15, title, "middle", 12);
  for (std::size_t i = 0; i < labels.size() && i < values.size(); ++i) {
    const double y = 24 + row * static_cast<double>(i);
    const double w = scale(std::fabs(values[i]), 0, top, 0, width - left - right);
    s += label(left - 6, y + 11, labels[i], "end", 10);
    s += rect(left, y, w, row - 4, kGood, labels[i] + ": " + short_number(values[i]));
    s += label(left + w + 4, y + 11, short_number(values[i]), "start", 9);
  }
  return s + "</svg>";
}

}  // namespace loanrisk::charts
