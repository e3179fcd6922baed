#pragma once
// Customer ids that appear on more than one row, and what to do about them. One customer on
// several rows is either a data error (reject), a history of which the latest row counts
// (keep-last), or several loans of one customer (group: kept, and never split across train,
// validation and test, so no customer is scored by a model that trained on them).
#include <cstddef>
#include <string>
#include <vector>

#include "loanrisk/data/frame.hpp"

namespace loanrisk {

/// Customer ids found on more than one row.
struct DuplicateIds {
  std::size_t ids = 0;                ///< ids on more than one row.
  std::size_t rows = 0;               ///< rows beyond the first of each such id.
  std::vector<std::string> examples;  ///< the first few, "id 42 on lines 3, 9".

  /// "2 customer ids are on more than one row (3 extra rows): id 42 on lines 3, 9; ..." or "".
  std::string summary() const;
};

/// The duplicated ids of a frame, in order of first appearance (none without an id column).
DuplicateIds find_duplicate_ids(const Frame& frame, std::size_t max_examples = 5);

/// What a command does with duplicated customer ids.
enum class DuplicatePolicy { kReject, kKeepLast, kGroup };

/// Parses "reject", "keep-last" or "group"; UsageError naming `where` and the valid values.
DuplicatePolicy parse_duplicate_policy(const std::string& text, const std::string& where);
/// The text parse_duplicate_policy() reads back.
std::string to_string(DuplicatePolicy policy);

/// Applies the policy: kReject throws InputError with the summary and the fix when an id repeats;
/// kKeepLast keeps the last row of each id (in file order); kGroup keeps every row.
Frame apply_duplicate_policy(const Frame& frame, DuplicatePolicy policy,
                             const DuplicateIds& duplicates, const std::string& source);

}  // namespace loanrisk
