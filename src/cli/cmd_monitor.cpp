// `loanrisk monitor`: drift of a scored population (a CSV or the server's prediction log) against
// the bundle's training reference, and performance by window when outcomes are known. Exits 4 when
// anything is red so that a scheduler can alert.
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/monitor/report.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/workflow/jobs.hpp"

namespace loanrisk::cli {
namespace {

void print_row(const monitor::FeatureDrift& d) {
  const auto fmt = [](double v) {
    if (!std::isfinite(v)) return std::string("n/a");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return std::string(buf);
  };
  std::cout << std::left << std::setw(26) << d.name << std::setw(14)
            << monitor::status_name(d.status) << std::setw(10) << fmt(d.psi) << std::setw(10)
            << fmt(d.ks) << fmt(d.wasserstein) << "\n";
}

std::string fixed4(const nlohmann::json& v) {
  if (!v.is_number()) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v.get<double>());
  return buf;
}

void print_challenger(const nlohmann::json& c) {
  const auto& d = c["pd_difference"];
  std::cout << "challenger: " << c["rows"] << " shadowed rows; PD difference (challenger - "
            << "champion) mean " << fixed4(d["mean"]) << ", 5%-95% " << fixed4(d["p05"]) << " to "
            << fixed4(d["p95"]) << "\n";
  const auto& w = c["with_outcomes"];
  if (!w.is_object()) return;
  std::cout << "  on " << w["rows"] << " rows with outcomes: AUC champion "
            << fixed4(w["champion"]["auc_roc"]) << ", challenger "
            << fixed4(w["challenger"]["auc_roc"]) << " (DeLong p " << fixed4(w["auc_p_value"])
            << "); Brier champion " << fixed4(w["champion"]["brier"]) << ", challenger "
            << fixed4(w["challenger"]["brier"]) << "\n";
}

int run_monitor(const MonitorJob& job) {
  std::unique_ptr<Store> store;
  if (is_model_uri(job.model)) store = open_cli_store(job.store);
  const MonitorJobResult result = run_monitor_job(job, store.get());
  const monitor::MonitorReport& report = result.report;
  std::cout << std::left << std::setw(26) << "feature" << std::setw(14) << "status" << std::setw(10)
            << "psi" << std::setw(10) << "ks"
            << "w1/std\n";
  print_row(report.score);
  for (const auto& f : report.features) print_row(f);
  const nlohmann::json& j = report.json;
  if (j["outcomes"].is_object()) {
    const auto& o = j["outcomes"];
    std::cout << "outcomes: " << o["joined"] << " of " << o["outcomes"] << " joined to "
              << o["scorings"] << " scorings (" << o["defaults"] << " defaults); "
              << o["not_scored"] << " never scored, " << o["scored_after"]
              << " scored only after the observation, " << o["beyond_horizon"]
              << " scored more than " << o["horizon_days"] << " days before\n";
  }
  if (j["challenger"].is_object()) print_challenger(j["challenger"]);
  std::cout << result.rows << " rows; overall " << monitor::status_name(report.status)
            << "; report written to " << job.out << "/report.html\n";
  return report.status == monitor::Status::Red ? kExitRed : kExitOk;
}

}  // namespace

void add_monitor(CLI::App& app, Action& action) {
  auto a = std::make_shared<MonitorJob>();
  auto* cmd = app.add_subcommand(
      "monitor",
      "Drift (PSI, KS, Wasserstein) and performance over time against the bundle's "
      "training reference; exit code 4 when anything is red");
  cmd->add_option("--model", a->model,
                  "Bundle folder, or models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID")
      ->required();
  cmd->add_option("--store", a->store, "Tracking store URI, for model URIs");
  cmd->add_option("--data", a->data, "Loan CSV to compare (with `default`: performance too)");
  cmd->add_option("--log", a->log, "Prediction log folder written by `loanrisk serve`");
  cmd->add_option("--since", a->since, "With --log: first time included (UTC, e.g. 2026-11-01)");
  cmd->add_option("--until", a->until, "With --log: first time excluded (UTC)");
  cmd->add_option("--outcomes", a->outcomes,
                  "With --log: CSV of customer_id,observation_date,default joined to the logged "
                  "scorings (performance, and champion against challenger when shadowed)");
  cmd->add_option("--horizon-days", a->horizon_days,
                  "With --outcomes: an outcome joins a scoring at most this many days older "
                  "(default 365)")
      ->check(CLI::Range(1, 36'500));
  cmd->add_option("--out", a->out, "Folder for report.json and report.html")->required();
  cmd->add_option("--window", a->window, "Performance windows of a log: month, week or day")
      ->check(CLI::IsMember({"month", "week", "day"}));
  cmd->add_option("--window-rows", a->window_rows,
                  "Performance windows of N rows (default: one window)")
      ->check(CLI::Range(1, 1'000'000'000));
  cmd->add_option("--rejects", a->rejects, "With --data: write bad rows here and go on");
  auto threads = std::make_shared<std::string>();
  add_threads_option(cmd, *threads);
  cmd->callback([a, threads, &action] {
    action = [a, threads] {
      use_threads(*threads, "");
      return run_monitor(*a);
    };
  });
}

}  // namespace loanrisk::cli
