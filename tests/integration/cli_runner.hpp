#pragma once
// Runs the real loanrisk binary as a user would and captures its exit code and output.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_support.hpp"

namespace loanrisk::testing {

/// What a command printed and returned.
struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs a shell command in `dir` (stdin empty) and captures what it printed.
inline RunResult run_shell(const TempDir& dir, const std::string& command) {
  const auto out = dir / ".stdout";
  const auto err = dir / ".stderr";
  // Braces: the redirections hold for every command of a list such as "a && b".
  const std::string cmd = "cd '" + dir.path().string() + "' && { " + command + "; } >'" +
                          out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

/// Runs `loanrisk <args>` (args already shell-quoted by the caller) in `dir`.
inline RunResult run_cli(const TempDir& dir, const std::string& args) {
  return run_shell(dir, "'" + std::string(LOANRISK_BINARY) + "' " + args);
}

/// Counts the lines of a text file.
inline std::size_t count_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

}  // namespace loanrisk::testing
