#pragma once
// Quantiles and quantile bins shared by the summaries, the WOE bins and the drift reference, so
// that every part of the report cuts a column the same way.
#include <cstddef>
#include <vector>

#include "loanrisk/core/quantile.hpp"

namespace loanrisk::eda {

/// Edges of `bins` equal-frequency bins of sorted values: the quantiles k / bins for k = 0..bins
/// with repeated edges dropped (pandas qcut with duplicates="drop"); a constant column gives one
/// edge. Empty when there are no values.
std::vector<double> quantile_edges(const std::vector<double>& sorted, std::size_t bins);

/// Bin of v for edges e (at least 2): bin k holds e[k] < v <= e[k + 1]; bin 0 also holds everything
/// <= e[1] and the last bin everything > its lower edge, so values outside the edges still land in
/// the outer bins (as monitoring needs for new data). Returns 0 when edges has fewer than 2 values.
std::size_t bin_index(const std::vector<double>& edges, double v);

/// Number of bins the edges define (0 for none, 1 for a single edge: a constant column).
std::size_t bin_count(const std::vector<double>& edges);

}  // namespace loanrisk::eda
