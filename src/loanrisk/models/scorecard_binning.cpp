// Monotone WoE binning. The choices (why Spearman, why IV loss, why the 1/2
// smoothing) are argued in docs/scorecard.md; this file keeps to what each step does.
#include "loanrisk/models/scorecard_binning.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/quantile.hpp"

namespace loanrisk::models {
namespace {

constexpr auto kDirections =
    enum_names<BinDirection>("bin direction", {
                                                  {BinDirection::Auto, "auto"},
                                                  {BinDirection::Ascending, "ascending"},
                                                  {BinDirection::Descending, "descending"},
                                              });

/// Goods and bads of a bin while merging.
struct Cell {
  std::uint64_t goods = 0, bads = 0;
  std::uint64_t count() const { return goods + bads; }
  Cell& operator+=(const Cell& o) {
    goods += o.goods;
    bads += o.bads;
    return *this;
  }
};

/// Totals the smoothed shares are taken against: every training row, and the number of
/// non-empty bins (the smoothing adds 1/2 per such bin, so the smoothed shares still sum to 1).
struct Totals {
  double goods = 0, bads = 0, nonempty = 0;
};

double smoothed_woe(const Cell& c, const Totals& t) {
  const double share_good =
      (static_cast<double>(c.goods) + kWoeSmoothing) / (t.goods + kWoeSmoothing * t.nonempty);
  const double share_bad =
      (static_cast<double>(c.bads) + kWoeSmoothing) / (t.bads + kWoeSmoothing * t.nonempty);
  return std::log(share_good / share_bad);
}

double smoothed_iv(const Cell& c, const Totals& t) {
  if (c.count() == 0) return 0;
  const double share_good =
      (static_cast<double>(c.goods) + kWoeSmoothing) / (t.goods + kWoeSmoothing * t.nonempty);
  const double share_bad =
      (static_cast<double>(c.bads) + kWoeSmoothing) / (t.bads + kWoeSmoothing * t.nonempty);
  return (share_good - share_bad) * std::log(share_good / share_bad);
}

BinStats stats_of(const Cell& c, const Totals& t) {
  BinStats s;
  s.count = static_cast<std::size_t>(c.count());
  s.goods = static_cast<std::size_t>(c.goods);
  s.bads = static_cast<std::size_t>(c.bads);
  if (s.count == 0) return s;  // never seen in training: neutral WoE 0, no IV
  s.default_rate = static_cast<double>(c.bads) / static_cast<double>(c.count());
  s.woe = smoothed_woe(c, t);
  s.iv = smoothed_iv(c, t);
  return s;
}

/// True when the default rate rises strictly from `left` to `right` and the smoothed WoE falls
/// strictly, compared exactly in integers (rate: b/n; WoE order: (2g+1)/(2b+1)).
bool rises(const Cell& left, const Cell& right) {
  static_assert(kWoeSmoothing == 0.5, "the WoE order below is (g + 1/2) / (b + 1/2)");
  const bool rate = right.bads * left.count() > left.bads * right.count();
  const bool woe =
      (2 * right.goods + 1) * (2 * left.bads + 1) < (2 * left.goods + 1) * (2 * right.bads + 1);
  return rate && woe;
}

/// Sign of the Spearman correlation of value and target on rows sorted by value (mid-ranks for
/// ties): with a 0/1 target it is the sign of (sum of the bads' ranks) - bads * (n + 1) / 2,
/// compared in integers with doubled ranks. A zero correlation counts as ascending.
BinDirection spearman_direction(const std::vector<std::pair<double, bool>>& rows) {
  std::uint64_t doubled_rank_sum = 0, bads = 0;
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t j = i;
    while (j + 1 < rows.size() && rows[j + 1].first == rows[i].first) ++j;
    const std::uint64_t doubled_mid_rank = (i + 1) + (j + 1);
    for (std::size_t r = i; r <= j; ++r) {
      if (rows[r].second) {
        doubled_rank_sum += doubled_mid_rank;
        ++bads;
      }
    }
    i = j + 1;
  }
  return doubled_rank_sum >= bads * (rows.size() + 1) ? BinDirection::Ascending
                                                      : BinDirection::Descending;
}

/// Cut points of `prebins` quantile pre-bins of sorted values: each interior quantile snapped
/// down to the largest value at or below it, repeats and the maximum dropped, so every pre-bin
/// holds at least one value and equal values always share a bin.
std::vector<double> prebin_cuts(const std::vector<double>& sorted, std::size_t prebins) {
  std::vector<double> cuts;
  for (std::size_t k = 1; k < prebins; ++k) {
    const double q = quantile_sorted(sorted, static_cast<double>(k) / static_cast<double>(prebins));
    const double cut = *(std::upper_bound(sorted.begin(), sorted.end(), q) - 1);
    if (cut < sorted.back() && (cuts.empty() || cut > cuts.back())) cuts.push_back(cut);
  }
  return cuts;
}

void check_options(const BinningOptions& o) {
  if (o.max_bins < 1) throw UsageError("scorecard binning: max_bins must be at least 1, got 0");
  if (o.prebins < 1 || o.prebins > 1000) {
    throw UsageError(
        fmt::format("scorecard binning: prebins must be between 1 and 1000, got {}", o.prebins));
  }
  if (!(o.min_bin_share >= 0 && o.min_bin_share < 1)) {
    throw UsageError(
        fmt::format("scorecard binning: min_bin_share must be at least 0 and below 1, got {}",
                    o.min_bin_share));
  }
  if (o.direction != BinDirection::Auto && o.direction != BinDirection::Ascending &&
      o.direction != BinDirection::Descending) {
    throw UsageError("scorecard binning: unknown direction (expected auto, ascending, descending)");
  }
  for (std::size_t s = 0; s < o.special_values.size(); ++s) {
    const double v = o.special_values[s];
    if (!std::isfinite(v)) {
      throw UsageError(fmt::format(
          "scorecard binning: special value {} is {}; special values must be finite (NaN is "
          "the missing bin already)",
          s, v));
    }
    for (std::size_t t = 0; t < s; ++t) {
      if (o.special_values[t] == v) {
        throw UsageError(fmt::format("scorecard binning: special value {} is listed twice", v));
      }
    }
  }
}

/// The merges of step 2 of docs/scorecard.md, on range bins (`cells`, `cuts` between them).
class Merger {
 public:
  Merger(std::vector<Cell> cells, std::vector<double> cuts, Totals outside, BinDirection direction)
      : cells_(std::move(cells)), cuts_(std::move(cuts)), outside_(outside), direction_(direction) {
    for (const Cell& c : cells_) range_rows_ += static_cast<double>(c.count());
  }

