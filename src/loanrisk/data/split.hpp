#pragma once
// Stratified, seeded train/validation/test split: each class is shuffled and cut separately so that
// every split keeps the default rate of the whole file.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace loanrisk {

/// Fractions of the rows in each split (they must sum to 1) and the seed.
struct SplitSpec {
  double train = 0.6;
  double validation = 0.2;
  double test = 0.2;
  std::uint64_t seed = 42;
};

/// Row indices of each split, each sorted ascending.
struct SplitIndices {
  std::vector<std::size_t> train;
  std::vector<std::size_t> validation;
  std::vector<std::size_t> test;
};

/// Splits rows by their 0/1 target. UsageError when fractions are negative or do not sum to 1.
/// InputError when a split would get no row of a class that exists in the data.
SplitIndices stratified_split(const std::vector<double>& target, const SplitSpec& spec);

}  // namespace loanrisk
