#include "loanrisk/monitor/prediction_log_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <regex>

#include <spdlog/spdlog.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"

namespace loanrisk {
namespace fs = std::filesystem;

namespace {

/// Bytes already in the log folder's files, so that max_total_bytes holds across restarts.
std::uint64_t existing_bytes(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& p : monitor::prediction_log_files(dir)) {
    const auto n = fs::file_size(p, ec);
    if (!ec) total += n;
  }
  return total;
}

}  // namespace

PredictionLogWriter::PredictionLogWriter(PredictionLogSettings settings)
    : settings_(std::move(settings)) {
  settings_.validate();
  std::error_code ec;
  fs::create_directories(settings_.dir, ec);
  if (ec || !fs::is_directory(settings_.dir)) {
    throw UsageError("cannot create the prediction log folder '" + settings_.dir +
                     "': " + (ec ? ec.message() : "not a folder") +
                     "; choose another --prediction-log or fix its permissions");
  }
  total_bytes_ = existing_bytes(settings_.dir);
  thread_ = std::thread([this] { run(); });
}

PredictionLogWriter::~PredictionLogWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  close_file();
}

bool PredictionLogWriter::sample() {
  if (settings_.sample_rate >= 1.0) return true;
  // Golden-ratio sequence: an evenly spread, deterministic choice of sample_rate of the rows.
  const std::uint64_t n = sampled_.fetch_add(1, std::memory_order_relaxed);
  const double u = std::fmod(static_cast<double>(n) * 0.6180339887498949, 1.0);
  return u < settings_.sample_rate;
}

bool PredictionLogWriter::submit_and_wait(std::vector<monitor::PredictionRecord> records) {
  if (records.empty()) return true;
  std::unique_lock lock(mutex_);
  if (queue_.size() + records.size() > settings_.queue_capacity || stopping_) {
    dropped_.fetch_add(records.size(), std::memory_order_relaxed);
    return false;
  }
  const std::uint64_t first = queued_seq_ + 1;
  for (auto& r : records) queue_.push_back(std::move(r));
  queued_seq_ += records.size();
  const std::uint64_t last = queued_seq_;
  ++sync_waiters_;
  wake_.notify_one();  // group commit: the writer takes whatever is queued now
  const bool done = written_cv_.wait_for(lock, std::chrono::seconds(10),
                                         [&] { return done_seq_ >= last || stopping_; });
  --sync_waiters_;
  if (!done || done_seq_ < last) return false;
  for (const auto& [lo, hi] : failed_ranges_) {
    if (lo <= last && hi >= first) return false;
  }
  return true;
}

bool PredictionLogWriter::submit(monitor::PredictionRecord record) {
  std::size_t queued = 0;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= settings_.queue_capacity || stopping_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(record));
    ++queued_seq_;
    queued = queue_.size();
  }
  // The writer wakes by itself every kMaxDelay; waking it per record would cost a context switch
  // and a write() per prediction, so only a large backlog wakes it early.
  if (queued == wake_batch()) wake_.notify_one();
  return true;
}

std::size_t PredictionLogWriter::wake_batch() const {
  return std::max<std::size_t>(1, std::min<std::size_t>(512, settings_.queue_capacity / 2));
}

void PredictionLogWriter::flush() {
  std::unique_lock lock(mutex_);
  flush_requested_ = true;
  wake_.notify_all();
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
  flush_requested_ = false;
}

PredictionLogCounters PredictionLogWriter::counters() const {
  return {written_.load(), dropped_.load(), errors_.load(), removed_files_.load()};
}

void PredictionLogWriter::run() {
  std::deque<monitor::PredictionRecord> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      busy_ = false;
      idle_.notify_all();
      wake_.wait_for(lock, kMaxDelay, [this] {
        return stopping_ || flush_requested_ || sync_waiters_ > 0 || queue_.size() >= wake_batch();
      });
      if (queue_.empty()) {
        if (stopping_) {
          written_cv_.notify_all();
          return;
        }
        continue;
      }
      batch.swap(queue_);
      busy_ = true;
    }
    const std::uint64_t first = taken_seq_ + 1, last = taken_seq_ + batch.size();
    taken_seq_ = last;
    bool ok = false;
    try {
      ok = write_batch(batch);
    } catch (const std::exception& e) {
      // The writer thread must outlive any bad record: count it and go on.
      failed(std::string("cannot write a batch: ") + e.what(), batch.size());
    }
    batch.clear();
    {
      std::lock_guard lock(mutex_);
      done_seq_ = last;
      if (!ok) {
        failed_ranges_.emplace_back(first, last);
        if (failed_ranges_.size() > 1024) failed_ranges_.pop_front();
      }
    }
    written_cv_.notify_all();
  }
}

void PredictionLogWriter::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  path_.clear();
}

