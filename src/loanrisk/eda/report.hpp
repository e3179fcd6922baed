#pragma once
// The two files of `loanrisk eda`: report.json (every number, for machines and drift monitoring)
// and report.html (one self-contained page for people: inline SVG charts, no script, no network).
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/eda/analysis.hpp"

namespace loanrisk::eda {

/// The report as JSON; keys documented in docs/eda.md; NaN is written as null.
nlohmann::json report_json(const EdaReport& report);
/// The report as one HTML page with its charts inline.
std::string report_html(const EdaReport& report);
/// Writes DIR/report.json and DIR/report.html atomically, creating DIR when needed.
void write_report(const std::filesystem::path& dir, const EdaReport& report);

/// Text made safe inside HTML elements and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace loanrisk::eda
