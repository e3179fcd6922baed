// loanrisk: one binary for the PD model lifecycle. Exit codes: 0 ok, 1 internal error, 2 usage,
// 3 bad input data, 4 drift found red by `monitor`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "loanrisk/core/build_info.hpp"
#include "loanrisk/core/error.hpp"

int main(int argc, char** argv) {
  using namespace loanrisk;
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
