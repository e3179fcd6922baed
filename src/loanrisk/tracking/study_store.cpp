// Studies and trials in the store's own tables (schema versions 2 and 3).
#include "loanrisk/tracking/study_store.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/enum_names.hpp"
#include "loanrisk/tracking/process_identity.hpp"

namespace loanrisk {
namespace {

constexpr const char* kStudyColumns =
    "SELECT id, name, family, space, settings, parent_run_id, created FROM lr_studies ";

StudyInfo to_study(const SqlRow& row) {
  return StudyInfo{row.integer(0), row.text(1), row.text(2),   row.text(3),
                   row.text(4),    row.text(5), row.integer(6)};
}

std::string params_to_text(const std::map<std::string, double>& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : params) j[k] = v;
  return j.dump();
}

std::map<std::string, double> params_from_text(const std::string& text) {
  std::map<std::string, double> out;
  if (text.empty()) return out;
  const nlohmann::json parsed = nlohmann::json::parse(text);  // items() must not outlive it
  for (const auto& [k, v] : parsed.items()) out[k] = v.get<double>();
  return out;
}

using enum TrialState;
constexpr auto kTrialStates = enum_names<TrialState>(
    "trial state",
    {{kRunning, "RUNNING"}, {kComplete, "COMPLETE"}, {kPruned, "PRUNED"}, {kFail, "FAIL"}});

}  // namespace

std::string to_string(TrialState state) {
  return std::string(kTrialStates.name(state));
}

TrialState parse_trial_state(const std::string& name) {
  if (const auto state = kTrialStates.parse(name)) return *state;
  throw InternalError("unknown trial state '" + name + "' in the store");
}

StudyStore::StudyStore(Store& store) : store_(store), db_(store.database()) {}

std::pair<StudyInfo, bool> StudyStore::create_or_load(const StudyInfo& wanted) {
  check_key("study name", wanted.name);
  std::pair<StudyInfo, bool> out;
  db_.transaction(true, [&] {
    const auto rows = db_.query(std::string(kStudyColumns) + "WHERE name = ?", {wanted.name});
    if (!rows.empty()) {
      out = {to_study(rows[0]), false};
      return;
    }
    // ON CONFLICT: a concurrent creator (PostgreSQL reads committed rows only) wins quietly.
    db_.exec(
        "INSERT INTO lr_studies(name, family, space, settings, parent_run_id, created) "
        "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING",
        {wanted.name, wanted.family, wanted.space_json, wanted.settings_json, wanted.parent_run_id,
         now_ms()});
    const StudyInfo info =
        to_study(db_.query(std::string(kStudyColumns) + "WHERE name = ?", {wanted.name})[0]);
    out = {info, info.parent_run_id == wanted.parent_run_id && info.family == wanted.family &&
                     info.space_json == wanted.space_json};
  });
  return out;
}

std::optional<StudyInfo> StudyStore::find(const std::string& name) {
  std::optional<StudyInfo> out;
  db_.transaction(false, [&] {
    const auto rows = db_.query(std::string(kStudyColumns) + "WHERE name = ?", {name});
    out = rows.empty() ? std::nullopt : std::optional(to_study(rows[0]));
  });
  return out;
}

std::vector<StudyInfo> StudyStore::list() {
  std::vector<StudyInfo> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const auto& row : db_.query(std::string(kStudyColumns) + "ORDER BY id", {})) {
      out.push_back(to_study(row));
    }
  });
  return out;
}

std::int64_t StudyStore::allocate_trial(std::int64_t study_id) {
  return *allocate_trial(study_id, 0);
}

std::optional<std::int64_t> StudyStore::allocate_trial(std::int64_t study_id, std::int64_t budget) {
  const std::int64_t pid = ::getpid();
  const std::string start = process_start_identity(pid);
  const std::string host = this_hostname();
  std::optional<std::int64_t> number;
  db_.transaction(true, [&] {
    number.reset();
    lock_study(study_id);
    const auto rows = db_.query(
        "SELECT COALESCE(MAX(number) + 1, 0) FROM lr_trials WHERE study_id = ?", {study_id});
    if (budget > 0 && rows[0].integer(0) >= budget) return;  // the study's budget is spent
    number = rows[0].integer(0);
    const std::int64_t now = now_ms();
    db_.exec(
        "INSERT INTO lr_trials(study_id, number, state, params, value, run_id, started, ended, "
        "owner_pid, owner_host, owner_start, heartbeat) VALUES(?, ?, 'RUNNING', '', NULL, '', ?, "
        "NULL, ?, ?, ?, ?)",
        {study_id, *number, now, pid, host, start, now});
  });
  return number;
}

