#pragma once
// A validation report as `loanrisk validate --out DIR` writes it, reduced to the fields the
// registry reads, for the bundle of a given version.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"

namespace loanrisk::testing {

/// Writes DIR/report.json (and report.html) for the bundle folder; returns DIR.
inline std::filesystem::path write_report(const std::filesystem::path& dir,
                                          const std::filesystem::path& bundle,
                                          const std::string& status,
                                          const std::vector<std::string>& red = {},
                                          const std::string& book = "book.csv") {
  std::filesystem::create_directories(dir);
  const nlohmann::json report = {
      {"status", status},
      {"red", red},
      {"model", {{"source", bundle.string()}, {"bundle_sha256", sha256_tree(bundle)}}},
      {"data", {{"source", book}, {"rows", 1000}}},
      {"tests", nlohmann::json::array()}};
  write_file_atomic(dir / "report.json", report.dump(2));
  write_file_atomic(dir / "report.html", "<!DOCTYPE html><p>" + status + "</p>");
  return dir;
}

}  // namespace loanrisk::testing
