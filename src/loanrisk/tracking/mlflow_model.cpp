#include "loanrisk/tracking/mlflow_model.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/tracking/yaml_scalar.hpp"

namespace loanrisk {
namespace {

namespace fs = std::filesystem;

// The bundle's column types in MLflow's ColSpec types (mlflow/types/schema.py DataType).
std::string mlflow_type(const std::string& loanrisk_type) {
  if (loanrisk_type == "text") return "string";
  if (loanrisk_type == "integer" || loanrisk_type == "binary") return "long";
  return "double";
}

// MLflow writes utc_time_created as str(datetime.utcnow()): "YYYY-MM-DD HH:MM:SS.ffffff".
std::string utc_time_text(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%06d", static_cast<int>(ms % 1000) * 1000);
  return text;
}

// The signature's inputs as MLflow's Schema.to_json() writes them: [{"type", "name",
// "required"}], the id optional (/invocations takes rows without it), the target left out.
std::string signature_inputs(const nlohmann::json& pipeline) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : pipeline.at("schema").at("columns")) {
    const std::string role = c.value("role", "feature");
    if (role == "target") continue;
    cols.push_back({{"type", mlflow_type(c.value("type", "real"))},
                    {"name", c.at("name").get<std::string>()},
                    {"required", role == "feature" && c.value("required", true)}});
  }
  return cols.dump();
}

}  // namespace

std::string mlflow_model_text(const fs::path& bundle_dir, const MlflowModelOrigin& origin) {
  nlohmann::json manifest, pipeline, lineage;
  try {
    manifest = read_json_file(bundle_dir / "manifest.json");
    pipeline = read_json_file(bundle_dir / "pipeline.json");
    if (fs::exists(bundle_dir / "lineage.json"))
      lineage = read_json_file(bundle_dir / "lineage.json");
  } catch (const std::exception& e) {
    throw InputError("cannot describe the bundle in " + bundle_dir.string() +
                     " for MLflow: " + e.what());
  }
  const std::string family = manifest.value("family", "");
  std::string out = "artifact_path: " + yaml_scalar(origin.artifact_path) + "\nflavors:\n";
  out += "  loanrisk:\n    bundle_format_version: " +
         std::to_string(manifest.value("format_version", 0)) + "\n    data: " + yaml_scalar(".") +
         "\n    family: " + yaml_scalar(family) + "\n    loader: " +
         yaml_scalar("loanrisk predict --model DIR / loanrisk serve --model DIR") +
         "\n    loanrisk_version: " + yaml_scalar(manifest.value("loanrisk_version", "")) + "\n";
  // Tree families keep an XGBoost booster: mlflow.xgboost.load_model can load it (a Booster over
  // the engineered features of pipeline.json, before calibration), so the flavour is declared.
  // There is no python_function flavour: pyfunc would score raw applicants without loanrisk's
  // feature pipeline and calibration, which would be wrong.
  if (fs::exists(bundle_dir / "model" / "xgboost.json")) {
    std::string xgb_version = "";
    if (lineage.contains("libraries") && lineage.at("libraries").contains("xgboost")) {
      xgb_version = lineage.at("libraries").at("xgboost").get<std::string>();
    }
    out += "  xgboost:\n    code: null\n    data: " + yaml_scalar("model/xgboost.json") +
           "\n    model_class: xgboost.core.Booster\n    model_format: json\n    xgb_version: " +
           yaml_scalar(xgb_version) + "\n";
  }
  out += "mlflow_version: " + yaml_scalar(kMlflowFormatVersion) + "\n";
  out += "model_uuid: " +
         yaml_scalar(sha256_hex(origin.run_id + "/" + origin.artifact_path).substr(0, 32)) + "\n";
  out += "run_id: " + yaml_scalar(origin.run_id) + "\n";
  out += "signature:\n  inputs: " + yaml_scalar(signature_inputs(pipeline)) +
         "\n  outputs: " + yaml_scalar(R"([{"type": "double", "required": true}])") +
         "\n  params: null\n";
  out += "utc_time_created: " + yaml_scalar(utc_time_text(origin.created_ms)) + "\n";
  return out;
}

bool write_mlflow_model(const fs::path& bundle_dir, const MlflowModelOrigin& origin) {
  // Only a bundle whose manifest names its family and whose pipeline.json is there can be
  // described; any other folder logged as `bundle` is exported as plain files.
  std::error_code ec;
  if (!fs::is_regular_file(bundle_dir / "manifest.json", ec) ||
      !fs::is_regular_file(bundle_dir / "pipeline.json", ec)) {
    return false;
  }
  try {
    if (!read_json_file(bundle_dir / "manifest.json").contains("family")) return false;
  } catch (const std::exception&) {
    return false;
  }
  write_file_atomic(bundle_dir / "MLmodel", mlflow_model_text(bundle_dir, origin));
  return true;
}

}  // namespace loanrisk
