#include "loanrisk/tuning/study.hpp"

#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include <spdlog/spdlog.h>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk {
namespace {

using Clock = std::chrono::steady_clock;

// State shared by the worker threads of one invocation.
struct Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::set<std::int64_t> in_flight;  // this process's trials not finished yet
  std::set<std::int64_t> mine;       // every trial this invocation allocated
  int launched = 0;
  StudyProgress progress;
  std::exception_ptr error;
  bool stopped = false;  // asked to stop: no further trial starts
};

bool asked_to_stop(const StudyRequest& req) {
  return req.should_stop && req.should_stop();
}

StudyInfo open_or_create(Store& store, const StudyRequest& req, bool& created) {
  StudyStore studies(store);
  const std::string space_json = req.space.to_json().dump();
  std::optional<StudyInfo> existing = studies.find(req.name);
  if (!existing) {
    const Run parent = store.create_run({req.experiment, "study-" + req.name, "", ""});
    store.set_tag(parent.id, "loanrisk.study", req.name);
    store.set_tag(parent.id, "loanrisk.study_role", "parent");
    StudyInfo wanted{0,         req.name, req.family, space_json, req.settings.to_json().dump(),
                     parent.id, 0};
    auto [info, made] = studies.create_or_load(wanted);
    if (!made) store.end_run(parent.id, RunStatus::kFinished);  // another process won the race
    created = made;
    existing = info;
  }
  if (existing->family != req.family) {
    throw UsageError("study '" + req.name + "' tunes '" + existing->family + "', not '" +
                     req.family + "': resume it with --model " + existing->family +
                     " or choose another --study name");
  }
  if (existing->space_json != space_json) {
    throw UsageError("study '" + req.name + "' was created with another search space (" +
                     existing->space_json +
                     "): a resumed study keeps its space; choose another "
                     "--study name to tune a new space");
  }
  return *existing;
}

// The COMPLETE trials trial `limit + workers` samples from: this process's own up to `limit` (it
// waited for them, so one process proposes the same parameters every time), and every trial of
// other processes that has finished by now, whatever its number (a shared study's sampler sees
// all it can).
std::vector<ObservedTrial> history_before(const std::vector<TrialRecord>& trials,
                                          std::int64_t limit, const std::set<std::int64_t>& mine) {
  std::vector<ObservedTrial> out;
  for (const auto& t : trials) {
    if ((t.number <= limit || mine.count(t.number) == 0) && t.state == TrialState::kComplete &&
        t.value) {
      out.push_back({t.number, t.params, *t.value});
    }
  }
  return out;
}

std::vector<PrunerTrial> pruner_view(const std::vector<TrialRecord>& trials, std::int64_t self) {
  std::vector<PrunerTrial> out;
  for (const auto& t : trials) {
    if (t.number == self) continue;
    PrunerTrial p{t.number, t.state == TrialState::kComplete, {}, t.rungs};
    for (const auto& [step, v] : t.intermediate) p.intermediate[step] = v;
    out.push_back(std::move(p));
  }
  return out;
}

