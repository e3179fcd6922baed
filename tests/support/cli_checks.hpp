#pragma once
// The refusals of the loanrisk binary as the CLI integration tests check them: exit code and
// message together.
#include <gtest/gtest.h>

#include <string>

#include "integration/cli_runner.hpp"

namespace loanrisk::testing {

/// Runs `loanrisk <args>` in dir and checks that it exits with `code` and says `message` on
/// stderr; returns the run for further checks.
inline RunResult expect_cli_error(const TempDir& dir, const std::string& args, int code,
                                  const std::string& message) {
  SCOPED_TRACE("loanrisk " + args);
  RunResult r = run_cli(dir, args);
  EXPECT_EQ(r.code, code) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  return r;
}

}  // namespace loanrisk::testing
