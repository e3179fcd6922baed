// `loanrisk job run SPEC.json`: runs one application-layer job (workflow/jobs.hpp) from its JSON
// spec. The server starts its background jobs this way, so they run exactly what `train` and
// `tune` run, without flag strings or TOML in between.
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/stop_signals.hpp"
#include "cli/store_access.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/workflow/jobs.hpp"

namespace loanrisk::cli {
namespace {

/// One line on stderr per finished trial: the job's log, which the server shows while it runs.
std::function<void(const StudyProgress&)> trial_log(const std::string& family, int trials) {
  std::fprintf(stderr, "[%s] study started: %d trials\n", family.c_str(), trials);
  return [family](const StudyProgress& p) {
    char value[32] = "-", best[64] = "-";
    if (p.last_value) std::snprintf(value, sizeof value, "%.5f", *p.last_value);
    if (p.best_value) {
      std::snprintf(best, sizeof best, "%.5f (#%lld)", *p.best_value,
                    static_cast<long long>(p.best_number));
    }
    std::fprintf(stderr, "[%s] trial #%lld %s %s; %d/%d done, best %s, %.1fs\n", family.c_str(),
                 static_cast<long long>(p.last_number), to_string(p.last_state).c_str(), value,
                 p.finished, p.total, best, p.elapsed_seconds);
    std::fflush(stderr);
  };
}

int run_job(const std::string& spec_path, const std::string& threads) {
  const JobSpec spec = job_from_json(read_json_file(spec_path), spec_path);
  // A train or tune job's config may hold [runtime] threads; --threads wins over it.
  std::visit(
      [&threads](const auto& job) {
        if constexpr (requires { job.model.config; }) {
          use_threads(threads, job.model.config);
        } else {
          use_threads(threads, "");
        }
      },
      spec);
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
            // A stop ends the study cleanly (its trials resumable), not the process mid-write.
            catch_stop_signals();
            TuneHooks hooks;
            const int trials = tuning_settings_of(job).trials;
            hooks.progress = [trials](const std::string& family) {
              return trial_log(family, trials);
            };
            hooks.should_stop = stop_check();
            const TuneJobResult tuned = run_tune_job(job, *store, hooks);
            if (tuned.stopped) exit_code = stopped_exit_code();
            return job_result_json(tuned);
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
  auto path = std::make_shared<std::string>(), threads = std::make_shared<std::string>();
  run->add_option("SPEC", *path, "The job's JSON spec file")->required();
  add_threads_option(run, *threads);
  run->callback(
      [&action, path, threads] { action = [path, threads] { return run_job(*path, *threads); }; });
}

}  // namespace loanrisk::cli
