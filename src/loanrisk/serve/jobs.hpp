#pragma once
// Background training and tuning jobs started from the web app: each job is the application
// layer's spec (workflow/jobs.hpp) written as JSON and run by the server's own binary as a child
// process (`loanrisk job run SPEC.json`) on the server's store, at most max_running at a time,
// with its progress read from the study store.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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

/// Runs jobs as child processes and reports on them; thread-safe.
class JobRunner {
 public:
  /// Jobs record into store_uri; logs and outputs go under a private temporary folder.
  JobRunner(std::string store_uri, int max_running = 2);
  /// Stops running jobs (SIGTERM, then SIGKILL) and removes the temporary folder.
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Starts a job and returns its state; HttpError 429 when max_running jobs are running.
  nlohmann::json start(const JobRequest& request);
  /// A job's state: {id, kind, state, exit_code, trials_done, trials_total, stderr_tail, ...};
  /// HttpError 404 when there is no such job.
  nlohmann::json status(const std::string& id);
  /// Every job, newest first.
  nlohmann::json list();

 private:
  struct Job {
    std::string id;
    JobRequest request;
    std::string study;  ///< study name ("" for a training run).
    pid_t pid = -1;
    std::string state = "running";  ///< running | succeeded | failed.
    int exit_code = -1;
    std::int64_t started_ms = 0;
    std::int64_t ended_ms = 0;
    std::filesystem::path dir;
  };
  void reap(Job& job);
  nlohmann::json describe(Job& job);

  std::string store_uri_;
  int max_running_;
  std::filesystem::path root_;
  std::mutex mutex_;
  std::map<std::string, Job> jobs_;
  int next_ = 1;
};

}  // namespace loanrisk
