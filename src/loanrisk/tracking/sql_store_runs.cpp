// Experiments and runs: creation, lookup, ending, and reaping runs whose process died.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/migrations.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/tracking/sql_store.hpp"
#include "loanrisk/tracking/store_uri.hpp"

namespace loanrisk {
namespace {

constexpr const char* kRunColumns =
    "SELECT r.run_id, r.experiment_id, e.name, r.name, r.status, r.start_time, r.end_time, "
    "r.user_name, r.git_commit, r.parent_run_id, r.pid, r.hostname, r.artifact_uri, "
    "r.dataset_sha256, r.dataset_path, r.dataset_rows FROM lr_runs r JOIN lr_experiments e ON e.id "
    "= "
    "r.experiment_id ";

Run to_run(const SqlRow& row) {
  return {.id = row.text(0),
          .experiment_id = row.integer(1),
          .experiment_name = row.text(2),
          .name = row.text(3),
          .status = parse_run_status(row.text(4)),
          .start_ms = row.integer(5),
          .end_ms = row.optional_integer(6),
          .user = row.text(7),
          .git_commit = row.text(8),
          .parent_run_id = row.text(9),
          .pid = row.integer(10),
          .hostname = row.text(11),
          .artifact_dir = row.text(12),
          .dataset_sha256 = row.text(13),
          .dataset_path = row.text(14),
          .dataset_rows = row.optional_integer(15)};
}

Experiment to_experiment(const SqlRow& row) {
  return Experiment{row.integer(0), row.text(1), row.integer(2)};
}

// Fresh kernel randomness per id: a generator seeded once would repeat its ids in fork()ed
// children.
std::string new_run_id() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

using enum RunStatus;
constexpr auto kRunStatuses = enum_names<RunStatus>(
    "run status",
    {{kRunning, "RUNNING"}, {kFinished, "FINISHED"}, {kFailed, "FAILED"}, {kKilled, "KILLED"}});

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string to_string(RunStatus status) {
  return std::string(kRunStatuses.name(status));
}

RunStatus parse_run_status(const std::string& name) {
  if (const auto status = kRunStatuses.parse(name)) return *status;
  throw UsageError("unknown run status '" + name + "': valid statuses are " +
                   join(kRunStatuses.names()));
}

void check_key(const std::string& what, const std::string& key) {
  const auto bad = [&](const std::string& why) {
    throw UsageError("invalid " + what + " '" + key + "': " + why);
  };
  if (key.empty()) bad("it is empty");
  if (key.size() > 250) bad("longer than 250 characters");
  if (key.front() == '/' || key.back() == '/') bad("it may not start or end with '/'");
  if (key.find("..") != std::string::npos || key.find("//") != std::string::npos) {
    bad("'..' and '//' are not allowed");
  }
  for (unsigned char c : key) {
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ' ' || c == '/' ||
          c == ':')) {
      bad("use letters, digits, '_', '-', '.', ' ', ':' and '/'");
    }
  }
}

SqlStore::SqlStore(std::string uri, std::unique_ptr<Database> db,
                   std::filesystem::path artifact_root)
    : uri_(std::move(uri)), db_(std::move(db)), artifact_root_(std::move(artifact_root)) {}

Experiment SqlStore::get_or_create_experiment(const std::string& name) {
  check_key("experiment name", name);
  if (auto found = find_experiment(name)) return *found;
  db_->transaction(true, [&] {
    db_->exec("INSERT INTO lr_experiments(name, created) VALUES(?, ?) ON CONFLICT(name) DO NOTHING",
              {name, now_ms()});
  });
  return *find_experiment(name);
}

std::optional<Experiment> SqlStore::find_experiment(const std::string& name) {
  std::optional<Experiment> out;
  db_->transaction(false, [&] {
    const auto rows =
        db_->query("SELECT id, name, created FROM lr_experiments WHERE name = ?", {name});
    if (!rows.empty()) out = to_experiment(rows[0]);
  });
  return out;
}

std::vector<Experiment> SqlStore::list_experiments() {
  std::vector<Experiment> out;
  db_->transaction(false, [&] {
    out.clear();
    for (const auto& row :
         db_->query("SELECT id, name, created FROM lr_experiments ORDER BY id", {})) {
      out.push_back(to_experiment(row));
    }
  });
  return out;
}

