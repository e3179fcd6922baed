#pragma once
// Stratified, seeded train/validation/test split: each class is shuffled and cut separately so that
// every split keeps the default rate of the whole file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loanrisk {

/// Fractions of the rows in each split (they must sum to 1) and the seed.
struct SplitSpec {
  double train = 0.6;
  double validation = 0.2;
  double test = 0.2;
  std::uint64_t seed = 42;
  /// Share of the validation split held out from early stopping to fit the calibrator and choose
  /// the threshold (0: both use the early-stopping rows). Not used by stratified_split itself.
  double calibration = 0.5;
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

/// The same split by group (customer id): every row of a group goes to one split. A group is
/// stratified as a default when any of its rows is one, and the fractions apply to groups. When
/// every group has one row (or groups is empty) this is stratified_split(target, spec), row for
/// row.
SplitIndices stratified_group_split(const std::vector<double>& target,
                                    const std::vector<std::string>& groups, const SplitSpec& spec);

/// Stratified k-fold by group: each class of groups (a group is a default when any of its rows
/// is) shuffled with the seed and dealt round-robin to the k folds; every row of a group lands in
/// its group's fold. Row indices per fold, ascending. With unique groups (or none), rows are the
/// groups.
std::vector<std::vector<std::size_t>> stratified_group_kfold(const std::vector<double>& target,
                                                             const std::vector<std::string>& groups,
                                                             int k, std::uint64_t seed);

}  // namespace loanrisk
