#include <xgboost/c_api.h>

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/monitor/reference.hpp"
#include "loanrisk/training/prepare.hpp"
#include "loanrisk/workflow/report.hpp"
#include "loanrisk/workflow/train_stream.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {
namespace {

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

// Which rows each block of metrics.json was computed on, and what else those rows were used for.
nlohmann::json metric_rows(std::size_t validation, std::size_t calibration, std::size_t test) {
  nlohmann::json rows = nlohmann::json::object();
  if (validation > 0) {
    rows["validation"] = {
        {"rows", validation},
        {"used_for", calibration > 0
                         ? nlohmann::json{"early stopping"}
                         : nlohmann::json{"early stopping", "calibrator fit", "threshold choice"}},
        {"note", calibration > 0
                     ? "the validation split minus the calibration slice: unseen by the "
                       "calibrator and the threshold"
                     : "[split] calibration = 0: calibrator and threshold fitted on these rows, "
                       "so these metrics are optimistic"}};
  }
  if (calibration > 0) {
    rows["calibration"] = {{"rows", calibration},
                           {"used_for", {"calibrator fit", "threshold choice"}},
                           {"note",
                            "the calibration slice of the validation split, unseen by early "
                            "stopping; in-sample for the calibrator and the threshold"}};
  }
  if (test > 0) {
    rows["test"] = {{"rows", test},
                    {"used_for", nlohmann::json::array()},
                    {"note", "the test split: used by nothing before these metrics"}};
  }
  return rows;
}

/// Anchors the calibrated PDs to [calibration] target_rate on the training rows (the real ones:
/// SMOTE's synthetic rows are not part of the portfolio), when one is set.
void anchor(Calibrator& calibrator, const TrainConfig& config, const Classifier& model,
            const FeaturePipeline& pipeline, const Frame& train) {
  if (!config.target_rate) return;
  calibrator.anchor(*config.target_rate, model.predict_proba(pipeline.transform(train)));
}

// With --external-memory the metrics come from reservoir samples: each block says of how many rows.
void note_samples(nlohmann::json& rows, const FittedModel& fitted) {
  const std::pair<const char*, std::size_t> whole[] = {{"validation", fitted.rows_validation},
                                                       {"calibration", fitted.rows_calibration},
                                                       {"test", fitted.rows_test}};
  for (const auto& [name, split_rows] : whole) {
    if (!rows.contains(name)) continue;
    nlohmann::json& block = rows[name];
    block["split_rows"] = split_rows;
    block["note"] = fmt::format(
        "a {}-row reservoir sample (seeded) of the {} rows of the {} split, assigned by a hash of "
        "customer_id; {}",
        block["rows"].get<std::size_t>(), split_rows, name, block["note"].get<std::string>());
  }
}

// The book in memory: read whole, split stratified by customer, pipeline fitted on every
// training row.
FittedModel fit_in_memory(const TrainRequest& req, const TrainConfig& config) {
  ReadResult read = read_with_rejects(req.data, config.schema, true, req.rejects);
  if (read.frame.rows() == 0) {
    throw InputError(req.data.string() + ": no valid row to train on (all rows were rejected)");
  }
  SplitData split = split_data(read.frame, config, req.data.string());
  // Fitted on the training split only: validation and test stay unseen by every step.
  PreparedData data = prepare_training_data(split.train, split.validation, config);
  FittedModel out;
  out.model = make_classifier(config.family, config.params);
  out.model->set_monotone(monotone_constraints(config));
  out.model->fit(data.fit.X, data.fit.y, data.val_matrix(), data.val_labels(), data.weights());
  out.pipeline = std::move(data.pipeline);
  out.rows_read = read.rows_read;
  out.rows_rejected = read.rejects.size();
  out.rows_train = split.train.rows();
  out.rows_validation = split.validation.rows();
  out.rows_calibration = split.calibration.rows();
  out.rows_test = split.test.rows();
  out.rows_dropped = data.rows_dropped;
  out.duplicates = std::move(split.duplicates);
  out.rows_dropped_as_duplicates = split.rows_dropped_as_duplicates;
  // The drift reference describes the applicants as they arrive, so it is taken before outliers
  // are dropped.
  out.train_as_read = std::move(split.train);
  out.train_kept = std::move(data.train);
  out.validation = std::move(split.validation);
  out.calibration = std::move(split.calibration);
  out.test = std::move(split.test);
  return out;
}

}  // namespace

