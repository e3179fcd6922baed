// `loanrisk tune`: hyperparameter studies (TPE or random, pruned, resumable, shared through the
// tracking store), the best trial refit and bundled, and the study analysis as JSON.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/print.hpp"
#include "cli/stop_signals.hpp"
#include "cli/store_access.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/store_uri.hpp"
#include "loanrisk/tracking/text_table.hpp"
#include "loanrisk/tuning/analysis.hpp"
#include "loanrisk/tuning/study.hpp"
#include "loanrisk/workflow/jobs.hpp"

namespace loanrisk::cli {
namespace {

struct TuneArgs {
  std::string data, config, model = "xgboost", study, out = "tuned", store, experiment = "tuning";
  std::string sampler, pruner, register_as, alias, analysis, on_duplicate_id, threads;
  std::optional<int> trials, workers, cv_folds, study_trials;
  std::optional<std::uint64_t> seed;
  bool quiet = false, no_refit = false, no_monotone = false;
};

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 100 ? "%.1fs" : "%.0fs", s);
  return buf;
}

// The live progress line on stderr (a terminal only): trial k/N, best so far, elapsed, ETA.
std::function<void(const StudyProgress&)> progress_printer(const std::string& family, bool live) {
  if (!live) return {};
  return [family](const StudyProgress& p) {
    const double eta = p.finished > 0 ? p.elapsed_seconds / p.finished * (p.total - p.finished) : 0;
    char best[64] = "-";
    if (p.best_value) {
      std::snprintf(best, sizeof best, "%.5f (#%lld)", *p.best_value,
                    static_cast<long long>(p.best_number));
    }
    std::fprintf(stderr, "\r[%s] trial %d/%d  best %s  elapsed %s  ETA %s   ", family.c_str(),
                 p.finished, p.total, best, seconds_text(p.elapsed_seconds).c_str(),
                 seconds_text(eta).c_str());
    if (p.finished == p.total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

/// The job the flags describe.
TuneJob job_of(const TuneArgs& a, const std::string& store_uri) {
  TuneJob job;
  job.data = a.data;
  job.out = a.out;
  job.study = a.study;
  job.trials = a.trials;
  job.study_trials = a.study_trials;
  job.workers = a.workers;
  job.cv_folds = a.cv_folds;
  job.sampler = a.sampler;
  job.pruner = a.pruner;
  job.refit = !a.no_refit;
  job.model.config = a.config;
  job.model.family = a.model;
  job.model.on_duplicate_id = a.on_duplicate_id;
  job.model.seed = a.seed;
  job.model.no_monotone = a.no_monotone;
  job.tracking.store = store_uri;
  job.tracking.experiment = a.experiment;
  job.tracking.register_as = a.register_as;
  job.tracking.alias = a.alias;
  return job;
}

void print_summary(const std::vector<TunedFamily>& results) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    int complete = 0, pruned = 0, failed = 0;
    for (const auto& t : r.outcome.trials) {
      complete += t.state == TrialState::kComplete;
      pruned += t.state == TrialState::kPruned;
      failed += t.state == TrialState::kFail;
    }
    const auto& best = r.outcome.best;
    rows.push_back(
        {r.family, r.outcome.study.name,
         std::to_string(complete) + "/" + std::to_string(pruned) + "/" + std::to_string(failed),
         best ? format_double(*best->value) : "-", best ? "#" + std::to_string(best->number) : "-",
         r.refit ? format_double(r.refit->outcome.test.auc_roc) : "-",
         seconds_text(r.outcome.seconds), r.refit ? r.bundle.string() : "-"});
  }
  std::cout << render_table({"family", "study", "complete/pruned/fail", "best validation composite",
                             "best trial", "refit test AUC", "time", "bundle"},
                            rows);
}

int run_tune(const TuneArgs& a) {
  if (!a.alias.empty() && a.register_as.empty()) {
    throw UsageError("--alias needs --register NAME: an alias points at a registered version");
  }
  use_threads(a.threads, a.config);
  TrainConfig config = a.config.empty() ? TrainConfig{} : load_config(a.config);
  if (!a.on_duplicate_id.empty()) config.on_duplicate_id = a.on_duplicate_id;
  auto store = open_cli_store(a.store, config.store_uri);
  if (a.data.empty()) {
    if (a.study.empty() || a.analysis.empty()) {
      throw UsageError(
          "tune needs --data FILE to run trials, or --study NAME --analysis FILE to "
          "analyse an existing study");
    }
    StudyStore studies(*store);
    const auto study = studies.find(a.study);
    if (!study) {
      std::string names;
      for (const auto& s : studies.list()) names += (names.empty() ? "" : ", ") + s.name;
      throw UsageError("no study '" + a.study + "' in " + redact_store_uri(store->uri()) +
                       "; studies: " + (names.empty() ? "(none)" : names));
    }
    const SearchSpace space = SearchSpace::from_json(nlohmann::json::parse(study->space_json));
    write_json_file(a.analysis, analyse_study(*study, space, studies.trials(study->id)));
    std::cout << "analysis of study '" << a.study << "' written to " << a.analysis << "\n";
    return 0;
  }
  const TuneJob job = job_of(a, store->uri());
  const bool live = !a.quiet && ::isatty(STDERR_FILENO);
  TuneHooks hooks;
  hooks.progress = [live](const std::string& family) { return progress_printer(family, live); };
  hooks.on_data = [&config](const TuningData& data) {
    report_duplicates(std::cout, data.duplicates, config.on_duplicate_id,
                      data.rows_dropped_as_duplicates);
  };
  catch_stop_signals();
  hooks.should_stop = stop_check();
  const TuneJobResult tuned = run_tune_job(job, *store, hooks);
  const auto& results = tuned.families;
  const TuningSettings& settings = tuned.settings;
  const bool several = a.model == "all";
  print_summary(results);
  for (const auto& r : results) {
    if (!r.refit_note.empty()) std::cout << r.refit_note << "\n";
  }
  if (!a.analysis.empty() && !results.empty()) {
    nlohmann::json all = nlohmann::json::object();
    for (const auto& r : results) {
      all[r.family] =
          analyse_study(r.outcome.study, settings.space_for(r.family), r.outcome.trials);
    }
    write_json_file(a.analysis, several ? all : all[results.at(0).family]);
  }
  for (const auto& r : results) {
    if (r.refit && r.refit->version) {
      std::cout << "registered " << a.register_as << " version " << *r.refit->version
                << (a.alias.empty() ? "" : " as @" + a.alias) << "\n";
    }
  }
  if (tuned.stopped) {
    std::cout << "stopped before the last trial; the same command resumes the study\n";
    return stopped_exit_code();
  }
  return 0;
}

}  // namespace

