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
#include "loanrisk/core/error.hpp"
#include "loanrisk/monitor/prediction_log.hpp"
#include "loanrisk/monitor/report.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk::cli {
namespace {

/// Exit code when the report has a red feature or score (documented in README).
constexpr int kExitDriftRed = 4;

struct MonitorArgs {
  std::string model, store, data, log, since, until, out, window, rejects;
  std::size_t window_rows = 0;
};

std::optional<std::int64_t> time_flag(const std::string& flag, const std::string& value) {
  if (value.empty()) return std::nullopt;
  const auto t = monitor::parse_utc_time(value);
  if (!t) {
    throw UsageError(flag + " '" + value +
                     "' is not a UTC time: use 2026-11-01 or 2026-11-01T08:00:00Z");
  }
  return t;
}

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

int run_monitor(const MonitorArgs& a) {
  if (a.data.empty() == a.log.empty()) {
    throw UsageError(
        "give exactly one of --data FILE (a loan CSV) or --log DIR (a prediction log)");
  }
  if ((!a.since.empty() || !a.until.empty()) && a.log.empty()) {
    throw UsageError("--since and --until select log lines by time: use them with --log");
  }
  if (!a.window.empty() && a.window_rows > 0) {
    throw UsageError("give --window (log timestamps) or --window-rows (row counts), not both");
  }
  const std::filesystem::path bundle_dir = resolve_cli_model(a.model, a.store);
  const Bundle bundle = Bundle::load(bundle_dir);
  if (bundle.reference.is_null()) {
    throw InputError("model bundle '" + bundle_dir.string() +
                     "' has no reference.json (it predates monitoring): retrain to add a "
                     "reference");
  }
  const monitor::ModelReference reference = monitor::ModelReference::from_json(
      bundle.reference, (bundle_dir / "reference.json").string());
  std::vector<std::string> features;
  for (const auto& f : reference.features) features.push_back(f.name());

  monitor::MonitorData data;
  if (!a.data.empty()) {
    ReadResult read = read_with_rejects(
        a.data, bundle.schema, false,
        a.rejects.empty() ? std::nullopt : std::optional<std::filesystem::path>(a.rejects));
    data.inputs = std::move(read.frame);
    data.pd = data.inputs.rows() ? bundle.predict(data.inputs) : std::vector<double>{};
    const auto* target = bundle.schema.target();
    if (target && data.inputs.has(target->name)) data.target = data.inputs.column(target->name);
    data.source = a.data;
  } else {
    auto log = monitor::read_prediction_log(a.log, features, time_flag("--since", a.since),
                                            time_flag("--until", a.until));
    data.inputs = std::move(log.inputs);
    data.pd = std::move(log.pd);
    data.target = std::move(log.target);
    data.time_ms = std::move(log.time_ms);
    data.source = "prediction log " + a.log + " (" + std::to_string(log.files) + " files, " +
                  std::to_string(log.skipped) + " lines outside --since/--until)";
  }
  if (data.pd.empty()) {
    throw InputError(data.source + ": no scored row to monitor" +
                     (a.log.empty() ? "" : " (check --since/--until)"));
  }
  const nlohmann::json model = {{"source", bundle_dir.string()},
                                {"family", bundle.family},
                                {"created_at", bundle.created_at}};
  const auto report =
      monitor::monitor_report(reference, data, {a.window, a.window_rows}, model, bundle.metrics);
  monitor::write_monitor_report(a.out, report.json);
  std::cout << std::left << std::setw(26) << "feature" << std::setw(14) << "status" << std::setw(10)
            << "psi" << std::setw(10) << "ks"
            << "w1/std\n";
  print_row(report.score);
  for (const auto& f : report.features) print_row(f);
  std::cout << data.pd.size() << " rows; overall " << monitor::status_name(report.status)
            << "; report written to " << a.out << "/report.html\n";
  return report.status == monitor::Status::Red ? kExitDriftRed : kExitOk;
}

}  // namespace

void add_monitor(CLI::App& app, Action& action) {
  auto a = std::make_shared<MonitorArgs>();
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
  cmd->add_option("--out", a->out, "Folder for report.json and report.html")->required();
  cmd->add_option("--window", a->window, "Performance windows of a log: month, week or day")
      ->check(CLI::IsMember({"month", "week", "day"}));
  cmd->add_option("--window-rows", a->window_rows,
                  "Performance windows of N rows (default: one window)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  cmd->add_option("--rejects", a->rejects, "With --data: write bad rows here and go on");
  cmd->callback([a, &action] { action = [a] { return run_monitor(*a); }; });
}

}  // namespace loanrisk::cli
