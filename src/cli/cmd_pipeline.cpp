// `loanrisk pipeline run`: check a new book, train a challenger, validate it against the champion,
// register it as @challenger, promote it when policy allows; resumable, exit 4 on a red step.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/governance.hpp"
#include "cli/store_access.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/config/config.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/serve/settings.hpp"
#include "loanrisk/workflow/pipeline.hpp"

namespace loanrisk::cli {
namespace {

struct PipelineArgs {
  std::string config, data, store, work, threads;
  bool json = false;
};

int run_pipeline_cmd(const PipelineArgs& a) {
  use_threads(a.threads, a.config);
  PipelineRequest req;
  req.config = a.config;
  req.settings = pipeline_settings_from_toml(a.config);
  if (!a.data.empty()) req.settings.data = a.data;
  if (!a.work.empty()) req.settings.work_dir = a.work;
  // The master scale and the protected aliases are the server's, read from the same file.
  ServeSettings serve;
  apply_serve_toml(serve, a.config);
  req.policy = serve.policy();
  req.gated_aliases = serve.protected_aliases;
  auto store = open_cli_store(a.store, load_config(a.config).store_uri);
  const Gate gate{"running the pipeline", {Role::kAnalyst, Role::kAdmin}};
  PipelineResult r;
  governed(*store, "pipeline run", req.settings.model + " on " + req.settings.data, gate,
           [&](const Identity& who) {
             req.by = who.name;
             r = run_pipeline(*store, req);
             return r.exit_code;
           });
  if (a.json) {
    std::cout << dump_json({{"exit_code", r.exit_code},
                            {"why", r.why},
                            {"parent_run_id", r.parent_run_id},
                            {"resumed", r.resumed},
                            {"work", r.work.string()},
                            {"state", r.state}},
                           2)
              << "\n";
  } else {
    for (const auto& step : kPipelineSteps) {
      const auto& steps = r.state["steps"];
      if (!steps.contains(step)) {
        std::cout << step << ": not run\n";
        continue;
      }
      const auto& st = steps[step];
      std::cout << step << ": " << st.value("status", "") << " (run " << st.value("run_id", "")
                << ")";
      if (st.contains("why")) std::cout << ": " << st["why"].get<std::string>();
      if (st.contains("drift")) std::cout << ": drift " << st["drift"].get<std::string>();
      if (st.contains("validation"))
        std::cout << ": validation " << st["validation"].get<std::string>();
      if (st.contains("version")) std::cout << ": version " << st["version"].dump();
      std::cout << "\n";
    }
    std::cout << "state: " << (r.work / "state.json").string()
              << (r.parent_run_id.empty() ? " (finished earlier; nothing to do)" : "") << "\n";
  }
  if (r.exit_code != 0) std::cerr << "pipeline stopped: " << r.why << "\n";
  return r.exit_code;
}

}  // namespace

void add_pipeline(CLI::App& app, Action& action) {
  auto* group = app.add_subcommand(
      "pipeline",
      "The closed loop: check a book, train and validate a challenger, promote on green");
  group->require_subcommand(1);
  auto a = std::make_shared<PipelineArgs>();
  auto* run = group->add_subcommand(
      "run",
      "check -> train -> validate against @champion -> register as @challenger -> promote (only "
      "with [pipeline] auto_promote and every gate green); resumes a killed run; exit 4 on red");
  run->add_option("--config", a->config, "loanrisk.toml ([pipeline], training, [validation])")
      ->required()
      ->check(CLI::ExistingFile);
  run->add_option("--data", a->data, "The new labelled book (default: [pipeline] data)");
  run->add_option("--store", a->store,
                  "Tracking store URI (default: $LOANRISK_STORE, [store] uri)");
  run->add_option("--work", a->work, "Work folder (default: [pipeline] work_dir)");
  run->add_flag("--json", a->json, "Print the state as JSON");
  add_threads_option(run, a->threads);
  run->callback([&action, a] { action = [a] { return run_pipeline_cmd(*a); }; });
}

}  // namespace loanrisk::cli