void StudyStore::lock_study(std::int64_t study_id) {
  // SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL needs the study row locked
  // so that two transactions never read the same MAX(number) or claim the same refit.
  const auto lock = db_.query(db_.dialect() == Dialect::kPostgres
                                  ? "SELECT id FROM lr_studies WHERE id = ? FOR UPDATE"
                                  : "SELECT id FROM lr_studies WHERE id = ?",
                              {study_id});
  if (lock.empty()) throw UsageError("no study with id " + std::to_string(study_id));
}

void StudyStore::heartbeat(std::int64_t study_id, const std::vector<std::int64_t>& numbers) {
  if (numbers.empty()) return;
  db_.transaction(true, [&] {
    const std::int64_t now = now_ms();
    for (const std::int64_t n : numbers) {
      db_.exec(
          "UPDATE lr_trials SET heartbeat = ? WHERE study_id = ? AND number = ? AND state = "
          "'RUNNING'",
          {now, study_id, n});
    }
  });
}

int StudyStore::fail_stale_trials(std::int64_t study_id, std::int64_t stale_ms) {
  std::vector<std::pair<std::int64_t, std::string>> stale;  // number, run id
  db_.transaction(true, [&] {
    stale.clear();
    const std::int64_t now = now_ms();
    for (const auto& row :
         db_.query("SELECT number, run_id FROM lr_trials WHERE study_id = ? AND state = "
                   "'RUNNING' AND COALESCE(heartbeat, started) < ?",
                   {study_id, now - stale_ms})) {
      stale.emplace_back(row.integer(0), row.text(1));
    }
    for (const auto& [n, run] : stale) {
      db_.exec(
          "UPDATE lr_trials SET state = 'FAIL', ended = ? WHERE study_id = ? AND number = ? AND "
          "state = 'RUNNING'",
          {now, study_id, n});
    }
  });
  for (const auto& [n, run] : stale) {
    if (!run.empty() && store_.get_run(run).status == RunStatus::kRunning) {
      store_.set_tag(run, "loanrisk.error",
                     "abandoned: no heartbeat for " + std::to_string(stale_ms / 1000) +
                         " s (its process was killed or lost the store)");
      store_.end_run(run, RunStatus::kKilled);
    }
  }
  return static_cast<int>(stale.size());
}

std::pair<std::int64_t, std::int64_t> StudyStore::count_trials(std::int64_t study_id) {
  std::pair<std::int64_t, std::int64_t> out;
  db_.transaction(false, [&] {
    const auto rows = db_.query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'RUNNING' THEN 1 ELSE 0 END), 0) FROM "
        "lr_trials WHERE study_id = ?",
        {study_id});
    out = {rows[0].integer(0), rows[0].integer(1)};
  });
  return out;
}

bool StudyStore::claim_refit(std::int64_t study_id, std::int64_t number, const std::string& who) {
  bool claimed = false;
  db_.transaction(true, [&] {
    lock_study(study_id);
    claimed = db_.query("SELECT 1 FROM lr_study_refits WHERE study_id = ? AND trial_number = ?",
                        {study_id, number})
                  .empty();
    if (claimed) {
      db_.exec(
          "INSERT INTO lr_study_refits(study_id, trial_number, claimed_by, claimed_at) VALUES(?, "
          "?, ?, ?)",
          {study_id, number, who, now_ms()});
    }
  });
  return claimed;
}

void StudyStore::set_trial_params(std::int64_t study_id, std::int64_t number,
                                  const std::map<std::string, double>& params,
                                  const std::string& run_id) {
  db_.transaction(true, [&] {
    db_.exec("UPDATE lr_trials SET params = ?, run_id = ? WHERE study_id = ? AND number = ?",
             {params_to_text(params), run_id, study_id, number});
  });
}

void StudyStore::report(std::int64_t study_id, std::int64_t number, std::int64_t step,
                        double value) {
  db_.transaction(true, [&] {
    db_.exec("DELETE FROM lr_trial_values WHERE study_id = ? AND number = ? AND step = ?",
             {study_id, number, step});
    db_.exec("INSERT INTO lr_trial_values(study_id, number, step, value) VALUES(?, ?, ?, ?)",
             {study_id, number, step, value});
  });
}

