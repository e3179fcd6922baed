// SVG charts drawn from the report's numbers. Sizes are in user units with a viewBox, so the charts
// scale with the page; colours: blue for non-defaulters, orange for defaulters.
#include "loanrisk/eda/svg.hpp"

#include "loanrisk/charts/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "loanrisk/eda/report.hpp"
#include "loanrisk/eda/special.hpp"

namespace loanrisk::eda {
namespace {

using charts::f1;
using charts::kBad;
using charts::kGood;
using charts::label;
using charts::line;
using charts::open_svg;
using charts::rect;
using charts::scale;

// Blue for -1, white for 0, red for +1.
std::string diverging(double r) {
  if (std::isnan(r)) return "#dddddd";
  const double t = std::clamp(std::fabs(r), 0.0, 1.0);
  const int fade = static_cast<int>(std::lround(255.0 * (1.0 - t)));
  char buf[8];
  if (r >= 0) {
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", 255, fade, fade);
  } else {
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", fade, fade, 255);
  }
  return buf;
}

}  // namespace

std::string short_number(double v) {
  return charts::short_number(v);
}

std::string histogram_svg(const Histogram& h) {
  const int width = 420, height = 200, left = 40, right = 10, top = 20, bottom = 30;
  std::string s = open_svg(width, height, "histogram by class");
  if (h.all.empty()) return s + label(width / 2.0, height / 2.0, "no values") + "</svg>";
  std::size_t neg_total = 0, pos_total = 0;
  for (std::size_t k = 0; k < h.all.size(); ++k) {
    neg_total += h.negative[k];
    pos_total += h.positive[k];
  }
  auto share = [](std::size_t c, std::size_t total) {
    return total == 0 ? 0.0 : static_cast<double>(c) / static_cast<double>(total);
  };
  double top_share = 0.0;
  for (std::size_t k = 0; k < h.all.size(); ++k) {
    top_share =
        std::max({top_share, share(h.negative[k], neg_total), share(h.positive[k], pos_total)});
  }
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  const double bar_w = plot_w / static_cast<double>(h.all.size());
  for (std::size_t k = 0; k < h.all.size(); ++k) {
    const double x = left + bar_w * static_cast<double>(k);
    const double sn = share(h.negative[k], neg_total), sp = share(h.positive[k], pos_total);
    const std::string range = short_number(h.edges[k]) + " to " + short_number(h.edges[k + 1]);
    const double hn = sn / top_share * plot_h, hp = sp / top_share * plot_h;
    s += rect(x + 0.5, top + plot_h - hn, bar_w / 2 - 0.5, hn, kGood,
              range + ": " + std::to_string(h.negative[k]) + " without default");
    s += rect(x + bar_w / 2, top + plot_h - hp, bar_w / 2 - 0.5, hp, kBad,
              range + ": " + std::to_string(h.positive[k]) + " defaulted");
  }
  s += line(left, top + plot_h, width - right, top + plot_h, "#444");
  s += label(left, height - 10, short_number(h.edges.front()), "start");
  s += label(width - right, height - 10, short_number(h.edges.back()), "end");
  s += label(left - 4, top + 4, short_number(100.0 * top_share) + "%", "end", 10);
  s += rect(left + 8, 4, 10, 10, kGood) + label(left + 22, 13, "no default", "start", 10);
  s += rect(left + 90, 4, 10, 10, kBad) + label(left + 104, 13, "default", "start", 10);
  return s + "</svg>";
}

std::string box_plot_svg(const OutlierSummary& o) {
  const int width = 420, height = 80, left = 15, right = 15;
  std::string s = open_svg(width, height, "box plot");
  const BoxStats& b = o.box;
  if (std::isnan(b.min)) return s + "</svg>";
  const double lo = std::min(b.min, o.lower), hi = std::max(b.max, o.upper);
  auto x = [&](double v) { return scale(v, lo, hi, left, width - right); };
  const double mid = 35;
  s += line(x(o.lower), 10, x(o.lower), 60, "#c0392b", true);
  s += line(x(o.upper), 10, x(o.upper), 60, "#c0392b", true);
  s += line(x(b.whisker_low), mid, x(b.q1), mid, "#333");
  s += line(x(b.q3), mid, x(b.whisker_high), mid, "#333");
  s += line(x(b.whisker_low), mid - 8, x(b.whisker_low), mid + 8, "#333");
  s += line(x(b.whisker_high), mid - 8, x(b.whisker_high), mid + 8, "#333");
  s += "<rect x=\"" + f1(x(b.q1)) + "\" y=\"" + f1(mid - 14) + "\" width=\"" +
       f1(std::max(x(b.q3) - x(b.q1), 1.0)) +
       "\" height=\"28\" fill=\"#dfe8f5\" stroke=\"#333\"><title>" +
       html_escape("q1 " + short_number(b.q1) + ", median " + short_number(b.median) + ", q3 " +
                   short_number(b.q3)) +
       "</title></rect>";
  s += line(x(b.median), mid - 14, x(b.median), mid + 14, "#111");
  for (double v : {b.min, b.max}) {
    if (v < b.whisker_low || v > b.whisker_high) {
      s += "<circle cx=\"" + f1(x(v)) + "\" cy=\"" + f1(mid) +
           "\" r=\"3\" fill=\"none\" stroke=\"#c0392b\"/>";
    }
  }
  s += label(left, height - 4, short_number(lo), "start", 10);
  s += label(width - right, height - 4, short_number(hi), "end", 10);
  s += label(width / 2.0, height - 4,
             "fences " + short_number(o.lower) + " / " + short_number(o.upper) +
                 " (k = " + short_number(o.iqr_factor) + ")",
             "middle", 10);
  return s + "</svg>";
}

std::string qq_plot_svg(const std::vector<double>& sorted) {
  const int size = 200, pad = 25;
  std::string s = open_svg(size, size, "normal Q-Q plot");
  const std::size_t n = sorted.size();
  if (n < 3) return s + "</svg>";
  double mean = 0.0;
  for (double v : sorted) mean += v;
  mean /= static_cast<double>(n);
  double ss = 0.0;
  for (double v : sorted) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  if (!(sd > 0.0)) return s + label(size / 2.0, size / 2.0, "constant") + "</svg>";
  const double lim = 4.0;
  auto px = [&](double z) { return scale(std::clamp(z, -lim, lim), -lim, lim, pad, size - 5); };
  auto py = [&](double z) { return scale(std::clamp(z, -lim, lim), -lim, lim, size - pad, 5); };
  s += line(px(-lim), py(-lim), px(lim), py(lim), "#999", true);
  const std::size_t points = std::min<std::size_t>(n, 200);
  for (std::size_t k = 0; k < points; ++k) {
    const std::size_t i = points == 1 ? 0 : k * (n - 1) / (points - 1);
    // Blom's plotting positions, the ones Shapiro-Wilk's coefficients approximate.
    const double theoretical =
        normal_ppf((static_cast<double>(i) + 1.0 - 0.375) / (static_cast<double>(n) + 0.25));
    const double observed = (sorted[i] - mean) / sd;
    s += "<circle cx=\"" + f1(px(theoretical)) + "\" cy=\"" + f1(py(observed)) +
         "\" r=\"1.6\" fill=\"" + kGood + "\"/>";
  }
  s += label(size / 2.0, size - 6, "normal quantile", "middle", 10);
  s += "<text x=\"10\" y=\"" + f1(size / 2.0) + "\" font-size=\"10\" text-anchor=\"middle\" " +
       "transform=\"rotate(-90 10 " + f1(size / 2.0) + ")\">standardised value</text>";
  return s + "</svg>";
}

std::string heatmap_svg(const CorrelationMatrix& m) {
  const int cell = 46, left = 170, top = 150;
  const int k = static_cast<int>(m.names.size());
  std::string s = open_svg(left + cell * k + 10, top + cell * k + 10, "correlation heatmap");
  for (int i = 0; i < k; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    s += label(left - 6, top + cell * i + cell / 2.0 + 4, m.names[ui], "end", 11);
    const double cx = left + cell * i + cell / 2.0;
    s += "<text x=\"" + f1(cx) + "\" y=\"" + f1(top - 6.0) +
         "\" font-size=\"11\" text-anchor=\"start\" transform=\"rotate(-60 " + f1(cx) + " " +
         f1(top - 6.0) + ")\">" + html_escape(m.names[ui]) + "</text>";
    for (int j = 0; j < k; ++j) {
      const double r = m.at(ui, static_cast<std::size_t>(j));
      s +=
          rect(left + cell * j, top + cell * i, cell - 1, cell - 1, diverging(r),
               m.names[ui] + " / " + m.names[static_cast<std::size_t>(j)] + ": " + short_number(r));
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.2f", r);
      s += label(left + cell * j + cell / 2.0, top + cell * i + cell / 2.0 + 4,
                 std::isnan(r) ? "n/a" : buf, "middle", 11);
    }
  }
  return s + "</svg>";
}

std::string iv_bars_svg(const std::vector<FeatureReport>& features) {
  std::vector<const FeatureReport*> order;
  for (const auto& f : features) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [](const FeatureReport* a, const FeatureReport* b) {
    const double ia = std::isnan(a->woe.iv) ? -1.0 : a->woe.iv;
    const double ib = std::isnan(b->woe.iv) ? -1.0 : b->woe.iv;
    return ia > ib;
  });
  const int row = 22, left = 180, width = 620, top = 20;
  const int height = top + row * static_cast<int>(order.size()) + 24;
  std::string s = open_svg(width, height, "information value by feature");
  double top_iv = 0.5;
  for (const auto* f : order) {
    if (std::isfinite(f->woe.iv)) top_iv = std::max(top_iv, f->woe.iv);
  }
  const double plot_w = width - left - 70;
  auto x = [&](double iv) { return left + std::min(iv, top_iv) / top_iv * plot_w; };
  for (std::size_t i = 0; i < order.size(); ++i) {
    const FeatureReport& f = *order[i];
    const double y = top + row * static_cast<double>(i);
    s += label(left - 6, y + 15, f.name, "end", 11);
    const double iv = std::isfinite(f.woe.iv) ? f.woe.iv : 0.0;
    s += rect(
        left, y + 3, x(iv) - left, row - 6, iv >= 0.1 ? kGood : "#9bb4d6",
        f.name + ": IV " + short_number(f.woe.iv) + " (" + std::string(iv_band(f.woe.iv)) + ")");
    s += label(x(iv) + 4, y + 15, short_number(f.woe.iv) + " " + std::string(iv_band(f.woe.iv)),
               "start", 10);
  }
  for (double band : {0.02, 0.1, 0.3}) {
    s += line(x(band), top - 4, x(band), height - 20, "#c0392b", true);
    s += label(x(band), height - 6, short_number(band), "middle", 10);
  }
  return s + "</svg>";
}

std::string class_balance_svg(const ClassBalance& b) {
  const int width = 420, height = 90, left = 110;
  std::string s = open_svg(width, height, "class balance");
  const double total = static_cast<double>(b.negatives + b.positives);
  const double plot_w = width - left - 90;
  const std::size_t counts[2] = {b.negatives, b.positives};
  const char* names[2] = {"no default (0)", "default (1)"};
  const char* colours[2] = {kGood, kBad};
  for (int i = 0; i < 2; ++i) {
    const double share = total > 0 ? static_cast<double>(counts[i]) / total : 0.0;
    const double y = 15 + 35 * i;
    s += label(left - 6, y + 16, names[i], "end", 11);
    s += rect(left, y, share * plot_w, 24, colours[i]);
    s += label(left + share * plot_w + 4, y + 16,
               std::to_string(counts[i]) + " (" + short_number(100.0 * share) + "%)", "start", 11);
  }
  return s + "</svg>";
}

}  // namespace loanrisk::eda
