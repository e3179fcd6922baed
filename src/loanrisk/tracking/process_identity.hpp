#pragma once
// Who is running a run, recorded so that a run whose process died (SIGKILL, power cut) can be told
// apart from one still working: pid + hostname + the process's start time (boot id and start tick
// from /proc, so a recycled pid is not mistaken for the original process).
#include <cstdint>
#include <string>

namespace loanrisk {

/// This machine's host name.
std::string this_hostname();
/// The login name of the user running this process ($USER, else the passwd entry, else the uid).
std::string this_user();
/// Who this process acts for: the name set by set_acting_user, else this_user(). Runs record it
/// as their user and the registry as the person acting; the server's background jobs set it to
/// the identity that started them.
std::string acting_user();
/// Sets acting_user() for the rest of the process (call before starting threads that log runs).
void set_acting_user(std::string name);
/// A string identifying process pid since boot ("<boot id>/<start tick>"); empty when pid is gone.
std::string process_start_identity(std::int64_t pid);
/// True when process pid exists on this host and still has the given start identity.
bool process_alive(std::int64_t pid, const std::string& start_identity);

}  // namespace loanrisk
