#include "loanrisk/data/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "loanrisk/core/error.hpp"
#include "support/test_support.hpp"

namespace loanrisk {
namespace {

// 1000 rows, every 5th a default (200 defaults).
std::vector<double> labels() {
  std::vector<double> y(1000, 0.0);
  for (std::size_t i = 0; i < y.size(); i += 5) y[i] = 1.0;
  return y;
}

double positives(const std::vector<double>& y, const std::vector<std::size_t>& idx) {
  double s = 0;
  for (auto i : idx) s += y[i];
  return s;
}

TEST(Split, SizesAndStratification) {
  const auto y = labels();
  const auto s = stratified_split(y, SplitSpec{});
  // Per class: 800 -> 480/160/160, 200 -> 120/40/40.
  EXPECT_EQ(s.train.size(), 600u);
  EXPECT_EQ(s.validation.size(), 200u);
  EXPECT_EQ(s.test.size(), 200u);
  EXPECT_EQ(positives(y, s.train), 120.0);
  EXPECT_EQ(positives(y, s.validation), 40.0);
  EXPECT_EQ(positives(y, s.test), 40.0);
}

TEST(Split, UnevenClassesStayWithinOneRowOfTheRate) {
  std::vector<double> y(1013, 0.0);
  for (std::size_t i = 0; i < 187; ++i) y[i * 5] = 1.0;
  const SplitSpec spec{0.7, 0.15, 0.15, 3};
  const auto s = stratified_split(y, spec);
  const double rate = 187.0 / 1013.0;
  for (const auto* part : {&s.train, &s.validation, &s.test}) {
    EXPECT_LE(std::fabs(positives(y, *part) - rate * part->size()), 1.0);
  }
  EXPECT_EQ(s.train.size() + s.validation.size() + s.test.size(), 1013u);
}

TEST(Split, SortedDisjointAndCoversEverything) {
  const auto y = labels();
  const auto s = stratified_split(y, SplitSpec{0.5, 0.3, 0.2, 9});
  std::vector<std::size_t> all;
  for (const auto* part : {&s.train, &s.validation, &s.test}) {
    EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
    all.insert(all.end(), part->begin(), part->end());
  }
  std::sort(all.begin(), all.end());
  std::vector<std::size_t> expected(y.size());
  std::iota(expected.begin(), expected.end(), 0u);
  EXPECT_EQ(all, expected);  // no overlap (no duplicates) and nothing missing
}

TEST(Split, DeterministicPerSeed) {
  const auto y = labels();
  const auto a = stratified_split(y, SplitSpec{0.6, 0.2, 0.2, 42});
  const auto b = stratified_split(y, SplitSpec{0.6, 0.2, 0.2, 42});
  const auto c = stratified_split(y, SplitSpec{0.6, 0.2, 0.2, 43});
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.train, c.train);
  EXPECT_NE(a.test, c.test);
}

TEST(Split, NoValidationWhenItsFractionIsZero) {
  const auto s = stratified_split(labels(), SplitSpec{0.8, 0.0, 0.2, 1});
  EXPECT_EQ(s.train.size(), 800u);
  EXPECT_TRUE(s.validation.empty());
  EXPECT_EQ(s.test.size(), 200u);
}

TEST(Split, BadFractionsAreUsageErrors) {
  const auto y = labels();
  EXPECT_THROW_MSG(stratified_split(y, SplitSpec{0.7, 0.2, 0.2, 1}), UsageError,
                   "(got train 0.7, validation 0.2, test 0.2, sum 1.1)");
  EXPECT_THROW_MSG(stratified_split(y, SplitSpec{1.2, -0.1, -0.1, 1}), UsageError,
                   "(got train 1.2, validation -0.1, test -0.1, sum 1)");
  EXPECT_THROW_MSG(stratified_split(y, SplitSpec{0.0, 0.5, 0.5, 1}), UsageError,
                   "split fractions must each be between 0 and 1, with train > 0, and sum to 1");
}

TEST(Split, LabelsMustBeZeroOrOne) {
  EXPECT_THROW_MSG(stratified_split({0, 1, 2}, SplitSpec{}), InputError,
                   "target value 2 at row 3 is not 0 or 1");
  EXPECT_THROW_MSG(stratified_split({0, std::nan(""), 1}, SplitSpec{}), InputError,
                   "target value nan at row 2 is not 0 or 1");
}

TEST(Split, ClassTooSmallForASplitIsInputError) {
  std::vector<double> y(50, 0.0);
  y[0] = 1.0;  // one default: train takes it, validation and test get none
  EXPECT_THROW_MSG(stratified_split(y, SplitSpec{}), InputError,
                   "the validation split would get no row of class 1 (the data has 1 such rows)");
}

// 1000 rows of 400 customers: customer c has 1 + c % 4 rows (c = 0..399 gives 1000 rows), and
// a customer defaults on their last row when c % 5 == 0.
std::pair<std::vector<double>, std::vector<std::string>> customers() {
  std::vector<double> y;
  std::vector<std::string> ids;
  for (int c = 0; c < 400; ++c) {
    const int n = 1 + c % 4;
    for (int k = 0; k < n; ++k) {
      ids.push_back("c" + std::to_string(c));
      y.push_back(c % 5 == 0 && k == n - 1 ? 1.0 : 0.0);
    }
  }
  return {y, ids};
}

TEST(GroupSplit, KeepsEveryCustomerInOneSplitAndStratifiesByCustomer) {
  const auto [y, ids] = customers();
  ASSERT_EQ(y.size(), 1000u);
  const auto s = stratified_group_split(y, ids, SplitSpec{});
  std::map<std::string, int> split_of;
  const std::vector<std::size_t>* parts[] = {&s.train, &s.validation, &s.test};
  std::size_t rows = 0;
  for (int p = 0; p < 3; ++p) {
    rows += parts[p]->size();
    EXPECT_TRUE(std::is_sorted(parts[p]->begin(), parts[p]->end()));
    for (std::size_t i : *parts[p]) {
      const auto [it, added] = split_of.try_emplace(ids[i], p);
      EXPECT_EQ(it->second, p) << ids[i] << " is in two splits";
    }
  }
  EXPECT_EQ(rows, 1000u);
  // 80 defaulting customers -> 48/16/16, 320 others -> 192/64/64.
  const auto customers_with_default = [&](const std::vector<std::size_t>& idx) {
    return positives(y, idx);  // one default row per defaulting customer
  };
  EXPECT_EQ(customers_with_default(s.train), 48.0);
  EXPECT_EQ(customers_with_default(s.validation), 16.0);
  EXPECT_EQ(customers_with_default(s.test), 16.0);
}

TEST(GroupSplit, UniqueIdsSplitExactlyAsRows) {
  const auto y = labels();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < y.size(); ++i) ids.push_back(std::to_string(i));
  const auto by_row = stratified_split(y, SplitSpec{});
  const auto by_id = stratified_group_split(y, ids, SplitSpec{});
  EXPECT_EQ(by_id.train, by_row.train);
  EXPECT_EQ(by_id.validation, by_row.validation);
  EXPECT_EQ(by_id.test, by_row.test);
  EXPECT_EQ(stratified_group_split(y, {}, SplitSpec{}).test, by_row.test);
}

TEST(GroupKFold, KeepsEveryCustomerInOneFold) {
  const auto [y, ids] = customers();
  const auto folds = stratified_group_kfold(y, ids, 3, 42);
  ASSERT_EQ(folds.size(), 3u);
  std::map<std::string, std::size_t> fold_of;
  std::size_t rows = 0;
  for (std::size_t f = 0; f < folds.size(); ++f) {
    rows += folds[f].size();
    for (std::size_t i : folds[f]) {
      const auto [it, added] = fold_of.try_emplace(ids[i], f);
      EXPECT_EQ(it->second, f) << ids[i];
    }
    // 80 defaulting customers dealt round-robin: 27, 27, 26.
    EXPECT_NEAR(positives(y, folds[f]), 80.0 / 3, 1.0);
  }
  EXPECT_EQ(rows, 1000u);
}

}  // namespace
}  // namespace loanrisk
