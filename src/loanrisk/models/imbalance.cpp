#include "loanrisk/models/imbalance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <queue>
#include <utility>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"

namespace loanrisk {
namespace {

constexpr std::size_t kNeighbours = 5;

// Indices of the k nearest other rows among `members` (brute force; distances on scaled inputs).
std::vector<std::size_t> nearest(const DenseMatrix& X, const std::vector<double>& scale,
                                 const std::vector<std::size_t>& members, std::size_t self,
                                 std::size_t k) {
  std::priority_queue<std::pair<double, std::size_t>> heap;  // largest distance on top
  for (std::size_t other : members) {
    if (other == self) continue;
    double d = 0;
    for (std::size_t c = 0; c < X.cols; ++c) {
      const double diff = (X.at(self, c) - X.at(other, c)) / scale[c];
      d += diff * diff;
    }
    if (heap.size() < k) {
      heap.emplace(d, other);
    } else if (d < heap.top().first) {
      heap.pop();
      heap.emplace(d, other);
    }
  }
  std::vector<std::size_t> out;
  while (!heap.empty()) {
    out.push_back(heap.top().second);
    heap.pop();
  }
  return out;
}

RebalancedData smote(const DenseMatrix& X, const std::vector<float>& y, std::uint64_t seed) {
  for (float v : X.values) {
    if (std::isnan(v)) {
      throw InputError("smote cannot use missing values; use --imbalance class_weight instead");
    }
  }
  const std::size_t positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1.0f));
  const float minority_label = positives * 2 <= y.size() ? 1.0f : 0.0f;
  std::vector<std::size_t> minority, majority;
  for (std::size_t i = 0; i < y.size(); ++i)
    (y[i] == minority_label ? minority : majority).push_back(i);
  if (minority.size() < 2) {
    throw InputError(
        fmt::format("smote needs at least 2 rows of the minority class, the training split has {}",
                    minority.size()));
  }
  if (minority.size() > kSmoteMaxMinority) {
    throw InputError(fmt::format(
        "smote is limited to {} minority rows (exact neighbour search), the training split has "
        "{}; use --imbalance class_weight",
        kSmoteMaxMinority, minority.size()));
  }
  std::vector<double> mean(X.cols, 0), scale(X.cols, 0);
  for (std::size_t r = 0; r < X.rows; ++r) {
    for (std::size_t c = 0; c < X.cols; ++c) mean[c] += X.at(r, c);
  }
  for (double& m : mean) m /= static_cast<double>(X.rows);
  for (std::size_t r = 0; r < X.rows; ++r) {
    for (std::size_t c = 0; c < X.cols; ++c) scale[c] += std::pow(X.at(r, c) - mean[c], 2);
  }
  for (double& s : scale) {
    s = std::sqrt(s / static_cast<double>(X.rows));
    if (!(s > 0)) s = 1;
  }

  Rng rng(seed);
  const std::size_t target = std::max(minority.size(), majority.size() / 2);
  const std::size_t k = std::min(kNeighbours, minority.size() - 1);
  std::vector<std::vector<std::size_t>> neighbours(minority.size());
  RebalancedData out;
  out.X.cols = X.cols;
  out.X.names = X.names;
  const auto add_row = [&](const float* row, float label) {
    out.X.values.insert(out.X.values.end(), row, row + X.cols);
    out.y.push_back(label);
    ++out.X.rows;
  };
  std::vector<float> synthetic(X.cols);
  std::vector<std::size_t> new_minority;
  for (std::size_t made = 0; made + minority.size() < target; ++made) {
    const std::size_t which = made % minority.size();  // each minority row in turn, as SMOTE
    if (neighbours[which].empty())
      neighbours[which] = nearest(X, scale, minority, minority[which], k);
    const std::size_t base = minority[which];
    const std::size_t other = neighbours[which][rng.below(neighbours[which].size())];
    const double gap = rng.uniform();
    for (std::size_t c = 0; c < X.cols; ++c) {
      synthetic[c] = static_cast<float>(X.at(base, c) + gap * (X.at(other, c) - X.at(base, c)));
    }
    add_row(synthetic.data(), minority_label);
  }
  const std::size_t minority_total = minority.size() + out.X.rows;
  for (std::size_t i : minority) add_row(X.row(i), minority_label);
  // Undersample the majority without replacement (partial Fisher-Yates) to the minority's size.
  const std::size_t keep = std::min(majority.size(), minority_total);
  for (std::size_t i = 0; i < keep; ++i) {
    std::swap(majority[i], majority[i + rng.below(majority.size() - i)]);
  }
  majority.resize(keep);
  std::sort(majority.begin(), majority.end());
  for (std::size_t i : majority) add_row(X.row(i), 1.0f - minority_label);
  return out;
}

}  // namespace

std::string check_imbalance(const std::string& name) {
  if (name == "none" || name == "class_weight" || name == "smote") return name;
  throw UsageError(fmt::format(
      "unknown imbalance treatment '{}'; valid treatments: none, class_weight, smote", name));
}

RebalancedData rebalance(const std::string& method, const DenseMatrix& X,
                         const std::vector<float>& y, std::uint64_t seed) {
  check_imbalance(method);
  if (y.size() != X.rows) {
    throw InputError(fmt::format("training set has {} labels for {} rows", y.size(), X.rows));
  }
  const auto positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1.0f));
  if (method != "none" && (positives == 0 || positives == y.size())) {
    throw InputError(fmt::format(
        "imbalance treatment '{}' needs both classes; the training split has {} rows and {} "
        "defaults",
        method, y.size(), positives));
  }
  if (method == "smote") return smote(X, y, seed);
  RebalancedData out{X, y, {}};
  if (method == "class_weight") {
    const float w = static_cast<float>(static_cast<double>(y.size() - positives) /
                                       static_cast<double>(positives));
    out.weights.resize(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) out.weights[i] = y[i] == 1.0f ? w : 1.0f;
  }
  return out;
}

}  // namespace loanrisk