void run_one(Store& store, const StudyInfo& study, const StudyRequest& req, const Sampler& sampler,
             const Pruner* pruner, const TrialFunction& trial, Shared& shared, std::int64_t number,
             Clock::time_point start) {
  StudyStore studies(store);
  const int workers = std::max(req.settings.workers, 1);
  {
    // Deterministic proposals: wait for this process's trials that trial `number` samples from.
    std::unique_lock lock(shared.mutex);
    shared.changed.wait(lock, [&] {
      return shared.in_flight.empty() || *shared.in_flight.begin() > number - workers ||
             *shared.in_flight.begin() == number;
    });
  }
  std::set<std::int64_t> mine;
  {
    std::lock_guard lock(shared.mutex);
    mine = shared.mine;
  }
  const std::vector<ObservedTrial> history =
      history_before(studies.trials(study.id), number - workers, mine);
  const ParamValues params = sampler.sample(req.space, history, number);
  const Run run = store.create_run(
      {req.experiment, req.name + "-trial-" + std::to_string(number), study.parent_run_id, ""});
  std::map<std::string, std::string> logged;
  for (const auto& [k, v] : params) logged[k] = format_double(v);
  store.log_params(run.id, logged);
  store.set_tag(run.id, "loanrisk.study", req.name);
  store.set_tag(run.id, "loanrisk.trial", std::to_string(number));
  // Which finished trials the sampler saw: a shared study's proposals can be audited.
  std::string seen;
  for (const auto& h : history) seen += (seen.empty() ? "" : ",") + std::to_string(h.number);
  store.set_tag(run.id, "loanrisk.sampler_history",
                seen.size() > 4000 ? seen.substr(0, 4000) + ",..." : seen);
  studies.set_trial_params(study.id, number, params, run.id);

  std::map<std::int64_t, double> current;
  RungValues rungs;
  std::int64_t last_step = 0;
  bool interrupted = false;  // asked to stop while this trial ran
  const IntermediateReporter report = [&](std::int64_t step, double value) {
    current[step] = value;
    last_step = step;
    // The metrics table keeps NaN; trial values are what other trials compete with, so a NaN
    // is not stored there (the pruner stops the trial on it).
    if (!std::isnan(value)) studies.report(study.id, number, step, value);
    store.log_metric(run.id, "intermediate_composite", value, step);
    if (asked_to_stop(req)) {
      interrupted = true;
      return false;  // ends the model's training as pruning does; recorded as FAIL below
    }
    if (pruner == nullptr) return true;
    const RungValues before = rungs;
    const bool prune =
        pruner->should_prune(current, step, pruner_view(studies.trials(study.id), number), rungs);
    for (const auto& [rung, v] : rungs) {
      if (before.count(rung) == 0) studies.record_rung(study.id, number, rung, v);
    }
    return !prune;
  };
  TrialState state = TrialState::kComplete;
  std::optional<double> value;
  try {
    const TrialEvaluation e = trial(params, number, report);
    state = e.pruned ? TrialState::kPruned : TrialState::kComplete;
    if (!std::isnan(e.value)) value = e.value;
    if (interrupted) {
      // Optuna records a trial interrupted by Ctrl-C as FAIL: its model was never finished.
      state = TrialState::kFail;
      value.reset();
      store.set_tag(run.id, "loanrisk.error",
                    "stopped: the study was asked to stop at step " + std::to_string(last_step));
    } else if (state == TrialState::kComplete && !value) {
      // Optuna's rule: a NaN objective fails the trial rather than ranking it.
      state = TrialState::kFail;
      store.set_tag(run.id, "loanrisk.error", "the objective value is NaN");
    } else if (state == TrialState::kComplete) {
      store.log_metrics(run.id, {{"validation_composite", e.value, 0, 0},
                                 {"validation_auc_roc", e.auc_roc, 0, 0},
                                 {"validation_pr_auc", e.pr_auc, 0, 0},
                                 {"validation_f1", e.f1, 0, 0}});
    } else {
      // A pruned trial has no final metrics (its model was never finished); its intermediate
      // values are the record, and the step it stopped at says how far it got.
      store.set_tag(run.id, "loanrisk.pruned_at_step", std::to_string(last_step));
    }
  } catch (const UsageError&) {
    studies.finish_trial(study.id, number, TrialState::kFail, std::nullopt);
    store.set_tag(run.id, "loanrisk.trial_state", "FAIL");
    store.end_run(run.id, RunStatus::kFailed);
    throw;  // the configuration is wrong: every further trial would fail the same way
  } catch (const std::exception& e) {
    state = TrialState::kFail;
    store.set_tag(run.id, "loanrisk.error", e.what());
  }
  studies.finish_trial(study.id, number, state, value);
  store.set_tag(run.id, "loanrisk.trial_state", to_string(state));
  store.end_run(run.id, interrupted                  ? RunStatus::kKilled
                        : state == TrialState::kFail ? RunStatus::kFailed
                                                     : RunStatus::kFinished);

  std::lock_guard lock(shared.mutex);
  shared.stopped = shared.stopped || interrupted;
  StudyProgress& p = shared.progress;
  ++p.finished;
  p.last_number = number;
  p.last_state = state;
  p.last_value = value;
  if (state == TrialState::kComplete && (!p.best_value || *value > *p.best_value)) {
    p.best_value = value;
    p.best_number = number;
  }
  p.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (req.on_progress) req.on_progress(p);
}

}  // namespace

