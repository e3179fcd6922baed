#include "cli/threads_flag.hpp"

#include <charconv>
#include <optional>

#include "loanrisk/config/config.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"

namespace loanrisk::cli {
namespace {

std::optional<int> parse_flag(const std::string& text) {
  if (text.empty()) return std::nullopt;
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--threads '" + echo_text(text, 40) + "' is not a whole number: use 1-" +
                     std::to_string(kMaxThreads) + ", or 0 for the CPUs this process may use");
  }
  return n;
}

}  // namespace

void add_threads_option(CLI::App* cmd, std::string& threads) {
  cmd->add_option("--threads", threads,
                  "Threads for the models, OpenMP and the server, 1-256 (default: [runtime] "
                  "threads, else the CPUs this process may use: affinity mask, cgroup quota, "
                  "cores less those busy at start (not for serve); 0 = that default)")
      ->allow_extra_args(false);
}

ThreadBudget use_threads(const std::string& flag, const std::string& config_file) {
  const std::optional<int> given = parse_flag(flag);
  const std::optional<int> configured =
      config_file.empty() ? std::nullopt : load_runtime_threads(config_file);
  ThreadBudget budget = resolve_thread_budget(given, configured);
  set_thread_budget(budget);
  return budget;
}

}  // namespace loanrisk::cli