Run SqlStore::create_run(const RunSpec& spec) {
  require_utf8("the run name", spec.name);
  require_utf8("the experiment name", spec.experiment);
  const Experiment exp = get_or_create_experiment(spec.experiment);
  Run r;
  r.id = new_run_id();
  r.experiment_id = exp.id;
  r.experiment_name = exp.name;
  r.name = spec.name.empty() ? "run-" + r.id.substr(0, 8) : spec.name;
  r.start_ms = now_ms();
  r.user = acting_user();
  r.git_commit = spec.git_commit.empty() ? git_commit() : spec.git_commit;
  r.parent_run_id = spec.parent_run_id;
  r.pid = ::getpid();
  r.hostname = this_hostname();
  r.artifact_dir = artifact_root_ / std::to_string(exp.id) / r.id / "artifacts";
  const std::string start = process_start_identity(r.pid);
  db_->transaction(true, [&] {
    if (!r.parent_run_id.empty()) require_run(r.parent_run_id);
    db_->exec(
        "INSERT INTO lr_runs(run_id, experiment_id, name, status, start_time, user_name, "
        "git_commit, "
        "parent_run_id, pid, hostname, process_start, artifact_uri) "
        "VALUES(?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?, ?)",
        {r.id, r.experiment_id, r.name, r.start_ms, r.user, r.git_commit,
         r.parent_run_id.empty() ? SqlValue{} : SqlValue{r.parent_run_id}, r.pid, r.hostname, start,
         r.artifact_dir.string()});
  });
  std::filesystem::create_directories(r.artifact_dir);
  return r;
}

void SqlStore::require_run(const std::string& run_id) {
  if (db_->query("SELECT 1 FROM lr_runs WHERE run_id = ?", {run_id}).empty()) {
    throw UsageError("no run '" + run_id + "' in store '" + redact_store_uri(uri_) +
                     "'; list runs with `loanrisk runs list`");
  }
}

Run SqlStore::get_run(const std::string& run_id) {
  std::optional<Run> out;
  db_->transaction(false, [&] {
    const auto rows = db_->query(std::string(kRunColumns) + "WHERE r.run_id = ?", {run_id});
    if (!rows.empty()) out = to_run(rows[0]);
  });
  if (!out) {
    throw UsageError("no run '" + run_id + "' in store '" + redact_store_uri(uri_) +
                     "'; list runs with `loanrisk runs list`");
  }
  return *out;
}

std::vector<Run> SqlStore::list_runs(const std::optional<std::string>& experiment) {
  reap_dead_runs();
  std::optional<Experiment> exp;
  if (experiment) {
    exp = find_experiment(*experiment);
    if (!exp) {
      std::string names;
      for (const auto& e : list_experiments()) names += (names.empty() ? "" : ", ") + e.name;
      throw UsageError("no experiment '" + *experiment + "'; experiments: " + names);
    }
  }
  std::vector<Run> out;
  db_->transaction(false, [&] {
    out.clear();
    const auto rows =
        exp ? db_->query(std::string(kRunColumns) +
                             "WHERE r.experiment_id = ? ORDER BY r.start_time DESC, r.run_id",
                         {exp->id})
            : db_->query(std::string(kRunColumns) + "ORDER BY r.start_time DESC, r.run_id", {});
    for (const auto& row : rows) out.push_back(to_run(row));
  });
  return out;
}

void SqlStore::end_run(const std::string& run_id, RunStatus status) {
  if (status == RunStatus::kRunning) throw UsageError("a run cannot be ended as RUNNING");
  db_->transaction(true, [&] {
    require_run(run_id);
    db_->exec("UPDATE lr_runs SET status = ?, end_time = ? WHERE run_id = ?",
              {to_string(status), now_ms(), run_id});
  });
}

int SqlStore::reap_dead_runs() {
  struct Candidate {
    std::string id;
    std::int64_t pid;
    std::string start;
  };
  std::vector<Candidate> candidates;
  db_->transaction(false, [&] {
    candidates.clear();
    for (const auto& row :
         db_->query("SELECT run_id, pid, process_start FROM lr_runs WHERE status = "
                    "'RUNNING' AND hostname = ?",
                    {this_hostname()})) {
      candidates.push_back({row.text(0), row.integer(1), row.text(2)});
    }
  });
  int reaped = 0;
  for (const Candidate& c : candidates) {
    if (process_alive(c.pid, c.start)) continue;
    db_->transaction(true, [&] {
      db_->exec(
          "UPDATE lr_runs SET status = 'KILLED', end_time = ? WHERE run_id = ? AND status = "
          "'RUNNING'",
          {now_ms(), c.id});
    });
    ++reaped;
  }
  return reaped;
}

std::unique_ptr<Store> open_store(const std::string& uri, const StoreOptions& options) {
  const StoreUri parsed = parse_store_uri(uri);
  std::unique_ptr<Database> db = open_database(parsed);
  migrate_store(*db, redact_store_uri(uri));
  std::filesystem::path root = options.artifact_root;
  if (root.empty()) {
    root = parsed.kind == StoreKind::kSqlite
               ? std::filesystem::absolute(parsed.sqlite_path).parent_path() / "artifacts"
               : std::filesystem::current_path() / "loanrisk-store" / "artifacts";
  }
  auto store = std::make_unique<SqlStore>(uri, std::move(db), std::filesystem::absolute(root));
  if (options.reap_dead_runs) store->reap_dead_runs();
  return store;
}

}  // namespace loanrisk
