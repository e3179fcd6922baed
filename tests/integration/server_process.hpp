#pragma once
// `loanrisk serve` as a child process on a free loopback port (--port 0; the port is read from the
// address it prints), stopped with SIGTERM. Shared by the integration tests that need a server.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli_runner.hpp"

namespace loanrisk::testing {

class ServerProcess {
 public:
  /// Starts `loanrisk serve --port 0 ARGS` in dir (output in dir/serve.out and serve.err) with the
  /// extra environment variables, and waits up to 30 s for its address; port() is 0 when it exited
  /// or never printed one. shell_prefix runs in the shell first (e.g. "ulimit -n 64; ").
  ServerProcess(const TempDir& dir, const std::string& args,
                const std::vector<std::pair<std::string, std::string>>& env = {},
                const std::string& shell_prefix = "")
      : dir_(dir) {
    // A previous server's address must not be mistaken for this one's.
    std::filesystem::remove(dir / "serve.out");
    pid_ = fork();
    if (pid_ == 0) {
      if (chdir(dir.path().c_str()) != 0) _exit(127);
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      const std::string cmd = shell_prefix + "exec '" + std::string(LOANRISK_BINARY) +
                              "' serve --port 0 " + args + " >serve.out 2>serve.err";
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const std::regex address("at https?://127\\.0\\.0\\.1:([0-9]+)");
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
      std::smatch m;
      const std::string text = slurp(dir / "serve.out");
      if (std::regex_search(text, m, address)) {
        port_ = std::stoi(m[1]);
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  /// The server's process id (the shell execs it), -1 once stopped.
  pid_t pid() const { return pid_; }
  /// SIGTERM and wait (the prediction log is flushed on the way out): the exit code, -1 when the
  /// server was not running or did not exit normally.
  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string err() const { return slurp(dir_ / "serve.err"); }
  /// SIGKILL, as a crash or the kernel's OOM killer would end it: nothing is flushed.
  void kill_hard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  /// User plus system CPU time the server has used so far, in seconds (0 when not running).
  double cpu_seconds() const {
    if (pid_ <= 0) return 0;
    std::istringstream in(slurp("/proc/" + std::to_string(pid_) + "/stat"));
    std::string field;
    // Fields 14 and 15 (utime, stime) in clock ticks; the name (field 2) has no spaces here.
    double ticks = 0;
    for (int i = 1; i <= 15 && in >> field; ++i) {
      if (i >= 14) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

 private:
  const TempDir& dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace loanrisk::testing
