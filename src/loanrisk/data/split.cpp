#include "loanrisk/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
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

}  // namespace loanrisk