TrainOutcome train_model(const TrainRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  TrainConfig config = req.config;
  validate(config);
  const std::string target = config.schema.target() ? config.schema.target()->name : "";
  if (target.empty()) throw UsageError("the schema has no target column: training needs one");

  Calibrator::check_method(config.calibration);
  const ThresholdRule rule = config.threshold_rule == "config"
                                 ? ThresholdRule{ThresholdRule::Kind::Fixed, 1, 1, config.threshold}
                                 : ThresholdRule::parse(config.threshold_rule);
  FittedModel fitted =
      config.external.enabled ? stream_train(req, config) : fit_in_memory(req, config);
  const Frame& train_as_read = fitted.train_as_read;
  const Frame& train = fitted.train_kept;
  const Frame& validation = fitted.validation;
  const Frame& test = fitted.test;
  FeaturePipeline& pipeline = fitted.pipeline;
  std::unique_ptr<Classifier> model = std::move(fitted.model);
  const DenseMatrix X_val = pipeline.transform(validation);
  const DenseMatrix X_test = pipeline.transform(test);

  TrainOutcome out;
  out.rows_read = fitted.rows_read;
  out.rows_rejected = fitted.rows_rejected;
  out.rows_train = fitted.rows_train - fitted.rows_dropped;
  out.rows_validation = fitted.rows_validation + fitted.rows_calibration;
  out.rows_calibration = fitted.rows_calibration;
  out.rows_test = fitted.rows_test;
  out.rows_dropped = fitted.rows_dropped;
  out.duplicates = fitted.duplicates;
  out.rows_dropped_as_duplicates = fitted.rows_dropped_as_duplicates;
  Bundle& b = out.bundle;
  b.imbalance = config.imbalance;
  b.threshold = config.threshold;
  b.threshold_rule = rule.to_string();
  nlohmann::json metrics = nlohmann::json::object();
  // The calibrator and the threshold are fitted on the calibration slice, rows early stopping
  // never saw; without a slice ([split] calibration = 0) on the early-stopping rows.
  const bool slice = fitted.calibration.rows() > 0;
  const Frame& fit_rows = slice ? fitted.calibration : validation;
  if (fit_rows.rows() > 0) {
    const std::vector<double>& y_fit = fit_rows.column(target);
    const std::vector<double> raw_fit = model->predict_proba(pipeline.transform(fit_rows));
    b.calibrator = Calibrator::fit(config.calibration, raw_fit, y_fit);
    anchor(b.calibrator, config, *model, pipeline, train);
    const std::vector<double> pd_fit = b.calibrator.apply(raw_fit);
    b.threshold = choose_threshold(y_fit, pd_fit, rule);
    if (slice) {
      out.calibration = evaluate_classification(y_fit, pd_fit, b.threshold);
      metrics["calibration"] = out.calibration.to_json();
    }
  } else if (config.calibration != "none" && config.calibration != "auto") {
    throw UsageError("--calibration " + config.calibration +
                     " needs a validation split: set [split] validation > 0");
  }
  // Without a validation split there is no calibrator, but the anchor still applies.
  if (fit_rows.rows() == 0) anchor(b.calibrator, config, *model, pipeline, train);
  if (X_val.rows) {
    out.validation = evaluate_classification(
        validation.column(target), b.calibrator.apply(model->predict_proba(X_val)), b.threshold);
    metrics["validation"] = out.validation.to_json();
  }
  std::vector<double> raw_test;
  if (X_test.rows) {
    raw_test = model->predict_proba(X_test);
    out.test =
        evaluate_classification(test.column(target), b.calibrator.apply(raw_test), b.threshold);
    metrics["test"] = out.test.to_json();
  }
  metrics["rows"] = metric_rows(validation.rows(), fitted.calibration.rows(), test.rows());
  if (!fitted.streaming.is_null()) note_samples(metrics["rows"], fitted);

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
                 {"calibration", out.rows_calibration},
                 {"test", out.rows_test},
                 {"dropped_as_outliers", out.rows_dropped},
                 {"duplicate_ids",
                  {{"policy", config.on_duplicate_id},
                   {"ids", out.duplicates.ids},
                   {"extra_rows", out.duplicates.rows},
                   {"dropped", out.rows_dropped_as_duplicates},
                   {"examples", out.duplicates.examples}}}}},
               {"seed", config.split.seed},
               {"config", config.to_json()},
               {"git_commit", git_commit()},
               {"loanrisk_version", version()},
               {"libraries", library_versions()},
               {"created_at", b.created_at}};
  if (!fitted.streaming.is_null()) b.lineage["external_memory"] = fitted.streaming;
  if (req.write_report && X_test.rows) {
    out.report =
        bundle_report(b, test.column(target), raw_test,
                      fitted.streaming.is_null()
                          ? "test split of " + req.data.filename().string()
                          : fmt::format("{}-row sample of the {}-row test split of {}", test.rows(),
                                        fitted.rows_test, req.data.filename().string()),
                      req.bootstrap_resamples);
    for (const auto& [name, text] : report_files(out.report)) {
      b.extra_files["report/" + name] = text;
    }
  }
  b.save(req.out, req.overwrite);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace loanrisk
