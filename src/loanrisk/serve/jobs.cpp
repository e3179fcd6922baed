#include "loanrisk/serve/jobs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/features/pipeline.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/serve/http_error.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/workflow/jobs.hpp"

extern char** environ;

namespace loanrisk {
namespace {

constexpr int kMaxTrials = 500;

/// The last max_bytes of a file, starting at a line boundary when possible.
std::string tail_of(const std::filesystem::path& file, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return "";
  std::string text = read_file(file);
  if (text.size() <= max_bytes) return text;
  text = text.substr(text.size() - max_bytes);
  const auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
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

/// The path with every symbolic link and "." / ".." resolved, as far as it exists.
std::filesystem::path resolved(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
  if (ec) return {};
  if (p.has_parent_path() && p.filename().empty()) p = p.parent_path();  // "dir/" is "dir"
  return p;
}

/// True when path is the default data file or lies under one of dirs.
bool data_allowed(const std::string& path, const std::string& default_data,
                  const std::vector<std::string>& dirs) {
  if (path.find('\0') != std::string::npos) return false;
  const auto p = resolved(path);
  if (p.empty()) return false;
  if (!default_data.empty() && p == resolved(default_data)) return true;
  for (const auto& d : dirs) {
    const auto dir = resolved(d);
    if (dir.empty()) continue;
    // Component by component: /data/loans must not admit /data/loans-secret/x.csv.
    auto [dir_end, p_it] = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end());
    if (dir_end == dir.end() && p_it != p.end()) return true;
  }
  return false;
}

}  // namespace

JobRequest parse_job_request(const nlohmann::json& body, const std::string& default_data,
                             const std::vector<std::string>& data_dirs) {
  if (!body.is_object()) {
    throw HttpError(422,
                    "expected a JSON object like {\"family\": \"xgboost\", \"tune\": true, "
                    "\"trials\": 10}");
  }
  JobRequest r;
  nlohmann::json problems = nlohmann::json::array();
  const auto problem = [&](const std::string& field, const nlohmann::json& value,
                           const std::string& rule) {
    problems.push_back({{"field", field}, {"value", value}, {"rule", rule}});
  };
  static const std::set<std::string> known = {"family", "features",   "tune",
                                              "trials", "experiment", "data"};
  for (const auto& [k, v] : body.items()) {
    if (!known.contains(k)) {
      problem(k, v,
              "is not a known field (known: data, experiment, family, features, trials, tune)");
    }
  }
  const auto& families = classifier_families();
  const nlohmann::json family = body.value("family", nlohmann::json());
  if (!family.is_string() ||
      std::find(families.begin(), families.end(), family.get<std::string>()) == families.end()) {
    problem("family", family, "must be one of " + join(families));
  } else {
    r.family = family.get<std::string>();
  }
  if (body.contains("features")) {
    const auto& f = body["features"];
    std::vector<std::string> valid = raw_feature_names();
    const auto& derived = derived_feature_names();
    valid.insert(valid.end(), derived.begin(), derived.end());
    if (!f.is_array() || f.empty()) {
      problem("features", f, "must be a non-empty array of feature names");
    } else {
      for (const auto& name : f) {
        if (!name.is_string() ||
            std::find(valid.begin(), valid.end(), name.get<std::string>()) == valid.end()) {
          problem("features", name, "must be one of " + join(valid));
        } else if (std::find(r.features.begin(), r.features.end(), name.get<std::string>()) !=
                   r.features.end()) {
          problem("features", name, "is listed twice");
        } else {
          r.features.push_back(name.get<std::string>());
        }
      }
    }
  }
  const nlohmann::json tune = body.value("tune", nlohmann::json(false));
  if (!tune.is_boolean()) {
    problem("tune", tune, "must be true or false");
  } else {
    r.tune = tune.get<bool>();
  }
  const nlohmann::json trials = body.value("trials", nlohmann::json(10));
  if (!trials.is_number_integer() || trials.get<long long>() < 1 ||
      trials.get<long long>() > kMaxTrials) {
    problem("trials", trials, "must be an integer between 1 and " + std::to_string(kMaxTrials));
  } else {
    r.trials = trials.get<int>();
  }
  const nlohmann::json experiment =
      body.value("experiment", nlohmann::json(r.tune ? "web-tuning" : "web"));
  const std::string allowed = "letters, digits, '_', '-', '.' and spaces";
  const std::string name = experiment.is_string() ? experiment.get<std::string>() : "";
  const bool name_ok =
      !name.empty() && name.size() <= 100 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
               c == ' ';
      });
  if (!name_ok) {
    problem("experiment", experiment, "must be 1 to 100 characters: " + allowed);
  } else {
    r.experiment = name;
  }
  const nlohmann::json data = body.value("data", nlohmann::json(default_data));
  std::error_code ec;
  if (!data.is_string() || data.get<std::string>().empty()) {
    problem("data", data,
            "must name a labelled loan CSV on the server (the served model's training data is "
            "not on this machine)");
  } else if (!data_allowed(data.get<std::string>(), default_data, data_dirs)) {
    problem("data", data.get<std::string>().size() > 200 ? nlohmann::json("(a long path)") : data,
            "must be the served model's training data or a file inside a folder the server "
            "allows for jobs (" +
                (data_dirs.empty() ? std::string("none configured: set [serve] job_data_dirs")
                                   : "[serve] job_data_dirs: " + join(data_dirs)) +
                ")");
  } else if (!std::filesystem::is_regular_file(data.get<std::string>(), ec)) {
    problem("data", data, "must be an existing file on the server");
  } else {
    r.data = data.get<std::string>();
  }
  if (!problems.empty()) {
    throw HttpError(422,
                    "invalid job request: " + std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem" : " problems") +
                        " (fix each listed field and resend)",
                    {{"problems", problems}});
  }
  return r;
}

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
        job.state = "failed";
        job.exit_code = 128 + SIGKILL;
        job.ended_ms = now_ms();
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
  job.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  job.state = job.exit_code == 0 ? "succeeded" : "failed";
  job.ended_ms = now_ms();
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
      std::ofstream(job->dir / "stderr.log", std::ios::app) << e.what() << "\n";
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
  const std::string out = (job.dir / "stdout.log").string(),
                    err = (job.dir / "stderr.log").string();
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
    if (job.end_reported || (job.state != "succeeded" && job.state != "failed")) continue;
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
    for (auto& [id, job] : jobs_) reap(job);
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
      {"stderr_tail", tail_of(job.dir / "stderr.log", 2000)}};
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

nlohmann::json JobRunner::status(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    throw HttpError(404, "no job '" + id + "' on this server; see GET /api/v1/jobs for the list");
  }
  return describe(it->second);
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
