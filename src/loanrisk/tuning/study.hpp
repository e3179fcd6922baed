#pragma once
// A study: trials proposed by a sampler, run by worker threads, pruned by a pruner, and recorded in
// the tracking store (each trial a run, child of the study's parent run) so that it can be resumed
// and shared by several processes.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/settings.hpp"
#include "loanrisk/tuning/trial_evaluation.hpp"

namespace loanrisk {

/// Runs one trial: parameters and trial number in, evaluation out; report() gives intermediate
/// values to the pruner (false: stop, the trial is pruned).
using TrialFunction = std::function<TrialEvaluation(const ParamValues& params, std::int64_t number,
                                                    const IntermediateReporter& report)>;

/// Where a running study stands, for progress lines.
struct StudyProgress {
  int finished = 0;  ///< trials this invocation finished (any state).
  int total = 0;     ///< trials this invocation runs.
  std::optional<double> best_value;
  std::int64_t best_number = -1;
  double elapsed_seconds = 0;
  std::int64_t last_number = 0;
  TrialState last_state = TrialState::kComplete;
  std::optional<double> last_value;  ///< the last finished trial's objective, if it has one.
};

/// How to run a study.
struct StudyRequest {
  std::string store_uri;
  std::string name;
  std::string experiment = "tuning";  ///< experiment of the parent and trial runs.
  std::string family;
  SearchSpace space;
  TuningSettings settings;
  std::function<void(const StudyProgress&)> on_progress;  ///< may be empty.
  /// Asked to stop (SIGTERM, say); may be empty. Once it answers true no trial starts, and a trial
  /// in flight ends at its next intermediate report as FAIL, its run KILLED (Optuna's record of a
  /// trial interrupted by Ctrl-C); a trial that reports nothing finishes first.
  std::function<bool()> should_stop;
};

/// The result of one invocation.
struct StudyOutcome {
  StudyInfo study;
  bool created = false;             ///< false: resumed an existing study.
  int orphans_failed = 0;           ///< RUNNING trials of dead processes marked FAIL on resume.
  std::vector<TrialRecord> trials;  ///< every trial of the study (all invocations), by number.
  std::optional<TrialRecord> best;  ///< the COMPLETE trial with the highest value.
  double seconds = 0;
  /// Ended early by should_stop: the parent run is KILLED and the study resumes as any other.
  bool stopped = false;
  /// With a study budget (settings.study_trials): the study holds that many trials and none is
  /// RUNNING, as this process saw at its end; the process that sees it refits.
  bool complete = false;
  std::int64_t study_count = 0;    ///< with a budget: the study's trials at this process's end,
  std::int64_t study_running = 0;  ///< and how many of them were RUNNING.
};

/// Creates or resumes the study (UsageError when an existing study of that name has another
/// family or search space), repairs trials of dead processes, runs settings.trials more trials on
/// settings.workers threads and returns the whole study. Trial k samples from the COMPLETE trials
/// numbered k - workers or lower (waiting for this process's own ones), so one process with the
/// same seed and worker count proposes the same parameters; trials of other processes are used
/// when they finished in time. With should_stop, it returns early once asked (stopped true).
StudyOutcome run_study(const StudyRequest& request, const TrialFunction& trial);

/// The best COMPLETE trial (highest value, lowest number on ties), if any.
std::optional<TrialRecord> best_trial(const std::vector<TrialRecord>& trials);

}  // namespace loanrisk
