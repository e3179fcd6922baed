#include "loanrisk/workflow/tracked.hpp"

#include <nlohmann/json.hpp>

#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/workflow/runtime_record.hpp"

namespace loanrisk {

std::map<std::string, std::string> tracking_params(const TrainConfig& config) {
  std::map<std::string, std::string> p;
  p["family"] = config.family;
  for (const auto& [k, v] : config.params) p[k] = format_double(v);
  p["split.train"] = format_double(config.split.train);
  p["split.validation"] = format_double(config.split.validation);
  p["split.test"] = format_double(config.split.test);
  p["split.seed"] = std::to_string(config.split.seed);
  p["split.calibration"] = format_double(config.split.calibration);
  p["on_duplicate_id"] = config.on_duplicate_id;
  p["features"] = join(config.features.features, ",");
  p["threshold"] = format_double(config.threshold);
  p["imbalance"] = config.imbalance;
  p["calibration"] = config.calibration;
  p["threshold_rule"] = config.threshold_rule;
  return p;
}

namespace {

// Metrics of a report as store points; test metrics under their plain names (what `runs list
// --filter "metric.auc_roc > 0.99"` reads), validation ones prefixed with "val_", those of the
// calibration slice with "cal_".
void add_points(std::vector<MetricPoint>& points, const ClassificationReport& r,
                const std::string& prefix) {
  const std::pair<const char*, double> values[] = {
      {"auc_roc", r.auc_roc}, {"pr_auc", r.pr_auc},       {"f1", r.f1},
      {"recall", r.recall},   {"precision", r.precision}, {"accuracy", r.accuracy},
      {"brier", r.brier},     {"log_loss", r.log_loss},   {"ks", r.ks},
      {"gini", r.gini}};
  for (const auto& [key, value] : values) points.push_back({prefix + key, value, 0, 0});
}

}  // namespace

TrackedOutcome train_tracked(Store& store, const TrainRequest& request,
                             const TrackingOptions& options) {
  RunSpec spec;
  spec.experiment = options.experiment;
  spec.name = options.run_name;
  spec.parent_run_id = options.parent_run_id;
  const Run run = store.create_run(spec);
  TrackedOutcome tracked;
  tracked.run_id = run.id;
  try {
    TrainConfig config = request.config;
    validate(config);
    store.log_params(run.id, tracking_params(config));
    tracked.outcome = train_model(request);
    const TrainOutcome& o = tracked.outcome;
    std::vector<MetricPoint> points;
    add_points(points, o.test, "");
    add_points(points, o.validation, "val_");
    if (o.rows_calibration > 0) add_points(points, o.calibration, "cal_");
    // Rows the split held: the duplicate ids found and the calibration slice's size.
    points.push_back({"duplicate_ids", static_cast<double>(o.duplicates.ids), 0, 0});
    points.push_back({"rows_calibration", static_cast<double>(o.rows_calibration), 0, 0});
    points.push_back({"train_seconds", o.seconds, 0, 0});
    // The threshold actually chosen on validation (the param is the rule that chose it).
    points.push_back({"decision_threshold", o.bundle.threshold, 0, 0});
    store.log_metrics(run.id, points);
    const auto& lineage = o.bundle.lineage;
    store.set_dataset(run.id, lineage.value("data_sha256", ""), lineage.value("data_path", ""),
                      static_cast<std::int64_t>(o.rows_read));
    store.set_tag(run.id, "loanrisk.family", config.family);
    store.set_tag(run.id, "loanrisk.calibration", o.bundle.calibrator.method_name());
    tag_runtime(store, run.id);
    store.log_artifact(run.id, request.out, "bundle");
    store.end_run(run.id, RunStatus::kFinished);
  } catch (...) {
    try {
      store.end_run(run.id, RunStatus::kFailed);
    } catch (...) {
      // The original error matters more than a failure to record it.
    }
    throw;
  }
  if (!options.register_as.empty()) {
    ModelRegistry registry(store);
    const std::string reason =
        options.reason.empty() ? "trained by loanrisk train" : options.reason;
    const ModelVersion v = registry.register_version(options.register_as, run.id, reason);
    tracked.version = v.version;
    if (!options.alias.empty()) {
      registry.set_alias(options.register_as, options.alias, v.version, reason, "",
                         options.override_gate);
    }
  }
  return tracked;
}

}  // namespace loanrisk
