#pragma once
// The prediction log writer: request threads hand records to a bounded queue; one background
// thread appends them as JSON lines, rotating files by UTC day and size, and removes the oldest
// files to keep the folder under its total-size cap. With durability "async" a request returns at
// once and a full queue or disk drops lines (counted for /metrics, logged once per episode); with
// "sync" a request waits until its lines are on disk (fdatasync) and learns when they are not.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/monitor/prediction_log_settings.hpp"

namespace loanrisk {

/// Counters of the writer, as exported on /metrics.
struct PredictionLogCounters {
  std::uint64_t written = 0;  ///< lines on disk.
  std::uint64_t dropped = 0;  ///< lines lost: queue full, write failed or max_total_bytes reached.
  std::uint64_t errors = 0;   ///< failed writes (each dropped its batch's lines).
  std::uint64_t removed_files = 0;  ///< oldest files removed to stay under max_total_bytes.
};

/// Appends records to predictions-YYYYMMDD-N.jsonl files under settings.dir.
class PredictionLogWriter {
 public:
  /// Creates the folder (UsageError when it cannot) and starts the writer thread.
  explicit PredictionLogWriter(PredictionLogSettings settings);
  /// Writes what is queued, then stops.
  ~PredictionLogWriter();
  PredictionLogWriter(const PredictionLogWriter&) = delete;
  PredictionLogWriter& operator=(const PredictionLogWriter&) = delete;

  /// Whether the next scored row is sampled (sample_rate, spread evenly); lock-free.
  bool sample();
  /// Queues a record; false (and counted as dropped) when the queue is full. Never blocks on disk.
  bool submit(monitor::PredictionRecord record);
  /// Queues records and waits until they are written and synced to disk (durability "sync"):
  /// false when the queue is full, a write or sync failed, or 10 s passed.
  bool submit_and_wait(std::vector<monitor::PredictionRecord> records);
  /// Blocks until every record queued so far is written or dropped (tests, shutdown).
  void flush();
  PredictionLogCounters counters() const;
  const PredictionLogSettings& settings() const { return settings_; }

 private:
  /// Longest time a record waits in the queue before the writer takes it.
  static constexpr std::chrono::milliseconds kMaxDelay{50};
  std::size_t wake_batch() const;  ///< queue length that wakes the writer early.
  void run();
  /// False when any line of the batch was dropped.
  bool write_batch(std::deque<monitor::PredictionRecord>& batch);
  /// Removes the oldest files (rotating away from the open one when it is the oldest left) until
  /// `incoming` more bytes fit under max_total_bytes; false when they cannot.
  bool make_room(std::size_t incoming);
  bool open_for(std::int64_t time_ms, std::size_t next_bytes);
  void failed(const std::string& why, std::size_t lines);
  void close_file();

  PredictionLogSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<monitor::PredictionRecord> queue_;
  bool stopping_ = false, busy_ = false, flush_requested_ = false;
  // Durability "sync": records are numbered as queued; the writer publishes how far it got and
  // which ranges failed, and wakes the waiting request threads.
  std::condition_variable written_cv_;
  std::uint64_t queued_seq_ = 0, taken_seq_ = 0, done_seq_ = 0;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> failed_ranges_;
  std::size_t sync_waiters_ = 0;
  std::atomic<std::uint64_t> sampled_{0};
  std::atomic<std::uint64_t> written_{0}, dropped_{0}, errors_{0}, removed_files_{0};
  // Writer-thread state only.
  int fd_ = -1;
  std::string day_;
  int index_ = 0;
  std::string path_;  ///< the open file.
  std::uint64_t file_bytes_ = 0, total_bytes_ = 0;
  bool failing_ = false;
  std::uint64_t episode_dropped_ = 0;
  std::thread thread_;
};

}  // namespace loanrisk
