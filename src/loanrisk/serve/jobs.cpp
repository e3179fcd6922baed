#include "loanrisk/serve/jobs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/serve/job_log.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/workflow/jobs.hpp"

extern char** environ;

namespace loanrisk {
namespace {

/// A job's stdout and stderr, in the order it wrote them.
constexpr const char* kLogFile = "job.log";

bool has_ended(const std::string& state) {
  return state == "succeeded" || state == "failed" || state == "stopped";
}

/// The path of the running binary, so a job runs exactly the server's build.
std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw InternalError("cannot read /proc/self/exe to start a job");
  return std::string(buf, static_cast<std::size_t>(n));
}

/// The server's environment without its secrets: a job needs the store, not the tokens that let
/// callers in or the salt that hides customer ids.
std::vector<std::string> job_environment() {
  static const char* const kSecrets[] = {"LOANRISK_ADMIN_TOKEN=", "LOANRISK_API_TOKEN=",
                                         "LOANRISK_PREDICTION_LOG_SALT=", "LOANRISK_TOKEN="};
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    if (std::none_of(std::begin(kSecrets), std::end(kSecrets),
                     [&](const char* s) { return entry.starts_with(s); })) {
      out.emplace_back(entry);
    }
  }
  return out;
}

}  // namespace

JobRunner::JobRunner(std::string store_uri, JobLimits limits, Ended on_end, std::string executable)
    : store_uri_(std::move(store_uri)),
      limits_(limits),
      on_end_(std::move(on_end)),
      executable_(executable.empty() ? self_exe() : std::move(executable)),
      monitor_([this] { monitor(); }) {}

