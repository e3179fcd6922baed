// The `monitor` job: a population's drift against the bundle's training reference, from a loan
// CSV or the server's prediction log, written as report.json + report.html.
#include "loanrisk/bundle/bundle.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/outcomes.hpp"
#include "loanrisk/monitor/outcome_join.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/workflow/jobs.hpp"

namespace loanrisk {
namespace {

void check(const MonitorJob& job) {
  if (job.data.empty() == job.log.empty()) {
    throw UsageError(
        "give exactly one of --data FILE (a loan CSV) or --log DIR (a prediction log)");
  }
  if ((!job.since.empty() || !job.until.empty()) && job.log.empty()) {
    throw UsageError("--since and --until select log lines by time: use them with --log");
  }
  if ((!job.outcomes.empty() || job.horizon_days) && job.log.empty()) {
    throw UsageError(
        "--outcomes joins outcomes to a prediction log: use it with --log (a loan CSV carries "
        "its outcomes in its default column)");
  }
  if (job.horizon_days && job.outcomes.empty()) {
    throw UsageError("--horizon-days says which scorings an outcome joins: give --outcomes FILE");
  }
  if (!job.window.empty() && job.window_rows) {
    throw UsageError("give --window (log timestamps) or --window-rows (row counts), not both");
  }
}

}  // namespace

MonitorJobResult run_monitor_job(const MonitorJob& job, Store* store) {
  check(job);
  MonitorJobResult result;
  if (is_model_uri(job.model)) {
    if (!store) throw InternalError("a model URI needs a store to resolve it");
    result.bundle = resolve_model_uri(*store, job.model);
  } else {
    result.bundle = job.model;
  }
  const Bundle bundle = Bundle::load(result.bundle);
  if (bundle.reference.is_null()) {
    throw InputError("model bundle '" + result.bundle.string() +
                     "' has no reference.json (it predates monitoring): retrain to add a "
                     "reference");
  }
  const monitor::ModelReference reference = monitor::ModelReference::from_json(
      bundle.reference, (result.bundle / "reference.json").string());
  std::vector<std::string> features;
  for (const auto& f : reference.features) features.push_back(f.name());

  monitor::MonitorData data;
  if (!job.data.empty()) {
    ReadResult read = read_with_rejects(
        job.data, bundle.schema, false,
        job.rejects.empty() ? std::nullopt : std::optional<std::filesystem::path>(job.rejects));
    data.inputs = std::move(read.frame);
    data.pd = data.inputs.rows() ? bundle.predict(data.inputs) : std::vector<double>{};
    const auto* target = bundle.schema.target();
    if (target && data.inputs.has(target->name)) data.target = data.inputs.column(target->name);
    data.source = job.data;
  } else {
    auto log = monitor::read_prediction_log(job.log, features, utc_time_flag("--since", job.since),
                                            utc_time_flag("--until", job.until));
    data.source = "prediction log " + job.log + " (" + std::to_string(log.files) + " files, " +
                  std::to_string(log.skipped) + " lines outside --since/--until)";
    if (!job.outcomes.empty()) {
      monitor::OutcomeJoinOptions options;
      options.salt = monitor::prediction_log_salt("");
      if (job.horizon_days) options.horizon_days = *job.horizon_days;
      monitor::OutcomeJoin joined =
          monitor::join_outcomes(log, read_outcomes(job.outcomes), options);
      data.outcomes = joined.to_json();
      data.target = std::move(joined.target);
      data.source += " joined with outcomes " + job.outcomes;
    } else {
      data.target = std::move(log.target);
    }
    data.traffic = {{"models", log.models}, {"challengers", log.challengers}};
    data.inputs = std::move(log.inputs);
    data.pd = std::move(log.pd);
    data.challenger_pd = std::move(log.challenger_pd);
    data.time_ms = std::move(log.time_ms);
  }
  if (data.pd.empty()) {
    throw InputError(data.source + ": no scored row to monitor" +
                     (job.log.empty() ? "" : " (check --since/--until)"));
  }
  // A scorecard's characteristics on its own bins (null for the other families).
  data.characteristics =
      bundle.model->characteristic_stability(bundle.pipeline.transform(data.inputs));
  const nlohmann::json model = {{"source", result.bundle.string()},
                                {"family", bundle.family},
                                {"created_at", bundle.created_at}};
  const monitor::WindowOptions windows{
      job.window, job.window_rows ? static_cast<std::size_t>(*job.window_rows) : 0};
  result.report = monitor::monitor_report(reference, data, windows, model, bundle.metrics);
  monitor::write_monitor_report(job.out, result.report.json);
  result.source = data.source;
  result.rows = data.pd.size();
  return result;
}

nlohmann::json job_result_json(const MonitorJobResult& result) {
  return {{"kind", MonitorJob::kKind},
          {"bundle", result.bundle.string()},
          {"source", result.source},
          {"rows", result.rows},
          {"status", monitor::status_name(result.report.status)}};
}

}  // namespace loanrisk