  void run(const BinningOptions& o) {
    const double min_count = o.min_bin_share * range_rows_;
    while (cells_.size() > 1) {
      if (const auto v = first_violation()) {
        merge(*v);
      } else if (const auto m = cheapest_merge([&](std::size_t i) {
                   return static_cast<double>(cells_[i].count()) < min_count ||
                          static_cast<double>(cells_[i + 1].count()) < min_count;
                 })) {
        merge(*m);
      } else if (cells_.size() > o.max_bins) {
        merge(*cheapest_merge([](std::size_t) { return true; }));
      } else {
        break;
      }
    }
  }

  const std::vector<Cell>& cells() const { return cells_; }
  const std::vector<double>& cuts() const { return cuts_; }

 private:
  /// The leftmost adjacent pair out of the direction's order (pool adjacent violators).
  std::optional<std::size_t> first_violation() const {
    for (std::size_t i = 0; i + 1 < cells_.size(); ++i) {
      const bool ok = direction_ == BinDirection::Ascending ? rises(cells_[i], cells_[i + 1])
                                                            : rises(cells_[i + 1], cells_[i]);
      if (!ok) return i;
    }
    return std::nullopt;
  }

  /// Among the pairs `eligible` accepts, the one whose merge loses the least IV (the leftmost on
  /// a tie), the shares taken against the current binning.
  template <class Eligible>
  std::optional<std::size_t> cheapest_merge(Eligible eligible) const {
    Totals t = outside_;
    t.nonempty += static_cast<double>(cells_.size());
    std::optional<std::size_t> best;
    double best_loss = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i + 1 < cells_.size(); ++i) {
      if (!eligible(i)) continue;
      Cell merged = cells_[i];
      merged += cells_[i + 1];
      const double loss =
          smoothed_iv(cells_[i], t) + smoothed_iv(cells_[i + 1], t) - smoothed_iv(merged, t);
      if (!best || loss < best_loss) {
        best = i;
        best_loss = loss;
      }
    }
    return best;
  }

  /// Merges bins i and i + 1 by dropping the cut between them.
  void merge(std::size_t i) {
    cells_[i] += cells_[i + 1];
    cells_.erase(cells_.begin() + static_cast<std::ptrdiff_t>(i + 1));
    cuts_.erase(cuts_.begin() + static_cast<std::ptrdiff_t>(i));
  }

