#pragma once
// Hyperparameter studies kept in the tracking store, so that a study survives its process: trials
// with their parameters, state, value and intermediate values. Trial numbers are allocated inside a
// write transaction, so several processes (SQLite on one machine, PostgreSQL on several) can work
// on one study without duplicate numbers.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// A trial's life cycle, as Optuna names it.
enum class TrialState { kRunning, kComplete, kPruned, kFail };

/// "RUNNING", "COMPLETE", "PRUNED" or "FAIL".
std::string to_string(TrialState state);
/// Parses a trial state name; InternalError for anything else (only the store writes them).
TrialState parse_trial_state(const std::string& name);

/// A study's identity and the settings it was created with (JSON texts, owned by the tuning
/// layer).
struct StudyInfo {
  std::int64_t id = 0;
  std::string name;
  std::string family;
  std::string space_json;     ///< the search space the study samples from.
  std::string settings_json;  ///< sampler, pruner, objective weights, seed.
  std::string parent_run_id;  ///< the tracked run every trial run is a child of.
  std::int64_t created_ms = 0;
};

/// One trial with everything recorded about it.
struct TrialRecord {
  std::int64_t number = 0;
  TrialState state = TrialState::kRunning;
  std::map<std::string, double> params;
  std::optional<double> value;
  std::string run_id;  ///< empty until the trial's run exists.
  std::int64_t started_ms = 0;
  std::optional<std::int64_t> ended_ms;
  std::vector<std::pair<std::int64_t, double>> intermediate;  ///< (step, value), by step.
  std::map<int, double> rungs;  ///< successive-halving rung -> the value recorded there.
};

/// Study and trial operations over a store; every write is one short transaction.
class StudyStore {
 public:
  /// Uses the store's connection (the store must outlive this object).
  explicit StudyStore(Store& store);

  /// The study with wanted.name, created from wanted when missing (first creator wins when
  /// several processes race); the bool is true when this call created it.
  std::pair<StudyInfo, bool> create_or_load(const StudyInfo& wanted);
  /// The study with this name, if any.
  std::optional<StudyInfo> find(const std::string& name);
  /// Every study, by id.
  std::vector<StudyInfo> list();

  /// Allocates the next trial number (RUNNING, owned by this process) inside a write transaction.
  std::int64_t allocate_trial(std::int64_t study_id);
  /// The same within a study budget: nullopt once the study holds `budget` trials (0: no budget).
  std::optional<std::int64_t> allocate_trial(std::int64_t study_id, std::int64_t budget);
  /// Marks these RUNNING trials of this process alive now.
  void heartbeat(std::int64_t study_id, const std::vector<std::int64_t>& numbers);
  /// Marks RUNNING trials of any host whose last heartbeat (or start, before the first) is older
  /// than stale_ms as FAIL, their runs KILLED; returns how many. A process killed on another
  /// host (a Kubernetes pod) leaves trials only this can repair.
  int fail_stale_trials(std::int64_t study_id, std::int64_t stale_ms);
  /// Trials of the study, and how many of them are RUNNING.
  std::pair<std::int64_t, std::int64_t> count_trials(std::int64_t study_id);
  /// Claims the refit of trial `number` for `who`: true for the first claim, false once another
  /// process (or an earlier run) has claimed it.
  bool claim_refit(std::int64_t study_id, std::int64_t number, const std::string& who);
  /// Records the sampled parameters and the trial's run.
  void set_trial_params(std::int64_t study_id, std::int64_t number,
                        const std::map<std::string, double>& params, const std::string& run_id);
  /// Records an intermediate value (a fold or a boosting round); a step reported twice keeps the
  /// last value.
  void report(std::int64_t study_id, std::int64_t number, std::int64_t step, double value);
  /// Records the value a trial had when it reached a successive-halving rung.
  void record_rung(std::int64_t study_id, std::int64_t number, int rung, double value);
  /// Ends a trial; value is required for COMPLETE and optional otherwise.
  void finish_trial(std::int64_t study_id, std::int64_t number, TrialState state,
                    std::optional<double> value);
  /// Every trial of the study, by number, with its intermediate values.
  std::vector<TrialRecord> trials(std::int64_t study_id);
  /// Marks RUNNING trials of this host whose process is gone as FAIL (their run as KILLED);
  /// returns how many. This is how a study killed with SIGKILL is repaired on resume.
  int fail_orphaned_trials(std::int64_t study_id);

 private:
  /// Inside a write transaction: locks the study's row (PostgreSQL); UsageError when it is gone.
  void lock_study(std::int64_t study_id);

  Store& store_;
  Database& db_;
};

}  // namespace loanrisk
