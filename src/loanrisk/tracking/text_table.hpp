#pragma once
// Plain-text tables for people (the CLI's `runs` and `models` commands); `--json` is for machines.
#include <string>
#include <vector>

namespace loanrisk {

/// Renders rows under a header, each column padded to its widest cell, two spaces apart.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

/// Formats a metric value for a table: up to 6 significant digits, "nan" for NaN.
std::string format_metric(double value);

/// Formats epoch milliseconds as ISO 8601 UTC (second precision); "-" for 0.
std::string format_time_ms(long long ms);

}  // namespace loanrisk
