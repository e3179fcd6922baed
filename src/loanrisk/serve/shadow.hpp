#pragma once
// The challenger in shadow: every row the champion scores for a decision is scored by the
// challenger too, and only the champion answers. The request thread copies the inputs the
// challenger reads onto a bounded queue and returns; one background thread scores them in batches,
// counts agreement for /metrics and completes the prediction log's lines with the challenger's
// verdict. A challenger that is missing, fails to load or throws never changes or delays an answer.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/data/frame.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/monitor/prediction_log_writer.hpp"
#include "loanrisk/serve/model_holder.hpp"
#include "loanrisk/serve/settings.hpp"

namespace loanrisk {

/// The challenger's verdicts on one request's rows.
struct ShadowVerdicts {
  /// One row: the challenger's PD and decision, or why it could not score the row.
  struct Row {
    double pd = 0;
    Decision decision;
    std::string error;  ///< "" when scored.
  };
  std::shared_ptr<const LoadedModel> challenger;  ///< null: no challenger was loaded.
  std::vector<Row> rows;

  /// Sets a log record's challenger fields from row `row` (nothing without a challenger).
  void fill(monitor::PredictionRecord& record, std::size_t row) const;
};

/// One request's log lines, held back until the challenger has scored it: the records of the
/// sampled rows and each one's row in the request.
struct PendingLines {
  std::vector<monitor::PredictionRecord> records;
  std::vector<std::size_t> rows;
};

/// The challenger's agreement with the champion since start.
struct ShadowCounts {
  std::uint64_t requests = 0;            ///< requests the challenger scored (whatever the outcome).
  std::uint64_t dropped = 0;             ///< requests not shadowed: the queue was full.
  std::uint64_t rows = 0;                ///< rows both models scored.
  std::uint64_t errors = 0;              ///< rows the challenger could not score.
  std::uint64_t approve_to_decline = 0;  ///< champion approves, challenger declines.
  std::uint64_t decline_to_approve = 0;  ///< champion declines, challenger approves.
  std::uint64_t upgrades = 0;    ///< the challenger's grade is a lower-PD one than the champion's.
  std::uint64_t downgrades = 0;  ///< a higher-PD one.
  std::uint64_t same_grade = 0;
};

/// Scores the champion's traffic with a challenger; safe to call from many request threads.
class ShadowScorer {
 public:
  /// Most rows waiting for the challenger (at least two full batches are let in).
  static constexpr std::size_t kQueueRows = 50'000;
  /// Quantiles of the PD difference on /metrics.
  static constexpr double kQuantiles[] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

  /// Follows settings.challenger (resolved over store_uri when a model URI); `log`, when not null,
  /// receives the held-back lines once complete. Loads nothing: challenger().reload() does.
  ShadowScorer(const ServeSettings& settings, const std::string& store_uri,
               PredictionLogWriter* log);
  /// Scores what is queued and hands its lines to the log, then stops.
  ~ShadowScorer();
  ShadowScorer(const ShadowScorer&) = delete;
  ShadowScorer& operator=(const ShadowScorer&) = delete;

  /// The challenger's holder: reload, polling, the model now.
  ModelHolder& challenger() { return holder_; }
  const ModelHolder& challenger() const { return holder_; }

  /// The request path: copies the rows' inputs (pd[i] is the champion's PD of frame row i) and
  /// queues them with the request's held-back log lines; returns at once. Without a challenger, or
  /// with a full queue (counted as dropped), the lines go to the log without challenger fields.
  void submit(std::shared_ptr<const LoadedModel> champion, const Frame& frame,
              const std::vector<double>& pd, PendingLines lines) noexcept;
  /// Scores the rows now, on the calling thread, and counts them like queued ones: for a log with
  /// durability "sync", whose lines must be complete before the answer goes out.
  ShadowVerdicts score_now(const std::shared_ptr<const LoadedModel>& champion, const Frame& frame,
                           const std::vector<double>& pd) noexcept;
  /// Blocks until every request queued so far is scored and its lines handed on (tests, bench).
  void flush();

  ShadowCounts counts() const;
  /// Prometheus text: the challenger's identity and reloads, agreement counters, grade
  /// migrations and the summary of challenger PD minus champion PD.
  std::string render_metrics() const;
  /// The challenger as GET /api/v1/model reports it: its identity, or why none is loaded, and
  /// the counts.
  nlohmann::json to_json() const;

 private:
  struct Plan;
  struct Job;

  /// The plan for `model`, made anew when the challenger changed; queue_mutex_ held.
  std::shared_ptr<const Plan> plan_locked(std::shared_ptr<const LoadedModel> model);
  /// Appends a request as a job to `jobs`, its champion PDs and then the plan's inputs (column
  /// after column) to `values`. positions: where each input was in the last request's frame, a
  /// guess that spares the look-up by name. On failure nothing is left appended.
  static void append_job(std::vector<Job>& jobs, std::vector<double>& values,
                         std::vector<int>& positions, std::shared_ptr<const LoadedModel> champion,
                         std::shared_ptr<const Plan> plan, const Frame& frame,
                         const std::vector<double>& pd);
  /// Fills every job's verdicts, scoring rows of several jobs in one call where they share a
  /// challenger. Never throws: a failure becomes the rows' error.
  void score(std::vector<Job>& jobs, const std::vector<double>& values) const;
  /// Counts a scored job's agreement.
  void observe(const Job& job, const std::vector<double>& values);
  /// Completes a job's log lines with the verdicts and hands them to the log.
  void send(Job& job);
  /// Hands log lines to the log as they are (no challenger fields).
  void send(PendingLines& lines);
  void run();

  ServeSettings settings_;
  ModelHolder holder_;
  PredictionLogWriter* log_;
  mutable std::mutex queue_mutex_;
  std::condition_variable wake_, idle_;
  // The plan of the challenger now and the request path's column guesses for it.
  std::shared_ptr<const Plan> plan_;
  std::vector<int> positions_;
  // One buffer for every queued request's numbers: no allocation per request.
  std::vector<Job> queue_;
  std::vector<double> queue_values_;
  std::size_t queued_rows_ = 0;
  bool stopping_ = false, busy_ = false, flush_requested_ = false;
  std::uint64_t dropped_ = 0;  ///< under queue_mutex_.

  mutable std::mutex counts_mutex_;
  ShadowCounts counts_;
  std::vector<std::uint64_t> migrations_;  ///< champion grade x challenger grade, row-major.
  double difference_sum_ = 0;
  /// Differences the quantiles are over: drift_window, at most kMaxWindow (sorted per scrape).
  static constexpr std::size_t kMaxWindow = 100'000;
  std::size_t window_size_;
  std::vector<double> window_;  ///< the last window_size_ differences, a ring.
  std::size_t window_next_ = 0;
  /// The champion and challenger the window is about (held, so that a new model is never
  /// mistaken for an old one at the same address).
  std::pair<std::shared_ptr<const LoadedModel>, std::shared_ptr<const LoadedModel>> pair_;
  std::optional<DecisionRule> champion_rule_;  ///< pair_.first's.

  std::thread thread_;
};

}  // namespace loanrisk
