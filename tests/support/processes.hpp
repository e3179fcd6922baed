#pragma once
// Real child processes for the tests that need several processes at once or a process killed
// mid-work (SIGKILL): fork a body, wait for its exit code.
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <iostream>

namespace loanrisk::testing {

/// Runs body in a child process; the child exits 0 when body returns and 1 when it throws.
template <class F>
pid_t spawn(F body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 0;
    try {
      body();
    } catch (const std::exception& e) {
      std::cerr << "child " << ::getpid() << ": " << e.what() << std::endl;
      rc = 1;
    }
    ::_exit(rc);
  }
  return pid;
}

/// The child's exit code, or 128 + signal when a signal ended it; -1 when it cannot be waited for.
inline int wait_exit_code(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace loanrisk::testing
