#include "loanrisk/serve/prediction_monitor.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/monitor/compare.hpp"
#include "loanrisk/monitor/drift.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/monitor/report.hpp"
#include "loanrisk/serve/prometheus.hpp"

namespace loanrisk {
namespace {

std::string gauge_value(double v) {
  if (std::isnan(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

PredictionMonitor::PredictionMonitor(const ServeSettings& settings) : settings_(settings) {
  if (!settings_.prediction_log.dir.empty()) {
    log_ = std::make_unique<PredictionLogWriter>(settings_.prediction_log);
    sync_ = settings_.prediction_log.durability == "sync";
  }
  // Request ids unique across restarts: the start time and pid, then a counter.
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llx-%x-", static_cast<unsigned long long>(now_ms()),
                static_cast<unsigned>(getpid()));
  request_prefix_ = buf;
}

std::pair<std::shared_ptr<monitor::LiveWindow>, std::shared_ptr<const std::vector<std::string>>>
PredictionMonitor::window_for(const LoadedModel& model) {
  std::lock_guard lock(window_mutex_);
  if (model.loaded_at != window_loaded_at_ || model.source != window_source_ || !input_names_) {
    // A new model has other bins: its window starts empty.
    window_source_ = model.source;
    window_loaded_at_ = model.loaded_at;
    window_.reset();
    input_names_ =
        std::make_shared<const std::vector<std::string>>(model.bundle.schema.feature_names());
    if (!model.bundle.reference.is_null()) {
      try {
        window_ = std::make_shared<monitor::LiveWindow>(
            monitor::ModelReference::from_json(model.bundle.reference, "reference.json"),
            settings_.drift_window);
      } catch (const std::exception& e) {
        spdlog::warn("live drift is off for {}: {}", model.source.string(), e.what());
      }
    }
  }
  return {window_, input_names_};
}

void PredictionMonitor::observe(const LoadedModel& model, const Frame& frame,
                                const std::vector<double>& pd, const std::string& route,
                                std::vector<monitor::PredictionRecord>& records,
                                std::vector<std::size_t>* rows) {
  const auto [window, names] = window_for(model);
  if (window) {
    // The thread's own buffers: every scored request passes here.
    thread_local std::vector<const std::vector<double>*> columns;
    thread_local std::vector<double> row;
    columns.clear();
    for (const auto& name : window->feature_names()) columns.push_back(&frame.column(name));
    row.resize(columns.size());
    for (std::size_t i = 0; i < pd.size(); ++i) {
      for (std::size_t c = 0; c < columns.size(); ++c) row[c] = (*columns[c])[i];
      window->add(row, pd[i]);
    }
  }
  if (!log_) return;
  const std::string request_id = request_prefix_ + std::to_string(++requests_);
  const std::int64_t t = now_ms();
  std::vector<const std::vector<double>*> inputs;
  for (const auto& n : *names) inputs.push_back(&frame.column(n));
  const DecisionRule rule(settings_.grades, settings_.lgd, model.bundle.threshold,
                          model.bundle.schema);
  for (std::size_t i = 0; i < pd.size(); ++i) {
    if (!log_->sample()) continue;
    monitor::PredictionRecord r;
    r.time_ms = t;
    r.request_id = request_id;
    r.model_name = model.name;
    r.model_version = model.version;
    r.route = route;
    // No id sent, none logged: a row number in its place would join to the wrong customer's
    // outcome later.
    r.customer_id = frame.ids.empty() ? std::string() : frame.ids[i];
    r.input_names = names;
    r.inputs.reserve(inputs.size());
    for (const auto* column : inputs) r.inputs.push_back((*column)[i]);
    r.pd = pd[i];
    const Decision d = rule.decide(pd[i]);
    r.grade = d.grade->name;
    r.decision = d.decision_text();
    records.push_back(std::move(r));
    if (rows) rows->push_back(i);
  }
}

bool PredictionMonitor::record(const LoadedModel& model, const Frame& frame,
                               const std::vector<double>& pd, const std::string& route,
                               const ShadowVerdicts* challenger) noexcept {
  const bool sync = sync_;
  try {
    std::vector<monitor::PredictionRecord> records;
    std::vector<std::size_t> rows;
    observe(model, frame, pd, route, records, challenger ? &rows : nullptr);
    if (!log_) return true;
    if (challenger) {
      for (std::size_t k = 0; k < records.size(); ++k) challenger->fill(records[k], rows[k]);
    }
    if (sync) return log_->submit_and_wait(std::move(records));
    for (auto& r : records) log_->submit(std::move(r));
    return true;
  } catch (const std::exception& e) {
    // Monitoring must never fail a prediction that was already computed, unless the decision
    // was promised to be on disk first.
    spdlog::warn("monitoring skipped a request: {}", e.what());
    return !sync;
  }
}

void PredictionMonitor::record_pending(const LoadedModel& model, const Frame& frame,
                                       const std::vector<double>& pd, const std::string& route,
                                       PendingLines& pending) noexcept {
  try {
    observe(model, frame, pd, route, pending.records, &pending.rows);
  } catch (const std::exception& e) {
    spdlog::warn("monitoring skipped a request: {}", e.what());
    pending = {};
  }
}

nlohmann::json PredictionMonitor::monitoring(const LoadedModel& model) {
  const auto window = window_for(model).first;
  if (!window) return nullptr;
  nlohmann::json j = window->to_json();
  j["prediction_log"] = !settings_.prediction_log.dir.empty();  // the trend by day reads it
  // The window lives in memory and belongs to one loaded model: readers are told when it began.
  j["model"] = {{"name", model.name}, {"version", model.version}};
  j["since"] = model.loaded_at;
  return j;
}

std::vector<std::string> PredictionMonitor::columns(const LoadedModel& model) {
  const auto window = window_for(model).first;
  if (!window) return {};
  std::vector<std::string> names = window->feature_names();
  names.emplace_back("score");
  return names;
}

nlohmann::json PredictionMonitor::monitoring_column(const LoadedModel& model,
                                                    const std::string& name) {
  nlohmann::json j = window_for(model).first->column_json(name);
  j["model"] = {{"name", model.name}, {"version", model.version}};
  j["since"] = model.loaded_at;
  return j;
}

nlohmann::json PredictionMonitor::monitoring_days(const LoadedModel& model, const std::string& name,
                                                  int days) {
  if (settings_.prediction_log.dir.empty()) {
    throw UsageError(
        "the trend by day reads the prediction log, and this server keeps none: set "
        "[serve.prediction_log] dir in loanrisk.toml");
  }
  const auto window = window_for(model).first;  // holds the parsed reference
  const monitor::FeatureReference* ref = window->reference_of(name);
  // Days start at 00:00 UTC: today and the days - 1 before it.
  const std::int64_t day_ms = 86'400'000;
  const std::int64_t since = (now_ms() / day_ms - (days - 1)) * day_ms;
  const std::vector<std::string> features =
      name == "score" ? std::vector<std::string>{} : std::vector<std::string>{name};
  const auto logged =
      monitor::read_prediction_log(settings_.prediction_log.dir, features, since, std::nullopt);
  const std::vector<double>& values = name == "score" ? logged.pd : logged.inputs.column(name);
  std::map<std::string, std::vector<double>> by_day;
  for (std::size_t r = 0; r < values.size(); ++r) {
    by_day[monitor::window_label(logged.time_ms[r], "day")].push_back(values[r]);
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [day, v] : by_day) {
    const monitor::FeatureDrift d = monitor::compare_feature(*ref, v);
    out.push_back({{"day", day},
                   {"rows", v.size()},
                   {"psi", number_or_null(d.psi)},
                   {"status", monitor::status_name(d.status)},
                   {"mean", number_or_null(d.live_mean)}});
  }
  return {{"column", name},
          {"model", {{"name", model.name}, {"version", model.version}}},
          {"since", iso8601_ms(since)},
          {"files", logged.files},
          {"days", out}};
}

std::string PredictionMonitor::render_metrics() const {
  std::string out;
  if (log_) {
    const auto c = log_->counters();
    const auto counter = [&out](const char* name, const char* help, std::uint64_t v) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name +
             " " + std::to_string(v) + "\n";
    };
    counter("loanrisk_prediction_log_written_total", "Prediction log lines written.", c.written);
    counter("loanrisk_prediction_log_dropped_total",
            "Prediction log lines lost (queue full, write failed, batch over max_total_bytes).",
            c.dropped);
    counter("loanrisk_prediction_log_errors_total", "Failed prediction log writes.", c.errors);
    counter("loanrisk_prediction_log_removed_files_total",
            "Oldest prediction log files removed to stay under max_total_bytes.", c.removed_files);
  }
  std::shared_ptr<monitor::LiveWindow> window;
  {
    std::lock_guard lock(window_mutex_);
    window = window_;
  }
  if (window) {
    out +=
        "# HELP loanrisk_psi Population stability index of the live window against the "
        "training reference (NaN while fewer than 100 rows).\n# TYPE loanrisk_psi gauge\n";
    for (const auto& [name, value] : window->psi_values()) {
      out +=
          "loanrisk_psi{feature=\"" + prometheus_label(name) + "\"} " + gauge_value(value) + "\n";
    }
    out +=
        "# HELP loanrisk_drift_window_rows Scored rows in the live drift window.\n"
        "# TYPE loanrisk_drift_window_rows gauge\nloanrisk_drift_window_rows " +
        std::to_string(window->count()) + "\n";
  }
  return out;
}

}  // namespace loanrisk
