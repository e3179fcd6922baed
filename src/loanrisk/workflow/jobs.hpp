#pragma once
// The application layer's jobs: each kind of work (train one family or all of them; tune, refit
// and register) is one spec type and one function. The CLI fills a spec from its flags, the
// server from a web request; a spec travels as JSON (`loanrisk job run SPEC.json`), so nothing
// in between depends on flag names or TOML text.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/config/config.hpp"
#include "loanrisk/monitor/report.hpp"
#include "loanrisk/tracking/store.hpp"
#include "loanrisk/tuning/study.hpp"
#include "loanrisk/tuning/trial_evaluation.hpp"
#include "loanrisk/workflow/tracked.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk {

/// The model a job trains: a loanrisk.toml (or the defaults) with the choices a job overrides.
struct ModelChoice {
  std::string config;  ///< loanrisk.toml; empty: the defaults.
  std::string family;  ///< empty: the config's; "all": every family (train) or every tunable one.
  std::vector<std::string> features;  ///< empty: the config's [features] use.
  std::string imbalance, calibration, threshold_rule, on_duplicate_id;  ///< empty: the config's.
  std::optional<std::uint64_t> seed;  ///< the split's and the model's.
  bool no_monotone = false;           ///< grow trees without [model.monotone] (to compare).

  /// The config with the overrides applied and validated (UsageError naming the problem).
  TrainConfig resolve() const;
};

/// Where a job records its runs; store empty: $LOANRISK_STORE, [store] uri, then the default.
struct JobTracking {
  bool track = true;
  std::string store;
  std::string experiment;  ///< empty: "Default" for training, "tuning" for studies.
  std::string run_name;    ///< empty: generated.
  std::string register_as;
  std::string alias;
  std::string reason;
  /// Move a gated alias (champion) although the new version has no validation report yet: a
  /// first start with nothing to validate against; the reason is recorded with the override.
  bool override_gate = false;
  /// Whom the job acts for (the person who started it on the server): its runs and registry
  /// events name them instead of the operating-system user. Trusted as the store itself is: who
  /// can write a spec can write the store.
  std::string run_as;
};

/// `train`: one family into a bundle folder, or every family (family "all") into out/<family>/.
struct TrainJob {
  static constexpr const char* kKind = "train";
  std::string data;
  std::string out;
  std::string rejects;  ///< non-empty: bad rows go there and training uses the good ones.
  bool overwrite = false;
  /// Stream the book instead of reading it whole ([train] external_memory; tree families).
  bool external_memory = false;
  std::string cache_dir;  ///< non-empty: XGBoost's page cache goes there ([train] cache_dir).
  ModelChoice model;
  JobTracking tracking;
};

/// `tune`: a study per family (resumed when it exists), its best trial refit into out/ and
/// optionally registered.
struct TuneJob {
  static constexpr const char* kKind = "tune";
  std::string data;
  std::string out = "tuned";
  std::string study;  ///< empty: tune-FAMILY.
  std::optional<int> trials, workers, cv_folds;
  /// The study's whole budget over every process sharing it (TuningSettings::study_trials).
  std::optional<int> study_trials;
  std::string sampler, pruner;  ///< empty: the config's [tuning] choice.
  bool refit = true;
  ModelChoice model;
  JobTracking tracking;
};

/// `monitor`: drift of a loan CSV or of the server's prediction log against a bundle's training
/// reference, and performance by window when outcomes are known.
struct MonitorJob {
  static constexpr const char* kKind = "monitor";
  std::string model;                ///< a bundle folder or a model URI (resolved through store).
  std::string store;                ///< for model URIs; empty: $LOANRISK_STORE, then the default.
  std::string data;                 ///< a loan CSV, or
  std::string log;                  ///< a prediction log folder: exactly one of the two.
  std::string since, until;         ///< with log: UTC times, first included and first excluded.
  std::string rejects;              ///< with data: bad rows go here and the rest is monitored.
  std::string outcomes;             ///< with log: the outcome file joined to the logged scorings.
  std::optional<int> horizon_days;  ///< with outcomes: how old a joined scoring may be (365).
  std::string out;                  ///< report.json and report.html.
  std::string window;               ///< performance windows by log time: month, week or day; or
  std::optional<int> window_rows;   ///< windows of this many rows (default: one window).
};