std::optional<TrialRecord> best_trial(const std::vector<TrialRecord>& trials) {
  std::optional<TrialRecord> best;
  for (const auto& t : trials) {
    if (t.state != TrialState::kComplete || !t.value) continue;
    if (!best || *t.value > *best->value) best = t;
  }
  return best;
}

StudyOutcome run_study(const StudyRequest& req, const TrialFunction& trial) {
  const auto start = Clock::now();
  validate_search_space(req.space);
  const auto sampler = make_sampler(req.settings.sampler);
  const auto pruner = make_pruner(req.settings.pruner);
  const std::int64_t budget = std::max(req.settings.study_trials, 0);
  const auto stale_ms = static_cast<std::int64_t>(req.settings.stale_seconds * 1000);
  StudyOutcome out;
  auto main_store = open_store(req.store_uri);
  out.study = open_or_create(*main_store, req, out.created);
  const auto repair = [&](StudyStore& studies) {
    return studies.fail_orphaned_trials(out.study.id) +
           studies.fail_stale_trials(out.study.id, stale_ms);
  };
  {
    StudyStore studies(*main_store);
    out.orphans_failed = repair(studies);
  }

  Shared shared;
  shared.progress.total = req.settings.trials;
  bool done = false;  // tells the heartbeat to end
  std::thread beat([&] {
    try {
      auto store = open_store(req.store_uri);
      StudyStore studies(*store);
      const auto every = std::chrono::duration<double>(req.settings.heartbeat_seconds);
      std::unique_lock lock(shared.mutex);
      while (!shared.changed.wait_for(lock, every, [&] { return done; })) {
        const std::vector<std::int64_t> running(shared.in_flight.begin(), shared.in_flight.end());
        lock.unlock();
        studies.heartbeat(out.study.id, running);
        lock.lock();
      }
    } catch (const std::exception& e) {
      // Without heartbeats other processes fail this one's trials after stale_seconds: say why.
      spdlog::warn("study {}: heartbeats stopped: {}", req.name, e.what());
    }
  });
  const auto worker = [&] {
    try {
      auto store = open_store(req.store_uri);
      StudyStore studies(*store);
      while (true) {
        std::int64_t number = 0;
        {
          std::lock_guard lock(shared.mutex);
          const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
          if (shared.error || shared.stopped || shared.launched >= req.settings.trials ||
              (req.settings.timeout_seconds > 0 && elapsed > req.settings.timeout_seconds)) {
            return;
          }
          if (asked_to_stop(req)) {
            shared.stopped = true;
            return;
          }
          // A shared study: trials of workers killed meanwhile become FAIL, so the budget
          // counts them and no number is left RUNNING for ever.
          if (budget > 0) out.orphans_failed += repair(studies);
          // Allocated under the lock so that this process's numbers enter in_flight in order.
          const std::optional<std::int64_t> next = studies.allocate_trial(out.study.id, budget);
          if (!next) return;  // the study's budget is spent
          number = *next;
          ++shared.launched;
          shared.in_flight.insert(number);
          shared.mine.insert(number);
        }
        try {
          run_one(*store, out.study, req, *sampler, pruner.get(), trial, shared, number, start);
        } catch (...) {
          std::lock_guard lock(shared.mutex);
          shared.in_flight.erase(number);
          shared.changed.notify_all();
          throw;
        }
        std::lock_guard lock(shared.mutex);
        shared.in_flight.erase(number);
        shared.changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(shared.mutex);
      if (!shared.error) shared.error = std::current_exception();
      shared.changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(req.settings.workers, 1); ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(shared.mutex);
    done = true;
  }
  shared.changed.notify_all();
  beat.join();
  if (shared.error) std::rethrow_exception(shared.error);
  out.stopped = shared.stopped;
  main_store->end_run(out.study.parent_run_id,
                      out.stopped ? RunStatus::kKilled : RunStatus::kFinished);
  StudyStore studies(*main_store);
  if (budget > 0) {
    out.orphans_failed += repair(studies);
    std::tie(out.study_count, out.study_running) = studies.count_trials(out.study.id);
    out.complete = out.study_count >= budget && out.study_running == 0;
  }
  out.trials = studies.trials(out.study.id);
  out.best = best_trial(out.trials);
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace loanrisk