void StudyStore::record_rung(std::int64_t study_id, std::int64_t number, int rung, double value) {
  db_.transaction(true, [&] {
    db_.exec("DELETE FROM lr_trial_rungs WHERE study_id = ? AND number = ? AND rung = ?",
             {study_id, number, std::int64_t{rung}});
    db_.exec("INSERT INTO lr_trial_rungs(study_id, number, rung, value) VALUES(?, ?, ?, ?)",
             {study_id, number, std::int64_t{rung}, value});
  });
}

void StudyStore::finish_trial(std::int64_t study_id, std::int64_t number, TrialState state,
                              std::optional<double> value) {
  if (state == TrialState::kRunning) throw InternalError("a trial cannot be finished as RUNNING");
  if (state == TrialState::kComplete && !value) {
    throw InternalError("a COMPLETE trial needs a value");
  }
  db_.transaction(true, [&] {
    db_.exec(
        "UPDATE lr_trials SET state = ?, value = ?, ended = ? WHERE study_id = ? AND number = ?",
        {to_string(state), value ? SqlValue(*value) : SqlValue(std::monostate{}), now_ms(),
         study_id, number});
  });
}

std::vector<TrialRecord> StudyStore::trials(std::int64_t study_id) {
  std::vector<TrialRecord> out;
  db_.transaction(false, [&] {
    out.clear();
    for (const auto& row : db_.query(
             "SELECT number, state, params, value, run_id, started, ended FROM lr_trials WHERE "
             "study_id = ? ORDER BY number",
             {study_id})) {
      TrialRecord t;
      t.number = row.integer(0);
      t.state = parse_trial_state(row.text(1));
      t.params = params_from_text(row.text(2));
      if (!row.is_null(3)) t.value = row.real(3);
      t.run_id = row.text(4);
      t.started_ms = row.integer(5);
      t.ended_ms = row.optional_integer(6);
      out.push_back(std::move(t));
    }
    std::size_t i = 0;
    for (const auto& row : db_.query(
             "SELECT number, step, value FROM lr_trial_values WHERE study_id = ? ORDER BY number, "
             "step",
             {study_id})) {
      const std::int64_t number = row.integer(0);
      while (i < out.size() && out[i].number < number) ++i;
      if (i < out.size() && out[i].number == number) {
        out[i].intermediate.emplace_back(row.integer(1), row.real(2));
      }
    }
    i = 0;
    for (const auto& row :
         db_.query("SELECT number, rung, value FROM lr_trial_rungs WHERE study_id = ? ORDER BY "
                   "number, rung",
                   {study_id})) {
      const std::int64_t number = row.integer(0);
      while (i < out.size() && out[i].number < number) ++i;
      if (i < out.size() && out[i].number == number) {
        out[i].rungs[static_cast<int>(row.integer(1))] = row.real(2);
      }
    }
  });
  return out;
}

int StudyStore::fail_orphaned_trials(std::int64_t study_id) {
  struct Candidate {
    std::int64_t number;
    std::int64_t pid;
    std::string start;
    std::string run_id;
  };
  std::vector<Candidate> candidates;
  db_.transaction(false, [&] {
    candidates.clear();
    for (const auto& row : db_.query(
             "SELECT number, owner_pid, owner_start, run_id FROM lr_trials WHERE study_id = ? "
             "AND state = 'RUNNING' AND owner_host = ?",
             {study_id, this_hostname()})) {
      candidates.push_back({row.integer(0), row.integer(1), row.text(2), row.text(3)});
    }
  });
  int failed = 0;
  for (const auto& c : candidates) {
    if (process_alive(c.pid, c.start)) continue;
    db_.transaction(true, [&] {
      db_.exec(
          "UPDATE lr_trials SET state = 'FAIL', ended = ? WHERE study_id = ? AND number = ? AND "
          "state = 'RUNNING'",
          {now_ms(), study_id, c.number});
    });
    if (!c.run_id.empty() && store_.get_run(c.run_id).status == RunStatus::kRunning) {
      store_.end_run(c.run_id, RunStatus::kKilled);
    }
    ++failed;
  }
  return failed;
}

}  // namespace loanrisk
