#include "loanrisk/monitor/reference.hpp"
#include "loanrisk/core/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/eda/quantiles.hpp"
#include "loanrisk/monitor/drift.hpp"

namespace loanrisk::monitor {
namespace {

constexpr int kFormatVersion = 1;

/// A row count: a JSON integer >= 0. nlohmann's get<std::size_t>() also converts a float, unchecked
/// (2e30 is undefined behaviour, found by fuzzing).
std::size_t row_count(const nlohmann::json& v, const std::string& what) {
  if (!v.is_number_unsigned()) {
    throw InputError(what + " must be a whole number >= 0, got " + echo_text(dump_json(v), 60) +
                     "; retrain to rebuild the reference");
  }
  return v.get<std::size_t>();
}

nlohmann::json feature_json(const FeatureReference& f) {
  nlohmann::json j = f.bins.to_json();
  j["quantiles"] = f.quantiles;
  j["mean"] = f.mean;
  j["std"] = f.std;
  j["missing_share"] = f.missing_share;
  return j;
}

FeatureReference feature_from_json(const nlohmann::json& j, const std::string& where) {
  FeatureReference f;
  try {
    f.bins.feature = j.at("feature").get<std::string>();
    f.bins.edges = j.at("edges").get<std::vector<double>>();
    f.bins.shares = j.at("shares").get<std::vector<double>>();
    f.bins.count = row_count(j.at("count"), where + " count");
    f.quantiles = j.at("quantiles").get<std::vector<double>>();
    f.mean = j.at("mean").get<double>();
    f.std = j.at("std").get<double>();
    f.missing_share = j.value("missing_share", 0.0);  // absent from references before it existed
  } catch (const nlohmann::json::exception& e) {
    throw InputError(where + " is malformed (" + e.what() + "); retrain to rebuild the reference");
  }
  if (f.bins.shares.size() != eda::bin_count(f.bins.edges) || f.quantiles.size() != kSketchPoints) {
    throw InputError(where + " (" + f.bins.feature +
                     ") has inconsistent edges, shares or quantiles; retrain to rebuild it");
  }
  return f;
}

}  // namespace

FeatureReference feature_reference(const std::string& name, const std::vector<double>& values,
                                   std::size_t bins) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  FeatureReference f;
  f.bins = eda::reference_distribution(name, values, sorted, bins);
  f.quantiles = sorted.empty() ? std::vector<double>(kSketchPoints, 0.0)
                               : quantile_grid(sorted, kSketchPoints);
  double sum = 0, sq = 0;
  for (double v : sorted) sum += v;
  f.mean = sorted.empty() ? 0 : sum / static_cast<double>(sorted.size());
  for (double v : sorted) sq += (v - f.mean) * (v - f.mean);
  f.std = sorted.empty() ? 0 : std::sqrt(sq / static_cast<double>(sorted.size()));
  f.missing_share = values.empty() ? 0
                                   : static_cast<double>(values.size() - sorted.size()) /
                                         static_cast<double>(values.size());
  return f;
}

ModelReference build_reference(const Frame& frame, const std::vector<std::string>& features,
                               const std::vector<double>& scores) {
  ModelReference r;
  r.rows = frame.rows();
  for (const auto& name : features)
    r.features.push_back(feature_reference(name, frame.column(name)));
  r.score = feature_reference("score", scores);
  return r;
}

nlohmann::json ModelReference::to_json() const {
  nlohmann::json fs = nlohmann::json::array();
  for (const auto& f : features) fs.push_back(feature_json(f));
  return {{"format_version", kFormatVersion},
          {"source", "training split: raw input features and the calibrated PD"},
          {"rows", rows},
          {"bins", kReferenceBins},
          {"binning",
           "quantile; bin k holds edges[k] < v <= edges[k+1]; the first bin also holds "
           "everything <= edges[1], the last everything above its lower edge"},
          {"quantiles", "percentiles 0, 1, ..., 100 (linear interpolation)"},
          {"features", fs},
          {"score", feature_json(score)}};
}

ModelReference ModelReference::from_json(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object() || !j.contains("features") || !j["features"].is_array() ||
      !j.contains("score")) {
    throw InputError(source + " has no 'features' array or 'score': retrain to rebuild it");
  }
  const auto version = j.find("format_version");
  if (version != j.end() && !version->is_number_integer()) {
    throw InputError(source +
                     " has a format_version that is not a whole number: retrain to "
                     "rebuild it");
  }
  if (version != j.end() && version->get<std::int64_t>() > kFormatVersion) {
    throw InputError(source + " has a newer format than this loanrisk reads: upgrade loanrisk");
  }
  ModelReference r;
  r.rows = j.contains("rows") ? row_count(j["rows"], source + " rows") : 0;
  for (std::size_t k = 0; k < j["features"].size(); ++k) {
    r.features.push_back(
        feature_from_json(j["features"][k], source + " features[" + std::to_string(k) + "]"));
  }
  r.score = feature_from_json(j["score"], source + " score");
  return r;
}

}  // namespace loanrisk::monitor
