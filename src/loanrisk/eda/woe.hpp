#pragma once
// Weight of evidence and information value of one feature over quantile bins: the credit-risk
// practitioner's measure of how much a feature separates defaulters from the others.
#include <cstddef>
#include <string_view>
#include <vector>

namespace loanrisk::eda {

/// One bin: values in (lower, upper] (the first bin also holds its lower edge).
struct WoeBin {
  double lower = 0, upper = 0;
  std::size_t count = 0;
  std::size_t goods = 0;  ///< target 0: repaid.
  std::size_t bads = 0;   ///< target 1: defaulted.
  double share_good = 0;  ///< goods / all goods.
  double share_bad = 0;   ///< bads / all bads.
  double woe = 0;         ///< ln(share_good / share_bad).
  double iv = 0;          ///< (share_good - share_bad) * woe.
};

/// The bins of a feature and its information value (the sum of the bins' iv).
struct WoeResult {
  std::vector<WoeBin> bins;
  double iv = 0;
};

/// WOE/IV over `bins` quantile bins (repeated edges dropped); a bin with no good or no bad is
/// merged into its right neighbour (the last one into its left) until none is left, so every WOE is
/// finite. Rows with a missing value are skipped; `sorted` holds the finite values ascending.
/// InputError when the target lacks either class.
WoeResult woe_iv(const std::vector<double>& values, const std::vector<double>& sorted,
                 const std::vector<double>& target, std::size_t bins);

/// The usual reading of an IV: "useless" < 0.02 <= "weak" < 0.1 <= "medium" < 0.3 <= "strong".
std::string_view iv_band(double iv);

}  // namespace loanrisk::eda
