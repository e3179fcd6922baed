// WOE/IV with quantile bins. Good = target 0, bad = target 1, so a positive WOE marks a bin safer
// than average (the scorecard convention: WOE = ln(%good / %bad)).
#include "loanrisk/eda/woe.hpp"

#include <cmath>

#include "loanrisk/core/error.hpp"
#include "loanrisk/eda/quantiles.hpp"

namespace loanrisk::eda {

WoeResult woe_iv(const std::vector<double>& values, const std::vector<double>& sorted,
                 const std::vector<double>& target, std::size_t bins) {
  const std::vector<double> edges = quantile_edges(sorted, bins);
  const std::size_t k = bin_count(edges);
  std::vector<WoeBin> b(k);
  for (std::size_t i = 0; i < k; ++i) {
    b[i].lower = edges[i];
    b[i].upper = edges.size() > 1 ? edges[i + 1] : edges[i];
  }
  std::size_t goods = 0, bads = 0;
  for (std::size_t r = 0; r < values.size(); ++r) {
    if (!std::isfinite(values[r])) continue;
    WoeBin& bin = b[bin_index(edges, values[r])];
    ++bin.count;
    if (target[r] == 1.0) {
      ++bin.bads;
      ++bads;
    } else {
      ++bin.goods;
      ++goods;
    }
  }
  if (goods == 0 || bads == 0) {
    throw InputError("WOE/IV needs both classes in the target; found " + std::to_string(goods) +
                     " rows with 0 and " + std::to_string(bads) + " with 1");
  }
  // Merge bins that would give an infinite WOE, left to right.
  for (std::size_t i = 0; i < b.size() && b.size() > 1;) {
    if (b[i].goods > 0 && b[i].bads > 0) {
      ++i;
      continue;
    }
    const std::size_t keep = i + 1 < b.size() ? i : i - 1;  // merge b[keep] and b[keep + 1]
    WoeBin& left = b[keep];
    const WoeBin& right = b[keep + 1];
    left.upper = right.upper;
    left.count += right.count;
    left.goods += right.goods;
    left.bads += right.bads;
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(keep + 1));
    i = keep;
  }
  WoeResult result;
  for (WoeBin& bin : b) {
    bin.share_good = static_cast<double>(bin.goods) / static_cast<double>(goods);
    bin.share_bad = static_cast<double>(bin.bads) / static_cast<double>(bads);
    bin.woe = std::log(bin.share_good / bin.share_bad);
    bin.iv = (bin.share_good - bin.share_bad) * bin.woe;
    result.iv += bin.iv;
  }
  result.bins = std::move(b);
  return result;
}

std::string_view iv_band(double iv) {
  if (!(iv >= 0.02)) return "useless";
  if (iv < 0.1) return "weak";
  if (iv < 0.3) return "medium";
  return "strong";
}

}  // namespace loanrisk::eda