void add_tune(CLI::App& app, Action& action) {
  auto a = std::make_shared<TuneArgs>();
  auto* cmd = app.add_subcommand(
      "tune", "Tune hyperparameters (TPE or random search, pruning, resumable studies)");
  cmd->add_option("--data", a->data, "Labelled loan CSV (split as `loanrisk train` splits it)");
  cmd->add_option("--config", a->config, "loanrisk.toml ([tuning], [split], [features], [model])");
  cmd->add_option("--model", a->model, "Family to tune, or `all` to tune and compare every family");
  cmd->add_option("--study", a->study, "Study name: resumed when it exists (default tune-FAMILY)");
  cmd->add_option("--trials", a->trials, "Trials to run in this invocation (default 50)");
  cmd->add_option("--workers", a->workers, "Trial threads in this process (default 1)");
  cmd->add_option("--study-trials", a->study_trials,
                  "The study's budget over every process sharing it: take trials until it holds "
                  "this many; the process that completes it refits, once (docs/scaling.md)");
  cmd->add_option("--sampler", a->sampler, "tpe (default) or random");
  cmd->add_option("--pruner", a->pruner, "median (default), successive_halving or none");
  cmd->add_option("--cv-folds", a->cv_folds, "k-fold CV on train + validation (default: off)");
  cmd->add_option("--seed", a->seed, "Sampler seed (default 42)");
  cmd->add_option("--on-duplicate-id", a->on_duplicate_id, kOnDuplicateIdHelp);
  cmd->add_flag("--no-monotone", a->no_monotone,
                "Tune trees without the [model.monotone] constraints (to compare)");
  cmd->add_option("--out", a->out, "Folder for the refit best bundle(s) (default ./tuned)");
  cmd->add_flag("--no-refit", a->no_refit, "Do not refit and bundle the best trial");
  cmd->add_option("--register", a->register_as, "Register the refit bundle under this name");
  cmd->add_option("--alias", a->alias, "With --register: point this alias (e.g. challenger) at it");
  cmd->add_option("--analysis", a->analysis, "Write the study analysis JSON to this file");
  cmd->add_option(
      "--store", a->store,
      "Store URI (default: $LOANRISK_STORE, else sqlite:///loanrisk-store/loanrisk.db)");
  cmd->add_option("--experiment", a->experiment, "Experiment of the study's runs (default tuning)");
  cmd->add_flag("--quiet", a->quiet, "No live progress on stderr");
  add_threads_option(cmd, a->threads);
  cmd->callback([&action, a] { action = [a] { return run_tune(*a); }; });
}

}  // namespace loanrisk::cli