JobRunner::~JobRunner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  monitor_.join();
  std::lock_guard lock(mutex_);
  for (auto& [id, job] : jobs_) {
    if (job.state == "running") kill(job.pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (auto& [id, job] : jobs_) {
    while (job.state == "running") {
      reap(job);
      if (job.state != "running") break;
      if (std::chrono::steady_clock::now() > deadline) {
        kill(job.pid, SIGKILL);
        int status = 0;
        waitpid(job.pid, &status, 0);
        end(job, 128 + SIGKILL);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  // Ends the monitor had not reported yet, and the jobs stopped just now (failed, exit 143 or
  // 137), still go to the trail.
  for (const auto& [j, who] : unreported_ends()) {
    try {
      on_end_(j, who);
    } catch (const std::exception&) {
      // A destructor cannot throw; the audit callback records its own failures.
    }
  }
  std::error_code ec;
  if (!root_.empty()) std::filesystem::remove_all(root_, ec);
}

void JobRunner::reap(Job& job) {
  if (job.state != "running") return;
  int status = 0;
  const pid_t r = waitpid(job.pid, &status, WNOHANG);
  if (r != job.pid) return;
  end(job, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

void JobRunner::end(Job& job, int exit_code) {
  job.exit_code = exit_code;
  // A job that finished before the stop reached it succeeded all the same.
  job.state = exit_code == 0 ? "succeeded" : job.stop_requested ? "stopped" : "failed";
  job.ended_ms = now_ms();
  if (job.state == "stopped" && !job.study.empty()) repair_study(job);
}

void JobRunner::repair_study(const Job& job) {
  // A study that ended cleanly has nothing RUNNING; one killed (the grace period ran out) has
  // its trial in flight RUNNING until this, as the next `tune` on it would do.
  try {
    auto store = open_store(store_uri_, {{}, false});
    StudyStore studies(*store);
    const auto study = studies.find(job.study);
    if (!study) return;
    studies.fail_orphaned_trials(study->id);
    if (store->get_run(study->parent_run_id).status == RunStatus::kRunning) {
      store->end_run(study->parent_run_id, RunStatus::kKilled);
    }
  } catch (const std::exception& e) {
    std::ofstream(job.dir / kLogFile, std::ios::app)
        << "loanrisk serve: could not mark the stopped study's running trials FAIL (the next "
           "`loanrisk tune --study "
        << job.study << "` will): " << e.what() << "\n";
  }
}

namespace {

bool same_person(const Identity& a, const Identity& b) {
  return a.source == b.source && a.name == b.name;
}

std::string jobs_word(int n) {
  return std::to_string(n) + (n == 1 ? " job" : " jobs");
}

}  // namespace

int JobRunner::running_of(const Identity* who) const {
  int n = 0;
  for (const auto& [id, job] : jobs_) {
    n += job.state == "running" && (!who || same_person(job.who, *who));
  }
  return n;
}

int JobRunner::queued_of(const Identity& who) const {
  int n = 0;
  for (const auto& [id, job] : jobs_) n += job.state == "queued" && same_person(job.who, who);
  return n;
}

nlohmann::json JobRunner::start(const JobRequest& request, const Identity& who) {
  std::lock_guard lock(mutex_);
  for (auto& [id, job] : jobs_) reap(job);
  const int mine = running_of(&who), all = running_of(nullptr), waiting = queued_of(who);
  const bool runs_now = all < limits_.max_running && mine < limits_.max_running_per_person;
  if (!runs_now && waiting >= limits_.max_queued_per_person) {
    throw HttpError(429, echo_text(who.name) + " has " + jobs_word(mine) + " running and " +
                             jobs_word(waiting) + " waiting, the most one person may have (" +
                             std::to_string(limits_.max_running_per_person) + " running, " +
                             std::to_string(limits_.max_queued_per_person) +
                             " waiting; the server runs " + std::to_string(limits_.max_running) +
                             " at once, " + std::to_string(all) +
                             " now): wait for one to finish and start again");
  }
  if (root_.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "loanrisk-jobs-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw InternalError("cannot create a folder for jobs in /tmp");
    root_ = tmpl;
  }
  Job job;
  job.seq = next_++;
  job.id = "job-" + std::to_string(job.seq);
  job.request = request;
  job.who = who;
  job.dir = root_ / job.id;
  job.queued_ms = now_ms();
  std::filesystem::create_directories(job.dir);
  if (request.tune) {
    job.study = "web-" + request.family + "-" + std::to_string(job.queued_ms) + "-" + job.id;
  }
  const std::string id = job.id;
  auto& stored = jobs_.emplace(id, std::move(job)).first->second;
  schedule();
  return describe(stored);
}

void JobRunner::schedule() {
  std::vector<Job*> waiting;
  for (auto& [id, job] : jobs_) {
    if (job.state == "queued") waiting.push_back(&job);
  }
  std::sort(waiting.begin(), waiting.end(),
            [](const Job* a, const Job* b) { return a->seq < b->seq; });
  for (Job* job : waiting) {
    if (running_of(nullptr) >= limits_.max_running) return;
    if (running_of(&job->who) >= limits_.max_running_per_person) continue;
    try {
      launch(*job);
    } catch (const std::exception& e) {
      job->state = "failed";
      job->ended_ms = now_ms();
      std::ofstream(job->dir / kLogFile, std::ios::app) << e.what() << "\n";
    }
  }
}

void JobRunner::launch(Job& job) {
  job.started_ms = now_ms();
  // The job as the application layer's spec, run by `loanrisk job run`: the same function the
  // CLI's train and tune call, with no flag strings or TOML in between.
  const JobRequest& request = job.request;
  JobTracking tracking;
  tracking.store = store_uri_;
  tracking.experiment = request.experiment;
  tracking.run_as = job.who.name;
  JobSpec spec;
  if (request.tune) {
    TuneJob tune;
    tune.data = request.data;
    tune.out = (job.dir / "tuned").string();
    tune.study = job.study;
    tune.trials = request.trials;
    tune.model.family = request.family;
    tune.model.features = request.features;
    tune.tracking = tracking;
    spec = tune;
  } else {
    TrainJob train;
    train.data = request.data;
    train.out = (job.dir / "bundle").string();
    train.model.family = request.family;
    train.model.features = request.features;
    train.tracking = tracking;
    spec = train;
  }
  write_file_atomic(job.dir / "job.json", dump_json(job_to_json(spec), 2));
  std::vector<std::string> args = {executable_, "job", "run", (job.dir / "job.json").string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = job_environment();
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  // posix_spawn rather than fork: the server is multi-threaded.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // One log for both streams, appended to, so that lines keep the order they were written in.
  const std::string log = (job.dir / kLogFile).string();
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, job.dir.c_str());
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw InternalError("cannot start a job: posix_spawn failed with " + std::to_string(rc));
  }
  job.pid = pid;
  job.state = "running";
}

std::vector<std::pair<nlohmann::json, Identity>> JobRunner::unreported_ends() {
  std::vector<std::pair<nlohmann::json, Identity>> ended;
  if (!on_end_) return ended;
  for (auto& [id, job] : jobs_) {
    if (job.end_reported || !has_ended(job.state)) continue;
    job.end_reported = true;
    ended.emplace_back(describe(job), job.who);
  }
  return ended;
}

void JobRunner::monitor() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    if (stopping_) break;
    const std::int64_t now = now_ms();
    for (auto& [id, job] : jobs_) {
      reap(job);
      // A stopped job gets its grace period to end cleanly, then SIGKILL.
      if (job.state == "running" && job.stop_requested && !job.killed &&
          now - job.stop_ms > std::int64_t{limits_.stop_grace_seconds} * 1000) {
        kill(job.pid, SIGKILL);
        job.killed = true;
      }
    }
    schedule();
    const auto ended = unreported_ends();
    if (ended.empty()) continue;
    lock.unlock();
    for (const auto& [j, who] : ended) on_end_(j, who);
    lock.lock();
  }
}

nlohmann::json JobRunner::describe(Job& job) {
  reap(job);
  nlohmann::json j = {
      {"id", job.id},
      {"started_by", {{"name", job.who.name}, {"source", job.who.source}}},
      {"kind", job.request.tune ? "tune" : "train"},
      {"family", job.request.family},
      {"experiment", job.request.experiment},
      {"features", job.request.features},
      {"data", job.request.data},
      {"state", job.state},
      {"exit_code", job.exit_code < 0 ? nlohmann::json() : nlohmann::json(job.exit_code)},
      {"queued_ms", job.queued_ms},
      {"started_ms", job.started_ms ? nlohmann::json(job.started_ms) : nlohmann::json()},
      {"ended_ms", job.ended_ms ? nlohmann::json(job.ended_ms) : nlohmann::json()},
      {"stderr_tail", read_log_slice(job.dir / kLogFile, std::nullopt, 2000, false).text},
      {"stop", nullptr}};
  if (job.stop_requested) {
    j["stop"] = {{"by", {{"name", job.stopped_by.name}, {"source", job.stopped_by.source}}},
                 {"reason", job.stop_reason},
                 {"requested_ms", job.stop_ms}};
  }
  if (job.request.tune) {
    j["study"] = job.study;
    j["trials_total"] = job.request.trials;
    std::int64_t done = 0;
    try {
      auto store = open_store(store_uri_, {{}, false});
      StudyStore studies(*store);
      if (const auto s = studies.find(job.study)) {
        for (const auto& t : studies.trials(s->id)) done += t.state != TrialState::kRunning;
      }
    } catch (const std::exception&) {
      // The child may hold a write lock for a moment: report what we know and retry next poll.
    }
    j["trials_done"] = done;
  }
  return j;
}

JobRunner::Job& JobRunner::find(const std::string& id) {
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    throw HttpError(
        404, "no job '" + echo_text(id) + "' on this server; see GET /api/v1/jobs for the list");
  }
  return it->second;
}

nlohmann::json JobRunner::status(const std::string& id) {
  std::lock_guard lock(mutex_);
  return describe(find(id));
}

nlohmann::json JobRunner::stop(const std::string& id, const Identity& who,
                               const std::string& reason) {
  std::lock_guard lock(mutex_);
  Job& job = find(id);
  if (!same_person(job.who, who) && !who.has(Role::kAdmin)) {
    throw HttpError(403, "only who started " + job.id + " (" + echo_text(job.who.name) +
                             ") or an admin can stop it");
  }
  reap(job);
  if (has_ended(job.state)) {
    throw HttpError(409, job.id + " has already ended (" + job.state +
                             "): there is nothing to stop; start a new job to run it again");
  }
  if (job.stop_requested) return describe(job);  // asked twice: it is stopping already
  job.stop_requested = true;
  job.stopped_by = who;
  job.stop_reason = reason;
  job.stop_ms = now_ms();
  if (job.state == "queued") {
    job.state = "stopped";
    job.ended_ms = job.stop_ms;
  } else {
    kill(job.pid, SIGTERM);
  }
  wake_.notify_all();
  return describe(job);
}

nlohmann::json JobRunner::log(const std::string& id, std::optional<std::uint64_t> offset) {
  std::lock_guard lock(mutex_);
  Job& job = find(id);
  reap(job);
  const LogSlice s =
      read_log_slice(job.dir / kLogFile, offset, kJobLogChunk, !has_ended(job.state));
  return {{"id", job.id},       {"state", job.state},
          {"offset", s.offset}, {"next_offset", s.next_offset},
          {"size", s.size},     {"skipped", s.skipped},
          {"text", s.text}};
}

nlohmann::json JobRunner::list() {
  std::lock_guard lock(mutex_);
  std::vector<Job*> newest_first;
  for (auto& [id, job] : jobs_) newest_first.push_back(&job);
  std::sort(newest_first.begin(), newest_first.end(),
            [](const Job* a, const Job* b) { return a->seq > b->seq; });
  nlohmann::json out = nlohmann::json::array();
  for (Job* job : newest_first) out.push_back(describe(*job));
  return out;
}

}  // namespace loanrisk
