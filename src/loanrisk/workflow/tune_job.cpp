// The tuning job: the settings a tune job runs with, its study names, and the run itself (the
// studies of each family, then the refit of each best trial, once for a shared study).
#include <unistd.h>

#include <algorithm>

#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/search_space.hpp"
#include "loanrisk/workflow/jobs.hpp"
#include "loanrisk/workflow/runtime_record.hpp"

namespace loanrisk {

TuningSettings tuning_settings_of(const TuneJob& job) {
  TuningSettings s =
      job.model.config.empty() ? TuningSettings{} : load_tuning_settings(job.model.config);
  if (job.trials) {
    if (*job.trials < 1) {
      throw UsageError("--trials must be >= 1 (got " + std::to_string(*job.trials) + ")");
    }
    s.trials = *job.trials;
  }
  if (job.workers) {
    if (*job.workers < 1 || *job.workers > 64) {
      throw UsageError("--workers must be between 1 and 64 (got " + std::to_string(*job.workers) +
                       ")");
    }
    s.workers = *job.workers;
  }
  if (job.study_trials) {
    if (*job.study_trials < 1) {
      throw UsageError("--study-trials must be >= 1 (got " + std::to_string(*job.study_trials) +
                       ")");
    }
    s.study_trials = *job.study_trials;
  }
  // A worker of a shared study takes trials until the study's budget is spent, unless --trials
  // caps this process too.
  if (s.study_trials > 0 && !job.trials) s.trials = s.study_trials;
  if (job.cv_folds) s.cv_folds = *job.cv_folds;
  if (job.model.seed) s.sampler.seed = *job.model.seed;
  if (!job.sampler.empty()) s.sampler.kind = job.sampler;
  if (!job.pruner.empty()) s.pruner.kind = job.pruner;
  make_sampler(s.sampler);  // validates the names before any data is read
  make_pruner(s.pruner);
  return s;
}

std::string study_name_of(const TuneJob& job, const std::string& family) {
  const bool several = job.model.family == "all";
  const std::string base = job.study.empty() ? "tune-" + family : job.study;
  return several && !job.study.empty() ? base + "-" + family : base;
}

TuneJobResult run_tune_job(const TuneJob& job, Store& store, const TuneHooks& hooks) {
  check_tracking(job.tracking);
  const bool several = job.model.family == "all";
  if (several && !job.tracking.register_as.empty()) {
    throw UsageError("--register is for one family: tune one with --model NAME");
  }
  TuneJobResult result;
  result.settings = tuning_settings_of(job);
  const TuningSettings& s = result.settings;
  // The config as given: a study's seed is the sampler's, not the split's, and the family is
  // the study's (the refit starts from the config's parameters only for the config's family).
  ModelChoice choice = job.model;
  choice.seed.reset();
  choice.family.clear();
  const TrainConfig config = choice.resolve();
  std::vector<std::string> families;
  if (several) {
    const auto& known = classifier_families();
    for (const auto& f : tunable_families()) {
      if (std::find(known.begin(), known.end(), f) != known.end()) families.push_back(f);
    }
  } else {
    families = {job.model.family.empty() ? config.family : job.model.family};
  }
  const std::string experiment =
      job.tracking.experiment.empty() ? "tuning" : job.tracking.experiment;
  for (const auto& family : families) {
    if (hooks.should_stop && hooks.should_stop()) {
      result.stopped = true;
      break;
    }
    TunedFamily& r = result.families.emplace_back();
    r.family = family;
    const SearchSpace space = s.space_for(family);
    validate_search_space(space);
    const TuningData data = prepare_tuning_data(job.data, config, s.cv_folds);
    if (hooks.on_data) hooks.on_data(data);
    bool has_nthread = false;
    for (const auto& spec : param_specs(family)) has_nthread |= spec.name == "nthread";
    const int model_threads = s.workers > 1 ? threads_per_worker(thread_budget().threads, s.workers)
                                            : thread_budget().threads;
    StudyRequest req{store.uri(),
                     study_name_of(job, family),
                     experiment,
                     family,
                     space,
                     s,
                     hooks.progress ? hooks.progress(family) : nullptr,
                     hooks.should_stop};
    r.outcome = run_study(
        req, [&](const ParamValues& params, std::int64_t, const IntermediateReporter& report) {
          ParamValues p = params;
          // Worker threads share the budget: workers x model threads within it (one thread per
          // model on two CPUs) instead of oversubscribing.
          if (has_nthread && s.workers > 1) p["nthread"] = model_threads;
          return evaluate_trial(data, family, p, s.objective, s.report_every, report);
        });
    tag_runtime(store, r.outcome.study.parent_run_id, has_nthread ? model_threads : 0);
    if (r.outcome.stopped) {
      result.stopped = true;
      break;
    }
    if (!r.outcome.best || !job.refit) continue;
    if (s.study_trials > 0) {
      // A shared study is refit once: by the process that sees it complete and claims its best
      // trial first; the others say who will.
      if (!r.outcome.complete) {
        r.refit_note = "not refit here: study " + req.name + " holds " +
                       std::to_string(r.outcome.study_count) + " of its " +
                       std::to_string(s.study_trials) + " trials (" +
                       std::to_string(r.outcome.study_running) +
                       " running); the worker that completes it refits the best trial";
        continue;
      }
      if (!StudyStore(store).claim_refit(r.outcome.study.id, r.outcome.best->number,
                                         this_hostname() + ":" + std::to_string(::getpid()))) {
        r.refit_note = "not refit here: another worker claimed the refit of trial #" +
                       std::to_string(r.outcome.best->number) + " of study " + req.name;
        continue;
      }
    }
    TrainRequest train;
    train.data = job.data;
    train.out = std::filesystem::path(job.out) / (several ? family : req.name);
    train.config = config;
    if (config.family != family) train.config.params.clear();
    train.config.family = family;
    for (const auto& [k, v] : r.outcome.best->params) train.config.params[k] = v;
    train.overwrite = true;
    TrackingOptions tracking{
        experiment,
        req.name + "-best",
        r.outcome.study.parent_run_id,
        several ? "" : job.tracking.register_as,
        several ? "" : job.tracking.alias,
        "best trial #" + std::to_string(r.outcome.best->number) + " of study " + req.name,
        !several && job.tracking.override_gate};
    r.refit = train_tracked(store, train, tracking);
    r.bundle = train.out;
  }
  return result;
}

}  // namespace loanrisk
