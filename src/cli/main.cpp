// loanrisk: one binary for the PD model lifecycle. Exit codes: 0 ok, 1 internal error, 2 usage,
// 3 bad input data, 4 drift found red by `monitor`.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"
#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/cpu_budget.hpp"
#include "loanrisk/core/error.hpp"

namespace {

// OpenMP teams wait passively where the process may use fewer CPUs than the machine has (an
// affinity mask, a cgroup quota, cores a neighbour keeps busy), unless the user set
// OMP_WAIT_POLICY: there spinning threads wait for cores they do not get. On a machine of its own
// libgomp's short spin is kept, as it keeps tree building's many small parallel regions fast: 10
// random-forest trials took 1.3-1.6 s with it and 4.8-5.5 s passive on a 2-core VM, where waking a
// sleeping thread is slow (docs/scaling.md). libgomp reads the variable once, when it is loaded
// (before main), so it is set and the binary execs itself, keeping its pid and arguments. When the
// exec fails (no /proc), the command goes on with libgomp's default. Under valgrind (its preloaded
// libraries in LD_PRELOAD) it is not tried: the exec would start valgrind's tool binary, which
// refuses.
void wait_passively_unless_told(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (const char* preload = std::getenv("LD_PRELOAD");
      preload && std::strstr(preload, "vgpreload")) {
    return;
  }
  const loanrisk::CpuBudget budget = loanrisk::detect_cpu_budget();
  if (budget.nproc > 0 && budget.cpus >= budget.nproc) return;
  if (::setenv("OMP_WAIT_POLICY", "passive", 0) != 0) return;
  ::execv("/proc/self/exe", argv);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loanrisk;
  // Read while this is the process's only thread: CPUs a neighbour keeps busy bound the budget of
  // a command that runs for seconds or minutes. Not a server's: what is busy as it starts says
  // nothing about the hours after.
  if (argc < 2 || std::string_view(argv[1]) != "serve") note_busy_cpus(read_busy_cpus());
  wait_passively_unless_told(argv);
  CLI::App app{"loanrisk: build, ship and watch probability-of-default models of personal loans"};
  app.name("loanrisk");
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("loanrisk ") + version() + " (" + git_commit() + ")");
  cli::Action action;
  for (cli::AddCommand* add : cli::kCommands) add(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const GateError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitRed;
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}
