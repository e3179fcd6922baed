#pragma once
// One function per subcommand: each adds its options to the app and returns the action to run.
#include <CLI/CLI.hpp>
#include <functional>

namespace loanrisk::cli {

/// The action a subcommand runs once parsing succeeded; returns the exit code.
using Action = std::function<int()>;

void add_synth(CLI::App& app, Action& action);
void add_split(CLI::App& app, Action& action);
void add_train(CLI::App& app, Action& action);
void add_predict(CLI::App& app, Action& action);
void add_evaluate(CLI::App& app, Action& action);
void add_eda(CLI::App& app, Action& action);
void add_runs(CLI::App& app, Action& action);
void add_models(CLI::App& app, Action& action);
void add_tune(CLI::App& app, Action& action);
void add_serve(CLI::App& app, Action& action);
void add_monitor(CLI::App& app, Action& action);

}  // namespace loanrisk::cli
