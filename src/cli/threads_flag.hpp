#pragma once
// `--threads N`, the one knob of every command that computes (train, tune, predict, evaluate,
// validate, monitor, serve, pipeline run, job run): it and [runtime] threads set the process's
// thread budget (core/cpu_budget.hpp), which XGBoost, OpenMP, the server and tuning workers follow.
#include <CLI/CLI.hpp>
#include <string>

#include "loanrisk/core/cpu_budget.hpp"

namespace loanrisk::cli {

/// Adds --threads to cmd, filling `threads` with the text given (checked by use_threads, so that
/// a bad value gets the same exit-2 message whatever CLI11 would have said).
void add_threads_option(CLI::App* cmd, std::string& threads);

/// The budget from --threads (`flag`, empty when not given), then `config_file`'s [runtime]
/// threads (empty: no file), then the CPUs the process may use; made the process's budget and
/// returned. UsageError naming the flag or key and the accepted range.
ThreadBudget use_threads(const std::string& flag, const std::string& config_file);

}  // namespace loanrisk::cli
