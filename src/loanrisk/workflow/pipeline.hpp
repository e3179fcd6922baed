#pragma once
// `loanrisk pipeline run`: the closed loop on a new labelled book. check (schema, data quality,
// drift against the champion's reference) -> train a challenger on the book's training part ->
// validate it against the champion on the held-out part -> register it, attach the report and point
// @challenger at it -> promote it to @champion only when [pipeline] auto_promote is on and every
// gate is green. Each step is a child run of the attempt's pipeline run; the state of every step
// is kept in the work folder, so a pipeline killed at any step resumes where it stopped.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/bundle/decision.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// [pipeline] of loanrisk.toml, with its defaults.
struct PipelineSettings {
  std::string model = "loan-default";  ///< the registered model the challenger joins.
  std::string data;                    ///< the new labelled book (--data overrides).
  std::string work_dir = "loanrisk-pipeline";
  double holdout = 0.25;  ///< share of the book held out (stratified) for validation.
  std::uint64_t seed = 42;
  bool auto_promote = false;  ///< promote a challenger whose every gate is green.
  std::string experiment = "pipeline";
};

/// Reads [pipeline] from a loanrisk.toml (defaults for what it leaves out); UsageError with the
/// place and the fix for an unknown key or a bad value.
PipelineSettings pipeline_settings_from_toml(const std::filesystem::path& config);

/// The steps, in order.
inline const std::vector<std::string> kPipelineSteps{"check", "train", "validate", "register",
                                                     "promote"};

struct PipelineRequest {
  std::filesystem::path config;  ///< loanrisk.toml: [pipeline], training sections, [validation].
  PipelineSettings settings;
  std::string by;       ///< who the registry writes are recorded as ("" : the OS user).
  CreditPolicy policy;  ///< the master scale validation grades with (the server's).
  std::vector<std::string> gated_aliases = kDefaultGatedAliases;  ///< [serve] protected_aliases.
};

/// How a pipeline ended: the exit code a scheduler reads, and what each step did.
struct PipelineResult {
  int exit_code = 0;  ///< 0 done; 4 a red step stopped it (why says which).
  std::string why;
  std::string parent_run_id;  ///< this attempt's pipeline run.
  bool resumed = false;       ///< an earlier attempt had done some steps.
  nlohmann::json state;       ///< state.json: every step's status, run id and findings.
  std::filesystem::path work;
};

/// Runs (or resumes) the pipeline on the book. UsageError for a bad config, InputError for a book
/// that does not read against the schema.
PipelineResult run_pipeline(Store& store, const PipelineRequest& request);

}  // namespace loanrisk