bool PredictionLogWriter::make_room(std::size_t incoming) {
  const std::uint64_t cap = settings_.max_total_bytes;
  if (cap == 0 || total_bytes_ + incoming <= cap) return true;
  if (incoming > cap) return false;
  std::vector<fs::path> files;
  try {
    files = monitor::prediction_log_files(settings_.dir);
  } catch (const std::exception&) {
    return false;
  }
  for (const auto& file : files) {  // oldest first (by day, then index)
    if (total_bytes_ + incoming <= cap) break;
    if (file.string() == path_) {
      // The open file is the oldest left: the next lines go to a new file, this one goes.
      close_file();
      ++index_;
    }
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec || !fs::remove(file, ec) || ec) continue;
    total_bytes_ -= std::min<std::uint64_t>(total_bytes_, size);
    removed_files_.fetch_add(1, std::memory_order_relaxed);
  }
  return total_bytes_ + incoming <= cap;
}

bool PredictionLogWriter::open_for(std::int64_t time_ms, std::size_t next_bytes) {
  const std::string name = monitor::prediction_log_file_name(time_ms, 1);
  const std::string day = name.substr(12, 8);
  if (fd_ >= 0 && day == day_ && file_bytes_ + next_bytes <= settings_.max_file_bytes) return true;
  if (day != day_) {
    close_file();
    day_ = day;
    index_ = 0;
  } else if (fd_ >= 0) {
    close_file();  // size rotation: go on with the next index
  }
  // Continue the highest file of the day that still has room (a restart appends, not overwrites).
  for (int i = std::max(index_, 1);; ++i) {
    const fs::path path = fs::path(settings_.dir) / monitor::prediction_log_file_name(time_ms, i);
    struct stat st {};
    const bool exists = ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISREG(st.st_mode) &&
        static_cast<std::uint64_t>(st.st_size) + next_bytes > settings_.max_file_bytes) {
      continue;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      failed("cannot open " + path.string() + ": " + std::strerror(errno), 0);
      return false;
    }
    fd_ = fd;
    index_ = i;
    path_ = path.string();
    file_bytes_ = exists && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
    return true;
  }
}

void PredictionLogWriter::failed(const std::string& why, std::size_t lines) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  dropped_.fetch_add(lines, std::memory_order_relaxed);
  episode_dropped_ += lines;
  if (!failing_) {
    // Once per episode: a full disk must not flood the server's log.
    spdlog::error(
        "prediction log: {}; scoring goes on, lines are dropped and counted in "
        "loanrisk_prediction_log_dropped_total until writing works again",
        why);
    failing_ = true;
  }
  close_file();  // reopened on the next batch, e.g. after space was freed
}

bool PredictionLogWriter::write_batch(std::deque<monitor::PredictionRecord>& batch) {
  bool all_written = true;
  // Lines are grouped per file: one write per group, so a batch costs few system calls.
  std::size_t k = 0;
  while (k < batch.size()) {
    std::string text;
    std::size_t lines = 0;
    std::string group_day;
    for (; k < batch.size(); ++k) {
      monitor::PredictionRecord& r = batch[k];
      if (settings_.hash_customer_id && !r.customer_id_hashed && !r.customer_id.empty()) {
        r.customer_id = sha256_hex(settings_.salt + r.customer_id);
        r.customer_id_hashed = true;
      }
      const std::string day = monitor::prediction_log_file_name(r.time_ms, 1).substr(12, 8);
      if (lines > 0 && day != group_day) break;
      std::string line = monitor::prediction_log_line(r);
      if (lines > 0 && file_bytes_ + text.size() + line.size() > settings_.max_file_bytes) break;
      group_day = day;
      text += line;
      ++lines;
    }
    if (!make_room(text.size())) {
      failed("max_total_bytes (" + std::to_string(settings_.max_total_bytes) + ") of " +
                 settings_.dir + " cannot hold a batch of " + std::to_string(text.size()) +
                 " bytes",
             lines);
      all_written = false;
      continue;
    }
    if (!open_for(batch[k - 1].time_ms, text.size())) {
      dropped_.fetch_add(lines, std::memory_order_relaxed);
      episode_dropped_ += lines;
      all_written = false;
      continue;
    }
    const off_t before = static_cast<off_t>(file_bytes_);
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    if (done < text.size()) {
      const int err = errno;
      // Cut a torn line back off so that the file stays valid JSON lines.
      if (done > 0 && ::ftruncate(fd_, before) != 0) {
        spdlog::warn("prediction log: could not cut a partial line: {}", std::strerror(errno));
      }
      failed("cannot write to " + settings_.dir + ": " + std::strerror(err ? err : ENOSPC), lines);
      all_written = false;
      continue;
    }
    // Durability "sync": on the disk before any request that waits for these lines is answered.
    if (settings_.durability == "sync" && ::fdatasync(fd_) != 0) {
      failed("cannot sync " + path_ + ": " + std::strerror(errno), lines);
      all_written = false;
      continue;
    }
    file_bytes_ += text.size();
    total_bytes_ += text.size();
    written_.fetch_add(lines, std::memory_order_relaxed);
    if (failing_) {
      spdlog::info("prediction log: writing again after dropping {} lines", episode_dropped_);
      failing_ = false;
      episode_dropped_ = 0;
    }
  }
  return all_written;
}

}  // namespace loanrisk