  std::vector<Cell> cells_;
  std::vector<double> cuts_;
  Totals outside_;  ///< all goods and bads, and the non-empty missing and special bins
  BinDirection direction_;
  double range_rows_ = 0;
};

}  // namespace

std::string bin_direction_name(BinDirection direction) {
  return std::string(kDirections.name(direction));
}

std::optional<BinDirection> parse_bin_direction(const std::string& name) {
  return kDirections.parse(name);
}

Binning fit_binning(const std::vector<double>& values, const std::vector<double>& target,
                    const BinningOptions& options) {
  check_options(options);
  if (values.size() != target.size()) {
    throw InputError(fmt::format("scorecard binning: {} values but {} targets; they must pair up",
                                 values.size(), target.size()));
  }
  Cell missing, all;
  std::vector<Cell> specials(options.special_values.size());
  std::vector<std::pair<double, bool>> range;  // (value, defaulted)
  for (std::size_t r = 0; r < values.size(); ++r) {
    if (target[r] != 0.0 && target[r] != 1.0) {
      throw InputError(fmt::format("scorecard binning: target of row {} is {}; it must be 0 or 1",
                                   r, target[r]));
    }
    const bool bad = target[r] == 1.0;
    const Cell one{bad ? 0u : 1u, bad ? 1u : 0u};
    all += one;
    const double v = values[r];
    if (std::isnan(v)) {
      missing += one;
      continue;
    }
    const auto special = std::find(options.special_values.begin(), options.special_values.end(), v);
    if (special != options.special_values.end()) {
      specials[static_cast<std::size_t>(special - options.special_values.begin())] += one;
    } else if (!std::isfinite(v)) {
      throw InputError(fmt::format(
          "scorecard binning: value of row {} is {}; make it NaN (missing) or a finite special "
          "value",
          r, v));
    } else {
      range.emplace_back(v, bad);
    }
  }
  if (all.goods == 0 || all.bads == 0) {
    throw InputError(fmt::format(
        "scorecard binning needs both classes in the target; found {} rows with 0 and {} with 1",
        all.goods, all.bads));
  }
  std::sort(range.begin(), range.end());

  Binning b;
  b.direction =
      options.direction == BinDirection::Auto ? spearman_direction(range) : options.direction;
  Totals outside{static_cast<double>(all.goods), static_cast<double>(all.bads), 0};
  if (missing.count() > 0) outside.nonempty += 1;
  for (const Cell& c : specials) {
    if (c.count() > 0) outside.nonempty += 1;
  }

  std::vector<double> sorted;
  sorted.reserve(range.size());
  for (const auto& row : range) sorted.push_back(row.first);
  std::vector<double> cuts =
      range.empty() ? std::vector<double>{} : prebin_cuts(sorted, options.prebins);
  std::vector<Cell> cells(cuts.size() + 1);
  std::size_t k = 0;
  for (const auto& [v, bad] : range) {
    while (k < cuts.size() && v > cuts[k]) ++k;
    cells[k] += Cell{bad ? 0u : 1u, bad ? 1u : 0u};
  }
  Merger merger(std::move(cells), std::move(cuts), outside, b.direction);
  merger.run(options);

  Totals t = outside;
  for (const Cell& c : merger.cells()) {
    if (c.count() > 0) t.nonempty += 1;
  }
  b.edges = merger.cuts();
  for (const Cell& c : merger.cells()) b.bins.push_back(stats_of(c, t));
  b.missing = stats_of(missing, t);
  for (std::size_t s = 0; s < specials.size(); ++s) {
    b.specials.push_back({options.special_values[s], stats_of(specials[s], t)});
  }
  for (std::size_t i = 0; i < b.bin_total(); ++i) b.iv += b.bin_at(i).iv;
  return b;
}

std::size_t Binning::bin_index(double value) const {
  if (std::isnan(value)) return missing_index();
  for (std::size_t s = 0; s < specials.size(); ++s) {
    if (specials[s].value == value) return missing_index() + 1 + s;
  }
  return static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), value) -
                                  edges.begin());
}

const BinStats& Binning::bin_at(std::size_t index) const {
  if (index < bins.size()) return bins[index];
  if (index == missing_index()) return missing;
  if (index - missing_index() - 1 < specials.size())
    return specials[index - missing_index() - 1].stats;
  throw InternalError(
      fmt::format("bin index {} is beyond the {} bins of a binning", index, bin_total()));
}

}  // namespace loanrisk::models
