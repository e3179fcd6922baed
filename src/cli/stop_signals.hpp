#pragma once
// A study stopped by SIGTERM or SIGINT (the server's Stop button, Ctrl-C) ends cleanly: the first
// signal only asks, the running trial ends as FAIL at its next report and nothing new starts, so
// the study stays resumable; a second signal kills at once, as the default would have.
#include <functional>

namespace loanrisk::cli {

/// Catches SIGTERM and SIGINT from now on: the first of them is remembered (and said on stderr),
/// the next one ends the process with the default action.
void catch_stop_signals();

/// Whether a stop signal has arrived (async-signal-safe to set, cheap to read).
bool stop_requested();

/// stop_requested as a callable for TuneHooks::should_stop.
std::function<bool()> stop_check();

/// The exit code a stopped command ends with: 128 + the signal, as a shell reports a process
/// that signal ended (143 for SIGTERM, 130 for SIGINT).
int stopped_exit_code();

}  // namespace loanrisk::cli
