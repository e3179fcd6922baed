#include "cli/stop_signals.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace loanrisk::cli {
namespace {

std::atomic<int> received{0};  // the first stop signal, 0 until one arrives
static_assert(std::atomic<int>::is_always_lock_free, "read and written in a signal handler");

extern "C" void on_stop_signal(int signal) {
  received.store(signal);
  constexpr char kSaid[] =
      "loanrisk: stopping: no new trial starts and the running one ends at its next report "
      "(the study stays resumable); send the signal again to end at once\n";
  [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kSaid, sizeof kSaid - 1);
}

}  // namespace

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // the second signal takes the default action: the end
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

bool stop_requested() {
  return received.load(std::memory_order_relaxed) != 0;
}

std::function<bool()> stop_check() {
  return [] { return stop_requested(); };
}

int stopped_exit_code() {
  return 128 + received.load();
}

}  // namespace loanrisk::cli
