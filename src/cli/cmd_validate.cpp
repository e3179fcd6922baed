// `loanrisk validate`: the PD validation report of a model on a labelled book (calibration per
// grade, discrimination, concentration, stability), optionally against another model on the same
// rows. Exits 4 when a gate is red, so that a pipeline or a scheduler stops there.
#include <cstdio>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/core/utc_time.hpp"
#include "loanrisk/monitor/outcome_join.hpp"
#include "loanrisk/serve/settings.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk::cli {
namespace {

struct ValidateArgs {
  std::string model, against, data, out, store, config, rejects;
  std::string log, outcomes, since, until;
  std::optional<int> horizon_days;
  std::string threads;
  bool json = false;
};

/// --data, or --log with --outcomes: which rows the report is about.
void check_rows(const ValidateArgs& a) {
  if (a.data.empty() == a.log.empty()) {
    throw UsageError(
        "give exactly one of --data FILE (a labelled loan CSV) or --log DIR with --outcomes FILE "
        "(the server's prediction log joined to observed outcomes)");
  }
  if (!a.log.empty() && a.outcomes.empty()) {
    throw UsageError(
        "--log needs --outcomes FILE (customer_id,observation_date,default): the "
        "log holds scorings, the outcome file what became of the customers");
  }
  const bool log_only =
      !a.outcomes.empty() || !a.since.empty() || !a.until.empty() || a.horizon_days.has_value();
  if (log_only && a.log.empty()) {
    throw UsageError(
        "--outcomes, --since, --until and --horizon-days select logged traffic: "
        "use them with --log DIR");
  }
  if (!a.rejects.empty() && a.data.empty()) {
    throw UsageError("--rejects sets bad rows of --data aside: a log has no CSV rows to reject");
  }
}

int run_validate(const ValidateArgs& a) {
  use_threads(a.threads, a.config);
  check_rows(a);
  ValidateRequest req;
  req.model = resolve_cli_model(a.model, a.store);
  req.model_label = a.model;
  req.data = a.data;
  if (!a.against.empty()) {
    req.against = resolve_cli_model(a.against, a.store);
    req.against_label = a.against;
  }
  if (!a.rejects.empty()) req.rejects = a.rejects;
  // The master scale is the server's, so grades here are the grades customers are given.
  ServeSettings serve;
  if (!a.config.empty()) {
    apply_serve_toml(serve, a.config);
    req.gates = validation::gates_from_toml(a.config);
  }
  req.policy = serve.policy();
  if (!a.log.empty()) {
    LoggedTraffic t;
    t.log = a.log;
    t.outcomes = a.outcomes;
    t.since_ms = utc_time_flag("--since", a.since);
    t.until_ms = utc_time_flag("--until", a.until);
    if (a.horizon_days) t.horizon_days = *a.horizon_days;
    t.salt = monitor::prediction_log_salt(serve.prediction_log.salt);
    req.traffic = std::move(t);
  }
  req.out = a.out;
  const ValidateOutcome o = validate_file(req);
  const nlohmann::json& r = o.report.json;
  if (a.json) {
    std::cout << dump_json(r, 2) << "\n";
  } else {
    std::cout << std::left << std::setw(58) << "test" << std::setw(8) << "status"
              << "finding\n";
    for (const auto& t : r["tests"]) {
      std::cout << std::left << std::setw(58) << t["name"].get<std::string>() << std::setw(8)
                << t["status"].get<std::string>() << t["detail"].get<std::string>() << "\n";
    }
    std::cout << r["data"]["rows"].get<std::size_t>() << " rows";
    if (o.rows_rejected > 0) std::cout << " (" << o.rows_rejected << " rejected, not used)";
    std::cout << "; overall " << r["status"].get<std::string>() << "; report written to " << a.out
              << "/report.html\n";
  }
  if (o.report.status == validation::Light::Red) {
    std::cerr << "validation: " << o.report.red.size() << " red gate"
              << (o.report.red.size() == 1 ? "" : "s") << ":\n";
    for (const auto& line : o.report.red) std::cerr << "  " << line << "\n";
    return kExitRed;
  }
  return kExitOk;
}

}  // namespace

void add_validate(CLI::App& app, Action& action) {
  auto a = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate",
      "PD validation report (Jeffreys and binomial per grade, Hosmer-Lemeshow, ECE, AUC with "
      "DeLong, Herfindahl, PSI, migration); exit code 4 when a gate is red");
  cmd->add_option("--model", a->model,
                  "Model to validate: bundle folder, models:/NAME@ALIAS, models:/NAME/VERSION, "
                  "runs:/RUN_ID")
      ->required();
  cmd->add_option("--data", a->data, "Labelled loan CSV (outcomes known)");
  cmd->add_option("--log", a->log,
                  "Instead of --data: the server's prediction log folder; the logged inputs are "
                  "rescored and joined to --outcomes");
  cmd->add_option("--outcomes", a->outcomes,
                  "With --log: CSV of customer_id,observation_date,default (docs/monitoring.md)");
  cmd->add_option("--since", a->since, "With --log: first time included (UTC, e.g. 2026-11-01)");
  cmd->add_option("--until", a->until, "With --log: first time excluded (UTC)");
  cmd->add_option("--horizon-days", a->horizon_days,
                  "With --log: an outcome joins a scoring at most this many days older (365)")
      ->check(CLI::Range(1, 36'500));
  cmd->add_option("--against", a->against,
                  "Model to compare with on the same rows (e.g. models:/pd@champion): DeLong's "
                  "test of the two AUCs and the grade migration matrix");
  cmd->add_option("--out", a->out, "Folder for report.json and report.html")->required();
  cmd->add_option("--store", a->store, "Tracking store URI, for model URIs");
  cmd->add_option("--config", a->config,
                  "loanrisk.toml: [validation] gates and the [serve] master scale (default: the "
                  "documented defaults)");
  cmd->add_option("--rejects", a->rejects,
                  "Write bad rows to this CSV and validate on the good ones (default: stop at "
                  "the first)");
  cmd->add_flag("--json", a->json, "Print report.json instead of the table");
  add_threads_option(cmd, a->threads);
  cmd->callback([&action, a] { action = [a] { return run_validate(*a); }; });
}

}  // namespace loanrisk::cli
