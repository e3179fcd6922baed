#pragma once
// One function per subcommand: each adds its options to the app and returns the action to run.
#include <CLI/CLI.hpp>
#include <functional>

#include "loanrisk/core/error.hpp"  // the exit codes

namespace loanrisk::cli {

/// The action a subcommand runs once parsing succeeded; returns the exit code.
using Action = std::function<int()>;

/// Adds a subcommand's options to the app and sets `action` when that subcommand is chosen.
using AddCommand = void(CLI::App& app, Action& action);

/// Every subcommand, in the order `loanrisk --help` lists them.
AddCommand add_synth, add_split, add_train, add_predict, add_evaluate, add_validate, add_eda,
    add_runs, add_models, add_tune, add_studies, add_pipeline, add_serve, add_monitor, add_job,
    add_users, add_audit;
inline constexpr AddCommand* kCommands[] = {
    add_synth, add_split,   add_train,  add_predict, add_evaluate, add_validate,
    add_eda,   add_runs,    add_models, add_tune,    add_studies,  add_pipeline,
    add_serve, add_monitor, add_job,    add_users,   add_audit};

}  // namespace loanrisk::cli
