#pragma once
// `loanrisk tune` as a child process, for the tests where several share a study or one is killed.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace loanrisk::testing {

// Starts `loanrisk tune ...` in dir as a child process (stdout/stderr to files) and returns its
// pid.
inline pid_t start_tune(const TempDir& dir, const std::vector<std::string>& args,
                        const std::string& tag) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.path().c_str()) != 0) ::_exit(126);
    const std::string out = (dir / (tag + ".out")).string(), err = (dir / (tag + ".err")).string();
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr)) {
      ::_exit(126);
    }
    std::vector<char*> argv{const_cast<char*>(LOANRISK_BINARY), const_cast<char*>("tune")};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(LOANRISK_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace loanrisk::testing
