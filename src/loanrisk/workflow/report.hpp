#pragma once
// Private to the workflow layer: the evaluation report of a bundle on a labelled set, shared by
// `train` (into BUNDLE/report/) and `evaluate --out`.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/bundle.hpp"

namespace loanrisk {

/// report.json of a bundle's raw PDs on labelled rows (calibrated and thresholded as the bundle
/// does).
nlohmann::json bundle_report(const Bundle& bundle, const std::vector<double>& y,
                             const std::vector<double>& raw_pd, const std::string& title,
                             std::size_t resamples);

/// report.json and report.html by file name.
std::map<std::string, std::string> report_files(const nlohmann::json& report);

}  // namespace loanrisk
