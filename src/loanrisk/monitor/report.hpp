#pragma once
// `loanrisk monitor`'s report: drift of the score and of every input against the bundle's
// reference, and, when outcomes are known, discrimination and calibration by time window next to
// the training values. report.json for schedulers, report.html (inline SVG) for people.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/monitor/compare.hpp"

namespace loanrisk::monitor {

/// What to compare: scored rows with their inputs, and optionally times and outcomes.
struct MonitorData {
  Frame inputs;                       ///< raw input features (at least the reference's).
  std::vector<double> pd;             ///< calibrated PD of each row.
  std::vector<double> target;         ///< outcome of each row (NaN: not known), or empty.
  std::vector<std::int64_t> time_ms;  ///< when each row was scored (Unix ms), or empty.
  std::string source;                 ///< what was read, for the report.
  /// The challenger's PD of each row as the shadow logged it (NaN: not shadowed), or empty.
  std::vector<double> challenger_pd;
  nlohmann::json outcomes;  ///< how outcomes were joined to a log (OutcomeJoin), or null.
  nlohmann::json traffic;   ///< {"models": {...}, "challengers": {...}} lines per version, or null.
  /// A scorecard's characteristic analysis (Classifier::characteristic_stability), or null.
  nlohmann::json characteristics;
};

/// How rows are grouped into performance windows.
struct WindowOptions {
  std::string period;    ///< month | week | day (needs times); empty: by rows.
  std::size_t rows = 0;  ///< rows per window when period is empty; 0: one window.
};

/// The whole report.
struct MonitorReport {
  std::vector<FeatureDrift> features;
  FeatureDrift score;
  Status status = Status::Insufficient;  ///< the worst of the features and the score.
  nlohmann::json json;                   ///< report.json.
};

/// Builds the report; `model` ({"name", "version", "source"}) and `training` (the bundle's
/// metrics.json) are copied into it. UsageError for an unknown period or a period without times.
MonitorReport monitor_report(const ModelReference& reference, const MonitorData& data,
                             const WindowOptions& windows, const nlohmann::json& model,
                             const nlohmann::json& training);

/// The label of the window holding a time: "2026-11" (month), "2026-W48" (ISO week), "2026-11-28".
std::string window_label(std::int64_t time_ms, const std::string& period);

/// report.html from report.json.
std::string monitor_report_html(const nlohmann::json& report);

/// Writes DIR/report.json and DIR/report.html atomically, creating DIR when needed.
void write_monitor_report(const std::filesystem::path& dir, const nlohmann::json& report);

}  // namespace loanrisk::monitor
