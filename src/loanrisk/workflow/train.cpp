#include <xgboost/c_api.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

std::vector<float> labels_of(const Frame& frame, const std::string& target) {
  const auto& y = frame.column(target);
  return std::vector<float>(y.begin(), y.end());
}

nlohmann::json library_versions() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return {{"xgboost",
           std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch)},
          {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
          {"compiler", std::string("g++ ") + __VERSION__}};
}

}  // namespace

TrainOutcome train_model(const TrainRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  TrainConfig config = req.config;
  validate(config);
  const std::string target = config.schema.target() ? config.schema.target()->name : "";
  if (target.empty()) throw UsageError("the schema has no target column: training needs one");

  ReadResult read = read_with_rejects(req.data, config.schema, true, req.rejects);
  const Frame& all = read.frame;
  if (all.rows() == 0) {
    throw InputError(req.data.string() + ": no valid row to train on (all rows were rejected)");
  }
  const SplitIndices split = stratified_split(all.column(target), config.split);
  Frame train = all.take(split.train);
  const Frame validation = all.take(split.validation);
  const Frame test = all.take(split.test);

  // Fitted on the training split only: validation and test stay unseen by every step.
  FeaturePipeline pipeline = FeaturePipeline::fit(train, config.features);
  const auto keep = pipeline.rows_to_keep(train);
  const std::size_t dropped = train.rows() - keep.size();
  if (dropped > 0) train = train.take(keep);

  const DenseMatrix X_train = pipeline.transform(train);
  const DenseMatrix X_val = pipeline.transform(validation);
  const DenseMatrix X_test = pipeline.transform(test);
  const auto y_train = labels_of(train, target);
  const auto y_val = labels_of(validation, target);

  auto model = make_classifier(config.family, config.params);
  model->fit(X_train, y_train, X_val.rows ? &X_val : nullptr, X_val.rows ? &y_val : nullptr,
             nullptr);

  TrainOutcome out;
  out.rows_read = read.rows_read;
  out.rows_rejected = read.rejects.size();
  out.rows_train = train.rows();
  out.rows_validation = validation.rows();
  out.rows_test = test.rows();
  out.rows_dropped = dropped;
  nlohmann::json metrics = nlohmann::json::object();
  if (X_val.rows) {
    out.validation = evaluate_classification(validation.column(target), model->predict_proba(X_val),
                                             config.threshold);
    metrics["validation"] = out.validation.to_json();
  }
  if (X_test.rows) {
    out.test = evaluate_classification(test.column(target), model->predict_proba(X_test),
                                       config.threshold);
    metrics["test"] = out.test.to_json();
  }

  Bundle& b = out.bundle;
  b.schema = config.schema;
  b.pipeline = std::move(pipeline);
  b.family = config.family;
  b.params = config.params;
  b.threshold = config.threshold;
  b.model = std::move(model);
  b.metrics = metrics;
  b.created_at = utc_now_iso8601();
  b.lineage = {{"data_path", std::filesystem::absolute(req.data).string()},
               {"data_sha256", sha256_file(req.data)},
               {"rows",
                {{"read", out.rows_read},
                 {"rejected", out.rows_rejected},
                 {"train", out.rows_train},
                 {"validation", out.rows_validation},
                 {"test", out.rows_test},
                 {"dropped_as_outliers", out.rows_dropped}}},
               {"seed", config.split.seed},
               {"config", config.to_json()},
               {"git_commit", git_commit()},
               {"loanrisk_version", version()},
               {"libraries", library_versions()},
               {"created_at", b.created_at}};
  b.save(req.out, req.overwrite);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace loanrisk
