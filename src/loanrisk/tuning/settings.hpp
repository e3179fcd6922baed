#pragma once
// The [tuning] section of loanrisk.toml: trial budget, sampler, pruner, objective weights, CV folds
// and per-family search spaces. Unknown keys are rejected with the known ones and file:line:col.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/tuning/objective.hpp"
#include "loanrisk/tuning/pruner.hpp"
#include "loanrisk/tuning/sampler.hpp"
#include "loanrisk/tuning/search_space.hpp"

namespace loanrisk {

/// Everything a study needs besides the data and the training configuration.
struct TuningSettings {
  int trials = 50;             ///< trials this invocation runs (per family).
  int workers = 1;             ///< trial threads in this process.
  int cv_folds = 0;            ///< 0 or 1: the validation split; k >= 2: k-fold CV.
  int report_every = 10;       ///< boosting rounds between intermediate values.
  double timeout_seconds = 0;  ///< 0: no limit; else no new trial after this long.
  /// The study's whole budget, shared by every process working on it (0: none). Workers take
  /// trials until the study holds this many; the one that sees it complete refits, once.
  int study_trials = 0;
  /// How often a process marks its running trials alive, and how long after the last mark
  /// another process (on any host) may fail them as abandoned (Optuna's heartbeat and grace).
  double heartbeat_seconds = 10;
  double stale_seconds = 60;
  SamplerSettings sampler;
  PrunerSettings pruner;
  ObjectiveWeights objective;
  std::map<std::string, SearchSpace> spaces;  ///< declared in the file; others use defaults.

  /// The space for a family: the declared one, else the default.
  SearchSpace space_for(const std::string& family) const;
  /// The settings a study records (sampler, pruner, objective, folds), as JSON.
  nlohmann::json to_json() const;
};

/// Reads [tuning] of a loanrisk.toml (defaults when the file has none); UsageError with
/// file:line:col for a bad key or value.
TuningSettings load_tuning_settings(const std::filesystem::path& path);
/// Parses the [tuning] section of config text (source_name is used in messages).
TuningSettings parse_tuning_settings(std::string_view text, const std::string& source_name);

}  // namespace loanrisk
