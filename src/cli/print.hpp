#pragma once
// Human-readable output shared by the commands.
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "loanrisk/data/duplicates.hpp"
#include "loanrisk/metrics/classification.hpp"

namespace loanrisk::cli {

/// Prints a table of metrics, one column per named report.
void print_metrics(std::ostream& os,
                   const std::vector<std::pair<std::string, const ClassificationReport*>>& reports);

/// Help text of --on-duplicate-id (train, tune, split).
inline constexpr const char* kOnDuplicateIdHelp =
    "Customer ids on several rows: reject (stop, exit 3), keep-last (the last row of each id), "
    "group (keep every row; a customer's rows stay in one split) (default: [data] "
    "on_duplicate_id, else group)";

/// One line on duplicated customer ids and what the policy did with them (nothing without any).
void report_duplicates(std::ostream& os, const DuplicateIds& duplicates, const std::string& policy,
                       std::size_t rows_dropped);

}  // namespace loanrisk::cli
