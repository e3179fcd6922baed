#pragma once
// The server's monitoring hook: every scored row goes to the live drift window (rolling PSI per
// feature and for the score) and, when configured, to the prediction log. Called by the scoring
// routes after they answer; cheap and never throws into them.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/data/frame.hpp"
#include "loanrisk/monitor/live_window.hpp"
#include "loanrisk/monitor/prediction_log_writer.hpp"
#include "loanrisk/serve/model_holder.hpp"
#include "loanrisk/serve/settings.hpp"
#include "loanrisk/serve/shadow.hpp"

namespace loanrisk {

/// Live drift and the prediction log of one server.
class PredictionMonitor {
 public:
  /// Starts the log writer when settings.prediction_log.dir is set (UsageError when unusable).
  explicit PredictionMonitor(const ServeSettings& settings);

  /// Records the scored rows of one request (pd[i] for frame row i) from `route`, with the
  /// challenger's verdicts on them when given. False only with durability "sync" when the rows
  /// could not be written to disk (the answer must not go out as if they were); monitoring trouble
  /// is otherwise logged and never fails a request.
  bool record(const LoadedModel& model, const Frame& frame, const std::vector<double>& pd,
              const std::string& route, const ShadowVerdicts* challenger = nullptr) noexcept;
  /// The same for durability "async" with a challenger in shadow: live drift now, the log lines
  /// into `pending` for the shadow to complete and hand to log().
  void record_pending(const LoadedModel& model, const Frame& frame, const std::vector<double>& pd,
                      const std::string& route, PendingLines& pending) noexcept;
  /// Whether answers wait for their log lines (durability "sync").
  bool sync() const { return sync_; }
  /// The GET /api/v1/monitoring document for the model serving now; null when the model's bundle
  /// has no reference.
  nlohmann::json monitoring(const LoadedModel& model);
  /// The window's columns (its features, then "score"); empty when the model has no reference.
  std::vector<std::string> columns(const LoadedModel& model);
  /// One column of that window in detail (LiveWindow::column_json); name is one of columns().
  nlohmann::json monitoring_column(const LoadedModel& model, const std::string& name);
  /// One column by UTC day over the last `days` days of the prediction log, each day's logged
  /// rows compared with the serving model's reference (compare_feature): [{"day", "rows", "psi",
  /// "status", "mean"}...]; name is one of columns(). UsageError when there is no log.
  nlohmann::json monitoring_days(const LoadedModel& model, const std::string& name, int days);
  /// Prometheus text: the log's counters and loanrisk_psi{feature} gauges (NaN while too few rows).
  std::string render_metrics() const;
  /// The log writer (null without a prediction log).
  PredictionLogWriter* log() { return log_.get(); }

 private:
  /// The window (may be null) and input names of the model, renewed when the model changes.
  std::pair<std::shared_ptr<monitor::LiveWindow>, std::shared_ptr<const std::vector<std::string>>>
  window_for(const LoadedModel& model);
  /// Adds the rows to the live window and builds the log records of the sampled rows (each one's
  /// row in the request into `rows` when given).
  void observe(const LoadedModel& model, const Frame& frame, const std::vector<double>& pd,
               const std::string& route, std::vector<monitor::PredictionRecord>& records,
               std::vector<std::size_t>* rows);

  ServeSettings settings_;
  std::unique_ptr<PredictionLogWriter> log_;
  bool sync_ = false;  ///< a log with durability "sync": record() waits for the disk.
  mutable std::mutex window_mutex_;
  /// The model the window belongs to: its bundle folder and load time.
  std::filesystem::path window_source_;
  std::string window_loaded_at_;
  std::shared_ptr<monitor::LiveWindow> window_;
  std::shared_ptr<const std::vector<std::string>> input_names_;  ///< of that model's schema.
  std::string request_prefix_;
  std::atomic<std::uint64_t> requests_{0};
};

}  // namespace loanrisk
