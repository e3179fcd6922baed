#pragma once
// Background training and tuning jobs started from the web app: each job is the application
// layer's spec (workflow/jobs.hpp) written as JSON and run by the server's own binary as a child
// process (`loanrisk job run SPEC.json`) on the server's store, at most max_running at a time,
// with its progress read from the study store, in the name of whoever started it, within limits
// per server and per person. Its stdout and stderr go to one log the page can follow, and who
// started it (or an admin) can stop it: a stopped study stays resumable.
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/serve/settings.hpp"
#include "loanrisk/tracking/users.hpp"

namespace loanrisk {

/// What the page asks for, validated by parse_job_request.
struct JobRequest {
  std::string family;                 ///< a classifier family.
  std::vector<std::string> features;  ///< model inputs; empty: the defaults.
  bool tune = false;                  ///< tuning on (a study) or one training run.
  int trials = 10;                    ///< trials of a tuning study.
  std::string experiment;             ///< experiment to record the runs in.
  std::string data;                   ///< labelled CSV to train on.
};

/// The request from JSON: {family, features?, tune?, trials?, experiment?, data?}; data defaults
/// to default_data. The data file must be default_data itself or lie inside one of data_dirs
/// (symbolic links resolved), checked before anything is said about whether it exists, so a
/// client learns nothing of other files. HttpError 422 listing every problem (field, value, rule).
JobRequest parse_job_request(const nlohmann::json& body, const std::string& default_data,
                             const std::vector<std::string>& data_dirs = {});

/// The reason of a stop request {reason}: non-blank, at most 1,000 bytes; HttpError 422 naming
/// the field otherwise (the body's other keys too).
std::string parse_stop_reason(const nlohmann::json& body);

/// "job-3: tune xgboost in experiment web", a job as the audit trail names it (its target).
std::string job_target(const nlohmann::json& job);

/// Runs jobs as child processes and reports on them; thread-safe. A job that cannot run at once
/// waits in a queue (first come, first served) and starts when a slot frees; a monitor thread
/// reaps finished children, starts waiting jobs and reports each end once.
class JobRunner {
 public:
  /// Called once per finished job (from the monitor thread, no lock held; from the destructor for
  /// the jobs it stops and ends not reported yet) with its state and who started it.
  using Ended = std::function<void(const nlohmann::json& job, const Identity& started_by)>;

  /// Jobs record into store_uri; logs and outputs go under a private temporary folder. A job runs
  /// `executable job run SPEC.json` (the server's own binary unless a test says otherwise).
  JobRunner(std::string store_uri, JobLimits limits = {}, Ended on_end = {},
            std::string executable = {});
  /// Stops running jobs (SIGTERM, then SIGKILL), drops waiting ones, removes the temporary folder.
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Starts the job for who (its runs and registry events name them), or queues it when the
  /// server or the person has as many running as allowed; HttpError 429 naming the limit when the
  /// person's queue is full too.
  nlohmann::json start(const JobRequest& request, const Identity& who);
  /// A job's state: {id, kind, state (queued | running | succeeded | failed | stopped),
  /// started_by, queued_ms, started_ms, ended_ms, exit_code, trials_done, trials_total,
  /// stderr_tail (the log's last 2,000 bytes), stop ({by, reason, requested_ms} once asked), ...};
  /// HttpError 404 when there is no such job.
  nlohmann::json status(const std::string& id);
  /// Every job, newest first.
  nlohmann::json list();
  /// Stops a job for who, the person who started it or an admin (else HttpError 403): a waiting
  /// one leaves the queue, a running one gets SIGTERM (a study ends its trial in flight as FAIL
  /// and exits; SIGKILL after limits.stop_grace_seconds, and the study's RUNNING trials are then
  /// marked FAIL here). Its state becomes "stopped" once it has ended; asking again while it
  /// stops changes nothing. HttpError 404 for no such job, 409 for one that has ended.
  nlohmann::json stop(const std::string& id, const Identity& who, const std::string& reason);
  /// The job's log (stdout and stderr) from byte offset on, or its tail without one, at most
  /// 64 KiB (kJobLogChunk, job_log.hpp): {id, state, offset, next_offset, size, skipped, text}.
  /// HttpError 404 for no such job.
  nlohmann::json log(const std::string& id, std::optional<std::uint64_t> offset);

 private:
  struct Job {
    std::string id;
    int seq = 0;  ///< order of arrival.
    JobRequest request;
    Identity who;
    std::string study;  ///< study name ("" for a training run).
    pid_t pid = -1;
    std::string state = "queued";  ///< queued | running | succeeded | failed | stopped.
    int exit_code = -1;
    bool end_reported = false;
    bool stop_requested = false;
    bool killed = false;  ///< sent SIGKILL: the stop's grace period ran out.
    Identity stopped_by;
    std::string stop_reason;
    std::int64_t stop_ms = 0;
    std::int64_t queued_ms = 0;
    std::int64_t started_ms = 0;
    std::int64_t ended_ms = 0;
    std::filesystem::path dir;
  };
  void reap(Job& job);
  /// Records how the job's process ended: succeeded, stopped (when asked to) or failed.
  void end(Job& job, int exit_code);
  /// After a study's process was killed: its RUNNING trials FAIL, its parent run KILLED.
  void repair_study(const Job& job);
  Job& find(const std::string& id);  ///< HttpError 404 when there is none; mutex_ held.
  void launch(Job& job);
  void schedule();  ///< starts waiting jobs that fit the limits; mutex_ held.
  int running_of(const Identity* who) const;
  int queued_of(const Identity& who) const;
  nlohmann::json describe(Job& job);
  /// Finished jobs whose end on_end_ has not had yet, marked reported; mutex_ held.
  std::vector<std::pair<nlohmann::json, Identity>> unreported_ends();
  void monitor();

  std::string store_uri_;
  JobLimits limits_;
  Ended on_end_;
  std::string executable_;
  std::filesystem::path root_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, Job> jobs_;
  int next_ = 1;
  std::thread monitor_;
};

}  // namespace loanrisk
