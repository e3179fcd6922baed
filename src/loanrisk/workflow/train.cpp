#include <xgboost/c_api.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"
#include "loanrisk/metrics/curves.hpp"
#include "loanrisk/monitor/reference.hpp"
#include "loanrisk/training/prepare.hpp"
#include "loanrisk/workflow/report.hpp"
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
  const SplitData split = split_data(all, config, req.data.string());
  // The drift reference describes the applicants as they arrive, so it is taken before outliers
  // are dropped.
  const Frame& train_as_read = split.train;
  const Frame& validation = split.validation;
  const Frame& test = split.test;

  Calibrator::check_method(config.calibration);
  const ThresholdRule rule = config.threshold_rule == "config"
                                 ? ThresholdRule{ThresholdRule::Kind::Fixed, 1, 1, config.threshold}
                                 : ThresholdRule::parse(config.threshold_rule);
  // Fitted on the training split only: validation and test stay unseen by every step.
  PreparedData data = prepare_training_data(train_as_read, validation, config);
  const Frame& train = data.train;
  const std::size_t dropped = data.rows_dropped;
  const DenseMatrix& X_val = data.X_val;
  const DenseMatrix X_test = data.pipeline.transform(test);
  auto model = make_classifier(config.family, config.params);
  model->set_monotone(monotone_constraints(config));
  model->fit(data.fit.X, data.fit.y, data.val_matrix(), data.val_labels(), data.weights());
  FeaturePipeline& pipeline = data.pipeline;

  TrainOutcome out;
  out.rows_read = read.rows_read;
  out.rows_rejected = read.rejects.size();
  out.rows_train = train.rows();
  out.rows_validation = validation.rows() + split.calibration.rows();
  out.rows_calibration = split.calibration.rows();
  out.rows_test = test.rows();
  out.rows_dropped = dropped;
  out.duplicates = split.duplicates;
  out.rows_dropped_as_duplicates = split.rows_dropped_as_duplicates;
  Bundle& b = out.bundle;
  b.imbalance = config.imbalance;
  b.threshold = config.threshold;
  b.threshold_rule = rule.to_string();
  nlohmann::json metrics = nlohmann::json::object();
  // The calibrator and the threshold are fitted on the calibration slice, rows early stopping
  // never saw; without a slice ([split] calibration = 0) on the early-stopping rows.
  const bool slice = split.calibration.rows() > 0;
  const Frame& fit_rows = slice ? split.calibration : validation;
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
  metrics["rows"] = metric_rows(validation.rows(), split.calibration.rows(), test.rows());

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
