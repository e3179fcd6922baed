// What an MLflow client does to the store beyond what loanrisk's own commands do: experiments by
// id and created on request, runs that belong to the client (its start time, name and user, no
// owner process), their updates, deletion as a lifecycle stage, tag removal and latest metrics.
#include <cmath>
#include <cstdio>
#include <random>

#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/sql_store.hpp"

namespace loanrisk {
namespace {

std::string client_run_id() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

[[noreturn]] void no_run(const std::string& run_id, const std::string& uri) {
  throw UsageError("no run '" + run_id + "' in store '" + redact_store_uri(uri) +
                   "'; list runs with `loanrisk runs list`");
}

}  // namespace

std::optional<Experiment> SqlStore::find_experiment_by_id(std::int64_t id) {
  std::optional<Experiment> out;
  db_->transaction(false, [&] {
    const auto rows = db_->query("SELECT id, name, created FROM lr_experiments WHERE id = ?", {id});
    if (!rows.empty()) out = Experiment{rows[0].integer(0), rows[0].text(1), rows[0].integer(2)};
  });
  return out;
}

std::optional<Experiment> SqlStore::create_experiment(const std::string& name) {
  check_key("experiment name", name);
  bool created = false;
  db_->transaction(true, [&] {
    created = db_->query("SELECT 1 FROM lr_experiments WHERE name = ?", {name}).empty();
    if (created) {
      db_->exec("INSERT INTO lr_experiments(name, created) VALUES(?, ?)", {name, now_ms()});
    }
  });
  if (!created) return std::nullopt;
  return find_experiment(name);
}

Run SqlStore::create_client_run(const ClientRunSpec& spec) {
  require_utf8("the run name", spec.name);
  require_utf8("the run's user", spec.user);
  for (const auto& [key, value] : spec.tags) {
    check_key("tag key", key);
    require_utf8("the value of tag '" + key + "'", value);
  }
  const std::optional<Experiment> exp = find_experiment_by_id(spec.experiment_id);
  if (!exp) throw UsageError("no experiment with id " + std::to_string(spec.experiment_id));
  Run r;
  r.id = client_run_id();
  r.experiment_id = exp->id;
  r.experiment_name = exp->name;
  r.name = spec.name.empty() ? "run-" + r.id.substr(0, 8) : spec.name;
  r.start_ms = spec.start_ms > 0 ? spec.start_ms : now_ms();
  r.user = spec.user;
  r.artifact_dir = artifact_root_ / std::to_string(exp->id) / r.id / "artifacts";
  // pid 0 on no host: reap_dead_runs() only looks at this host's runs, so it never ends this one.
  db_->transaction(true, [&] {
    db_->exec(
        "INSERT INTO lr_runs(run_id, experiment_id, name, status, start_time, user_name, "
        "git_commit, parent_run_id, pid, hostname, process_start, artifact_uri) "
        "VALUES(?, ?, ?, 'RUNNING', ?, ?, ?, NULL, 0, '', '', ?)",
        {r.id, r.experiment_id, r.name, r.start_ms, r.user,
         spec.tags.contains("mlflow.source.git.commit") ? spec.tags.at("mlflow.source.git.commit")
                                                        : std::string(),
         r.artifact_dir.string()});
    for (const auto& [key, value] : spec.tags) {
      db_->exec("INSERT INTO lr_tags(run_id, key, value) VALUES(?, ?, ?)", {r.id, key, value});
    }
  });
  std::filesystem::create_directories(r.artifact_dir);
  return get_run(r.id);
}

Run SqlStore::update_run(const std::string& run_id, const RunUpdate& update) {
  if (update.name) require_utf8("the run name", *update.name);
  db_->transaction(true, [&] {
    require_run(run_id);
    if (update.status) {
      db_->exec("UPDATE lr_runs SET status = ? WHERE run_id = ?",
                {to_string(*update.status), run_id});
      // A run ended without an end time ends now; one set RUNNING again has none.
      if (*update.status == RunStatus::kRunning) {
        db_->exec("UPDATE lr_runs SET end_time = NULL WHERE run_id = ?", {run_id});
      } else if (!update.end_ms) {
        db_->exec("UPDATE lr_runs SET end_time = ? WHERE run_id = ? AND end_time IS NULL",
                  {now_ms(), run_id});
      }
    }
    if (update.end_ms) {
      db_->exec("UPDATE lr_runs SET end_time = ? WHERE run_id = ?", {*update.end_ms, run_id});
    }
    if (update.name && !update.name->empty()) {
      db_->exec("UPDATE lr_runs SET name = ? WHERE run_id = ?", {*update.name, run_id});
    }
  });
  return get_run(run_id);
}

void SqlStore::set_run_deleted(const std::string& run_id, bool deleted) {
  db_->transaction(true, [&] {
    require_run(run_id);
    db_->exec("UPDATE lr_runs SET lifecycle_stage = ? WHERE run_id = ?",
              {std::string(deleted ? "deleted" : "active"), run_id});
  });
}

std::vector<std::string> SqlStore::deleted_run_ids() {
  std::vector<std::string> out;
  db_->transaction(false, [&] {
    out.clear();
    for (const auto& row :
         db_->query("SELECT run_id FROM lr_runs WHERE lifecycle_stage = 'deleted'", {})) {
      out.push_back(row.text(0));
    }
  });
  return out;
}

std::vector<MetricPoint> SqlStore::latest_metrics(const std::string& run_id) {
  std::vector<MetricPoint> out;
  db_->transaction(false, [&] {
    out.clear();
    require_run(run_id);
    for (const auto& row : db_->query(
             "SELECT key, value, is_nan, step, timestamp FROM (SELECT key, value, is_nan, step, "
             "timestamp, ROW_NUMBER() OVER (PARTITION BY key ORDER BY step DESC, timestamp DESC, "
             "value DESC) AS rn FROM lr_metrics WHERE run_id = ?) latest WHERE rn = 1 ORDER BY key",
             {run_id})) {
      out.push_back({row.text(0), row.integer(2) != 0 ? std::nan("") : row.real(1), row.integer(3),
                     row.integer(4)});
    }
  });
  return out;
}

bool SqlStore::delete_tag(const std::string& run_id, const std::string& key) {
  bool found = false;
  db_->transaction(true, [&] {
    if (db_->query("SELECT 1 FROM lr_runs WHERE run_id = ?", {run_id}).empty()) {
      no_run(run_id, uri_);
    }
    found =
        !db_->query("SELECT 1 FROM lr_tags WHERE run_id = ? AND key = ?", {run_id, key}).empty();
    if (found) db_->exec("DELETE FROM lr_tags WHERE run_id = ? AND key = ?", {run_id, key});
  });
  return found;
}

}  // namespace loanrisk
