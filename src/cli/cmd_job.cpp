// `loanrisk job run SPEC.json`: runs one application-layer job (workflow/jobs.hpp) from its JSON
// spec. The server starts its background jobs this way, so they run exactly what `train` and
// `tune` run, without flag strings or TOML in between.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/workflow/jobs.hpp"

namespace loanrisk::cli {
namespace {

int run_job(const std::string& spec_path) {
  const JobSpec spec = job_from_json(read_json_file(spec_path), spec_path);
  std::visit(
      [](const auto& job) {
        if constexpr (requires { job.tracking.run_as; }) {
          if (!job.tracking.run_as.empty()) set_acting_user(job.tracking.run_as);
        }
      },
      spec);
  int exit_code = kExitOk;
  const nlohmann::json result = std::visit(
      [&exit_code](const auto& job) -> nlohmann::json {
        using T = std::decay_t<decltype(job)>;
        std::unique_ptr<Store> store;
        if constexpr (std::is_same_v<T, MonitorJob>) {
          if (is_model_uri(job.model)) store = open_cli_store(job.store);
          const MonitorJobResult r = run_monitor_job(job, store.get());
          if (r.report.status == monitor::Status::Red) exit_code = kExitRed;  // as `monitor` does
          return job_result_json(r);
        } else {
          const auto configured = [&job] {
            return job.model.config.empty() ? std::nullopt
                                            : load_config(job.model.config).store_uri;
          };
          if constexpr (std::is_same_v<T, TrainJob>) {
            if (job.tracking.track) store = open_cli_store(job.tracking.store, configured());
            return job_result_json(run_train_job(job, store.get()));
          } else {
            store = open_cli_store(job.tracking.store, configured());
            return job_result_json(run_tune_job(job, *store));
          }
        }
      },
      spec);
  std::cout << dump_json(result) << "\n";
  return exit_code;
}

}  // namespace

void add_job(CLI::App& app, Action& action) {
  auto* job = app.add_subcommand("job", "Run application jobs from their JSON specs");
  job->require_subcommand(1);
  auto* run = job->add_subcommand(
      "run",
      "Run the job a JSON spec describes ({\"kind\": \"train\"|\"tune\"|\"monitor\", ...}, see "
      "docs/architecture.md) and print its result as one JSON line");
  auto path = std::make_shared<std::string>();
  run->add_option("SPEC", *path, "The job's JSON spec file")->required();
  run->callback([&action, path] { action = [path] { return run_job(*path); }; });
}

}  // namespace loanrisk::cli