/// A job of any kind. A new kind is a new struct here, its JSON fields (`fields` in jobs.cpp) and
/// its run function.
using JobSpec = std::variant<TrainJob, TuneJob, MonitorJob>;

/// The spec as JSON: {"kind": "train"|"tune", ...fields}; read back by job_from_json.
nlohmann::json job_to_json(const JobSpec& job);
/// InputError naming the field (and source, e.g. the file) for anything that is not a spec.
JobSpec job_from_json(const nlohmann::json& j, const std::string& source);

/// What a training job produced: one outcome per family trained.
struct TrainJobResult {
  struct Family {
    std::string family;
    std::filesystem::path bundle;
    TrainOutcome outcome;
    std::string run_id;                   ///< empty without tracking.
    std::optional<std::int64_t> version;  ///< set when registered.
  };
  std::vector<Family> families;
  bool all = false;    ///< several families: out/comparison.json holds the table.
  TrainConfig config;  ///< the job's config with its overrides (the first family's).
};

/// Runs a training job; store is null when the job does not track (job.tracking.track false).
TrainJobResult run_train_job(const TrainJob& job, Store* store);

/// One family's study and refit.
struct TunedFamily {
  std::string family;
  StudyOutcome outcome;
  std::optional<TrackedOutcome> refit;
  std::filesystem::path bundle;  ///< where the refit bundle went.
  std::string refit_note;        ///< why a shared study was not refit by this process.
};

/// Hooks for a caller that reports progress (the CLI's live line); all may be empty.
struct TuneHooks {
  /// The progress callback of one family's study.
  std::function<std::function<void(const StudyProgress&)>(const std::string& family)> progress;
  /// Called once a family's data is read and split, before its trials run.
  std::function<void(const TuningData&)> on_data;
  /// Asked to stop (the CLI's SIGTERM): the study stops as StudyRequest::should_stop says, and
  /// neither the refit nor a further family runs.
  std::function<bool()> should_stop;
};

/// What a tuning job produced.
struct TuneJobResult {
  std::vector<TunedFamily> families;
  TuningSettings settings;
  bool stopped = false;  ///< ended early by TuneHooks::should_stop; its studies resume.
};

/// UsageError when the tracking options contradict each other (an alias without --register).
void check_tracking(const JobTracking& tracking);

/// The settings a tuning job runs with: [tuning] of its config with the job's overrides,
/// validated before any data is read (UsageError).
TuningSettings tuning_settings_of(const TuneJob& job);

/// The study name a family's study gets in this job.
std::string study_name_of(const TuneJob& job, const std::string& family);

/// Runs a tuning job in the store (studies live there, so a tuning job always tracks).
TuneJobResult run_tune_job(const TuneJob& job, Store& store, const TuneHooks& hooks = {});

/// A one-line JSON summary of a finished job (run ids, bundles, versions, best values), what
/// `loanrisk job run` prints.
nlohmann::json job_result_json(const TrainJobResult& result);
nlohmann::json job_result_json(const TuneJobResult& result);

/// What a monitoring job found; the report is written to job.out.
struct MonitorJobResult {
  std::filesystem::path bundle;
  std::string source;  ///< the file or the log (with its file count) the rows came from.
  std::size_t rows = 0;
  monitor::MonitorReport report;
};

/// Runs a monitoring job; store (null when the model is a folder) resolves a model URI.
MonitorJobResult run_monitor_job(const MonitorJob& job, Store* store);
nlohmann::json job_result_json(const MonitorJobResult& result);

}  // namespace loanrisk
