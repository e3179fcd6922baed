#include "loanrisk/bundle/bundle.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"

namespace loanrisk {
namespace fs = std::filesystem;

namespace {
constexpr const char* kManifest = "manifest.json";
constexpr const char* kPipeline = "pipeline.json";
constexpr const char* kMetrics = "metrics.json";
constexpr const char* kLineage = "lineage.json";
constexpr const char* kCard = "card.md";
constexpr const char* kReference = "reference.json";
constexpr const char* kModelDir = "model";

// Reads a required field of a bundle file with a message that names both.
const nlohmann::json& field(const nlohmann::json& j, const char* key, const fs::path& file) {
  if (!j.is_object() || !j.contains(key)) {
    throw InputError("bundle file '" + file.string() + "' has no field '" + key +
                     "': the bundle is incomplete or from another tool; retrain it");
  }
  return j.at(key);
}
}  // namespace

std::string utc_now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<double> Bundle::predict_raw(const Frame& frame) const {
  if (!model) throw InternalError("bundle has no model loaded");
  return model->predict_proba(pipeline.transform(frame));
}

std::vector<double> Bundle::predict(const Frame& frame) const {
  return predict_transformed(pipeline.transform(frame));
}

std::vector<double> Bundle::predict_transformed(const DenseMatrix& X,
                                                std::vector<double>* contributions) const {
  if (!model) throw InternalError("bundle has no model loaded");
  std::vector<double> pd =
      contributions ? model->predict_proba_explained(X, *contributions) : model->predict_proba(X);
  for (double& p : pd) p = calibrator.apply(p);  // in place: one vector per request, not two
  return pd;
}

void Bundle::save(const fs::path& dir, bool overwrite) const {
  if (!model) throw InternalError("cannot save a bundle without a model");
  std::error_code ec;
  if (fs::exists(dir, ec) && !overwrite) {
    throw UsageError("output folder '" + dir.string() +
                     "' already exists: choose another --out or pass --force to replace it");
  }
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  const fs::path tmp =
      parent / ("." + dir.filename().string() + ".tmp-" + std::to_string(getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp / kModelDir);
  try {
    model->save(tmp / kModelDir);
    nlohmann::json params_json = params;
    write_json_file(tmp / kManifest, {{"format_version", kFormatVersion},
                                      {"family", family},
                                      {"params", params_json},
                                      {"threshold", threshold},
                                      {"threshold_rule", threshold_rule},
                                      {"imbalance", imbalance},
                                      {"calibrator", calibrator.to_json()},
                                      {"feature_names", pipeline.feature_names()},
                                      {"created_at", created_at},
                                      {"loanrisk_version", version()},
                                      {"model_info", model->describe()}});
    write_json_file(tmp / kPipeline,
                    {{"schema", schema.to_json()}, {"pipeline", pipeline.to_json()}});
    write_json_file(tmp / kMetrics, metrics);
    write_json_file(tmp / kLineage, lineage);
    if (!reference.is_null()) write_json_file(tmp / kReference, reference);
    write_file_atomic(tmp / kCard, model_card(*this));
    for (const auto& [relative, contents] : extra_files) {
      const fs::path target = tmp / relative;
      fs::create_directories(target.parent_path());
      write_file_atomic(target, contents);
    }
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  // Swap into place: the old bundle (if any) is removed only once the new one is complete.
  const fs::path old =
      parent / ("." + dir.filename().string() + ".old-" + std::to_string(getpid()));
  if (fs::exists(dir, ec)) fs::rename(dir, old);
  fs::rename(tmp, dir);
  fs::remove_all(old, ec);
}

Bundle Bundle::load(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError("model bundle '" + dir.string() +
                     "' is not a folder: give the --out folder of `loanrisk train`");
  }
  const fs::path manifest_path = dir / kManifest;
  if (!fs::exists(manifest_path, ec)) {
    throw InputError("'" + dir.string() + "' is not a loanrisk bundle (no " + kManifest +
                     "): give the --out folder of `loanrisk train`");
  }
  Bundle b;
  const auto manifest = read_json_file(manifest_path);
  try {
    const int format = field(manifest, "format_version", manifest_path).get<int>();
    if (format > kFormatVersion) {
      throw InputError("bundle '" + dir.string() + "' has format version " +
                       std::to_string(format) + " but this loanrisk reads up to " +
                       std::to_string(kFormatVersion) + ": upgrade loanrisk");
    }
    b.family = field(manifest, "family", manifest_path).get<std::string>();
    b.params = field(manifest, "params", manifest_path).get<ParamValues>();
    b.threshold = field(manifest, "threshold", manifest_path).get<double>();
    b.created_at = manifest.value("created_at", "");
    if (format >= 2) {
      b.threshold_rule = field(manifest, "threshold_rule", manifest_path).get<std::string>();
      b.imbalance = field(manifest, "imbalance", manifest_path).get<std::string>();
      try {
        b.calibrator = Calibrator::from_json(field(manifest, "calibrator", manifest_path));
      } catch (const InputError& e) {
        throw InputError("bundle file '" + manifest_path.string() + "': " + e.what() +
                         "; retrain it");
      }
    }
    const fs::path pipeline_path = dir / kPipeline;
    const auto pj = read_json_file(pipeline_path);
    b.schema = Schema::from_json(field(pj, "schema", pipeline_path));
    b.pipeline = FeaturePipeline::from_json(field(pj, "pipeline", pipeline_path));
    b.metrics = read_json_file(dir / kMetrics);
    b.lineage = read_json_file(dir / kLineage);
    if (fs::exists(dir / kReference, ec)) b.reference = read_json_file(dir / kReference);
  } catch (const nlohmann::json::exception& e) {
    throw InputError("bundle '" + dir.string() + "' has a field of the wrong type (" + e.what() +
                     "); retrain it");
  }
  b.model = load_classifier(b.family, b.params, dir / kModelDir);
  return b;
}

}  // namespace loanrisk
