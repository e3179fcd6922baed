#include "loanrisk/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/rng.hpp"
#include "loanrisk/data/csv_detail.hpp"

namespace loanrisk {
namespace {

using csv_detail::format_number;

// The sum to 12 significant digits, so 0.7 + 0.2 + 0.2 shows as 1.1, not 1.0999999999999999.
std::string sum_text(double sum) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", sum);
  return buf;
}

void check_fractions(const SplitSpec& spec) {
  const double sum = spec.train + spec.validation + spec.test;
  const auto in_unit = [](double f) { return f >= 0.0 && f <= 1.0; };  // false for NaN too
  if (!in_unit(spec.train) || !in_unit(spec.validation) || !in_unit(spec.test) ||
      !(spec.train > 0.0) || !(std::fabs(sum - 1.0) <= 1e-9)) {
    throw UsageError(
        "split fractions must each be between 0 and 1, with train > 0, and sum to 1 "
        "(got train " +
        format_number(spec.train) + ", validation " + format_number(spec.validation) + ", test " +
        format_number(spec.test) + ", sum " + sum_text(sum) +
        "). Fix: set the fractions, e.g. train 0.6, validation 0.2, test 0.2");
  }
}

// Shuffles in place with Fisher-Yates, drawing only from the portable Rng.
void shuffle(std::vector<std::size_t>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.below(i));
    std::swap(v[i - 1], v[j]);
  }
}

void check_not_empty(const char* split, double fraction, std::size_t got, int label,
                     std::size_t total) {
  if (fraction > 0.0 && got == 0 && total > 0) {
    throw InputError(std::string("the ") + split + " split would get no row of class " +
                     std::to_string(label) + " (the data has " + std::to_string(total) +
                     " such rows). Fix: use more data or a larger " + split + " fraction");
  }
}

}  // namespace

SplitIndices stratified_split(const std::vector<double>& target, const SplitSpec& spec) {
  check_fractions(spec);
  std::vector<std::size_t> by_class[2];
  for (std::size_t i = 0; i < target.size(); ++i) {
    const double y = target[i];
    if (y != 0.0 && y != 1.0) {
      throw InputError("target value " + format_number(y) + " at row " + std::to_string(i + 1) +
                       " is not 0 or 1. Fix: the target must be 1 for a default and 0 otherwise");
    }
    by_class[y == 1.0 ? 1 : 0].push_back(i);
  }
  Rng rng(spec.seed);
  SplitIndices out;
  for (int label = 0; label < 2; ++label) {
    auto& idx = by_class[label];
    shuffle(idx, rng);
    const std::size_t n = idx.size();
    const auto n_train = std::min(n, static_cast<std::size_t>(std::llround(n * spec.train)));
    const auto n_val =
        std::min(n - n_train, static_cast<std::size_t>(std::llround(n * spec.validation)));
    const std::size_t n_test = n - n_train - n_val;
    check_not_empty("train", spec.train, n_train, label, n);
    check_not_empty("validation", spec.validation, n_val, label, n);
    check_not_empty("test", spec.test, n_test, label, n);
    out.train.insert(out.train.end(), idx.begin(), idx.begin() + n_train);
    out.validation.insert(out.validation.end(), idx.begin() + n_train,
                          idx.begin() + n_train + n_val);
    out.test.insert(out.test.end(), idx.begin() + n_train + n_val, idx.end());
  }
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.validation.begin(), out.validation.end());
  std::sort(out.test.begin(), out.test.end());
  return out;
}

SplitIndices stratified_group_split(const std::vector<double>& target,
                                    const std::vector<std::string>& groups, const SplitSpec& spec) {
  if (groups.empty()) return stratified_split(target, spec);
  if (groups.size() != target.size()) {
    throw InternalError("group split: " + std::to_string(groups.size()) + " groups for " +
                        std::to_string(target.size()) + " rows");
  }
  std::unordered_map<std::string_view, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto [it, added] = group_of.try_emplace(groups[i], members.size());
    if (added) members.emplace_back();
    members[it->second].push_back(i);
  }
  if (members.size() == target.size()) return stratified_split(target, spec);
  std::vector<double> group_target(members.size(), 0.0);
  for (std::size_t g = 0; g < members.size(); ++g) {
    for (std::size_t i : members[g]) {
      if (target[i] != 0.0 && target[i] != 1.0) return stratified_split(target, spec);  // its error
      if (target[i] == 1.0) group_target[g] = 1.0;
    }
  }
  const SplitIndices by_group = stratified_split(group_target, spec);
  const auto expand = [&](const std::vector<std::size_t>& gs) {
    std::vector<std::size_t> rows;
    for (std::size_t g : gs) rows.insert(rows.end(), members[g].begin(), members[g].end());
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  return {expand(by_group.train), expand(by_group.validation), expand(by_group.test)};
}

std::vector<std::vector<std::size_t>> stratified_group_kfold(const std::vector<double>& target,
                                                             const std::vector<std::string>& groups,
                                                             int k, std::uint64_t seed) {
  // Groups as row lists; without duplicated ids every row is its own group, in row order.
  std::vector<std::vector<std::size_t>> members;
  std::unordered_map<std::string_view, std::size_t> group_of;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (groups.empty()) {
      members.push_back({i});
      continue;
    }
    const auto [it, added] = group_of.try_emplace(groups[i], members.size());
    if (added) members.emplace_back();
    members[it->second].push_back(i);
  }
  std::vector<std::vector<std::size_t>> folds(static_cast<std::size_t>(std::max(k, 1)));
  for (double cls : {0.0, 1.0}) {
    std::vector<std::size_t> idx;
    for (std::size_t g = 0; g < members.size(); ++g) {
      bool defaulted = false;
      for (std::size_t i : members[g]) defaulted = defaulted || target[i] == 1.0;
      if ((defaulted ? 1.0 : 0.0) == cls) idx.push_back(g);
    }
    Rng rng(seed + static_cast<std::uint64_t>(cls));
    shuffle(idx, rng);
    for (std::size_t i = 0; i < idx.size(); ++i) {
      auto& fold = folds[i % folds.size()];
      fold.insert(fold.end(), members[idx[i]].begin(), members[idx[i]].end());
    }
  }
  for (auto& f : folds) std::sort(f.begin(), f.end());
  return folds;
}

}  // namespace loanrisk
