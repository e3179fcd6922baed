#include <xgboost/c_api.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/data/split.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/models/imbalance.hpp"
#include "loanrisk/monitor/reference.hpp"
#include "loanrisk/workflow/report.hpp"
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
  // The drift reference describes the applicants as they arrive, so it is taken before outliers
  // are dropped.
  const Frame train_as_read = train;
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

  check_imbalance(config.imbalance);
  Calibrator::check_method(config.calibration);
  const ThresholdRule rule = config.threshold_rule == "config"
                                 ? ThresholdRule{ThresholdRule::Kind::Fixed, 1, 1, config.threshold}
                                 : ThresholdRule::parse(config.threshold_rule);
  // Only the training split is rebalanced: validation and test keep the real class mix.
  const RebalancedData balanced = rebalance(config.imbalance, X_train, y_train, config.split.seed);
  auto model = make_classifier(config.family, config.params);
  model->fit(balanced.X, balanced.y, X_val.rows ? &X_val : nullptr, X_val.rows ? &y_val : nullptr,
             balanced.weights.empty() ? nullptr : &balanced.weights);

  TrainOutcome out;
  out.rows_read = read.rows_read;
  out.rows_rejected = read.rejects.size();
  out.rows_train = train.rows();
  out.rows_validation = validation.rows();
  out.rows_test = test.rows();
  out.rows_dropped = dropped;
  Bundle& b = out.bundle;
  b.imbalance = config.imbalance;
  b.threshold = config.threshold;
  b.threshold_rule = rule.to_string();
  nlohmann::json metrics = nlohmann::json::object();
  if (X_val.rows) {
    const std::vector<double>& yv = validation.column(target);
    const std::vector<double> raw_val = model->predict_proba(X_val);
    b.calibrator = Calibrator::fit(config.calibration, raw_val, yv);
    const std::vector<double> pd_val = b.calibrator.apply(raw_val);
    b.threshold = choose_threshold(yv, pd_val, rule);
    out.validation = evaluate_classification(yv, pd_val, b.threshold);
    metrics["validation"] = out.validation.to_json();
  } else if (config.calibration != "none" && config.calibration != "auto") {
    throw UsageError("--calibration " + config.calibration +
                     " needs a validation split: set [split] validation > 0");
  }
  std::vector<double> raw_test;
  if (X_test.rows) {
    raw_test = model->predict_proba(X_test);
    out.test =
        evaluate_classification(test.column(target), b.calibrator.apply(raw_test), b.threshold);
    metrics["test"] = out.test.to_json();
  }

  b.reference = monitor::build_reference(
                    train_as_read, config.schema.feature_names(),
                    b.calibrator.apply(model->predict_proba(pipeline.transform(train_as_read))))
                    .to_json();
  b.schema = config.schema;
  b.pipeline = std::move(pipeline);
  b.family = config.family;
  b.params = config.params;
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
  if (req.write_report && X_test.rows) {
    out.report =
        bundle_report(b, test.column(target), raw_test,
                      "test split of " + req.data.filename().string(), req.bootstrap_resamples);
    for (const auto& [name, text] : report_files(out.report)) {
      b.extra_files["report/" + name] = text;
    }
  }
  b.save(req.out, req.overwrite);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace loanrisk
