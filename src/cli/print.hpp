#pragma once
// Human-readable output shared by the commands.
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "loanrisk/metrics/classification.hpp"

namespace loanrisk::cli {

/// Prints a table of metrics, one column per named report.
void print_metrics(std::ostream& os,
                   const std::vector<std::pair<std::string, const ClassificationReport*>>& reports);

}  // namespace loanrisk::cli
