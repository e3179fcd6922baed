// `loanrisk runs list|show|compare|export-mlflow`: the tracking store for people (tables) and
// machines (--json).
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/registry/mlflow_registry_export.hpp"
#include "loanrisk/tracking/mlflow_export.hpp"
#include "loanrisk/tracking/mlflow_json.hpp"
#include "loanrisk/tracking/run_filter.hpp"
#include "loanrisk/tracking/run_json.hpp"
#include "loanrisk/tracking/text_table.hpp"

namespace loanrisk::cli {
namespace {

struct RunsArgs {
  std::string store, experiment, sort, filter, out;
  std::vector<std::string> ids;
  bool json = false, ascending = false;
};

int run_list(const RunsArgs& a) {
  const RunFilter filter = parse_run_filter(a.filter);  // bad syntax fails before opening
  auto store = open_cli_store(a.store);
  std::vector<RunRecord> runs;
  for (const Run& r :
       store->list_runs(a.experiment.empty() ? std::nullopt : std::optional(a.experiment))) {
    RunRecord rec = store->get_run_record(r.id);
    if (filter.matches(rec)) runs.push_back(std::move(rec));
  }
  if (!a.sort.empty()) {
    const std::string key = a.sort.rfind("metric.", 0) == 0 ? a.sort.substr(7) : a.sort;
    sort_runs_by_metric(runs, key, a.ascending);
  }
  if (a.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : runs) out.push_back(run_to_json(r));
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  // Metric columns: the sort key and the filter's metrics, else auc_roc when runs have it.
  std::vector<std::string> metric_cols;
  const auto add_col = [&](const std::string& k) {
    if (std::find(metric_cols.begin(), metric_cols.end(), k) == metric_cols.end()) {
      metric_cols.push_back(k);
    }
  };
  if (!a.sort.empty()) add_col(a.sort.rfind("metric.", 0) == 0 ? a.sort.substr(7) : a.sort);
  for (const auto& c : filter.clauses) {
    if (c.kind == RunFilterClause::Kind::kMetric) add_col(c.key);
  }
  if (metric_cols.empty()) {
    for (const auto& r : runs) {
      if (r.metrics.count("auc_roc")) add_col("auc_roc");
    }
  }
  std::vector<std::string> header = {"run_id", "experiment", "name", "status", "started"};
  header.insert(header.end(), metric_cols.begin(), metric_cols.end());
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    std::vector<std::string> row = {r.run.id, r.run.experiment_name, r.run.name,
                                    to_string(r.run.status), format_time_ms(r.run.start_ms)};
    for (const auto& k : metric_cols) {
      auto it = r.metrics.find(k);
      row.push_back(it == r.metrics.end() ? "-" : format_metric(it->second));
    }
    rows.push_back(std::move(row));
  }
  std::cout << render_table(header, rows) << runs.size() << " run(s)\n";
  return 0;
}

int run_show(const RunsArgs& a) {
  auto store = open_cli_store(a.store);
  const RunRecord r = store->get_run_record(a.ids.at(0));
  if (a.json) {
    std::cout << dump_json(run_to_json(r), 2) << "\n";
    return 0;
  }
  const Run& run = r.run;
  std::vector<std::vector<std::string>> attrs = {
      {"run_id", run.id},
      {"name", run.name},
      {"experiment", run.experiment_name + " (" + std::to_string(run.experiment_id) + ")"},
      {"status", to_string(run.status)},
      {"started", format_time_ms(run.start_ms)},
      {"ended", run.end_ms ? format_time_ms(*run.end_ms) : "-"},
      {"user", run.user},
      {"git commit", run.git_commit},
      {"parent run", run.parent_run_id.empty() ? "-" : run.parent_run_id},
      {"process", std::to_string(run.pid) + "@" + run.hostname},
      {"artifacts", run.artifact_dir.string()}};
  if (!run.dataset_sha256.empty()) {
    attrs.push_back({"dataset", run.dataset_path});
    attrs.push_back({"dataset sha256", run.dataset_sha256});
    attrs.push_back({"dataset rows", run.dataset_rows ? std::to_string(*run.dataset_rows) : "-"});
  }
  std::cout << render_table({"attribute", "value"}, attrs);
  std::vector<std::vector<std::string>> rows;
  for (const auto& [k, v] : r.params) rows.push_back({k, v});
  std::cout << "\n" << render_table({"param", "value"}, rows);
  rows.clear();
  for (const auto& [k, v] : r.metrics) rows.push_back({k, format_metric(v)});
  std::cout << "\n" << render_table({"metric", "latest"}, rows);
  rows.clear();
  for (const auto& [k, v] : r.tags) rows.push_back({k, v});
  std::cout << "\n" << render_table({"tag", "value"}, rows);
  return 0;
}

int run_compare(const RunsArgs& a) {
  if (a.ids.size() < 2) throw UsageError("runs compare needs at least two run ids");
  auto store = open_cli_store(a.store);
  std::vector<RunRecord> runs;
  for (const auto& id : a.ids) runs.push_back(store->get_run_record(id));
  nlohmann::json out = {
      {"runs", a.ids}, {"params", nlohmann::json::array()}, {"metrics", nlohmann::json::array()}};
  std::vector<std::string> header = {"", "kind", "key"};
  for (const auto& r : runs) header.push_back(r.run.name + " (" + r.run.id.substr(0, 8) + ")");
  std::vector<std::vector<std::string>> rows;
  const auto section = [&](const char* kind, auto get) {
    std::set<std::string> keys;
    for (const auto& r : runs) {
      for (const auto& [k, v] : get(r)) keys.insert(k);
    }
    for (const auto& k : keys) {
      std::vector<std::string> cells;
      nlohmann::json values = nlohmann::json::array();
      for (const auto& r : runs) {
        const auto& m = get(r);
        auto it = m.find(k);
        if (it == m.end()) {
          cells.push_back("-");
          values.push_back(nullptr);
        } else if constexpr (std::is_same_v<std::decay_t<decltype(it->second)>, double>) {
          cells.push_back(format_metric(it->second));
          values.push_back(number_or_null(it->second));
        } else {
          cells.push_back(it->second);
          values.push_back(it->second);
        }
      }
      const bool differs = std::set<nlohmann::json>(values.begin(), values.end()).size() > 1;
      out[std::string(kind) == "param" ? "params" : "metrics"].push_back(
          {{"key", k}, {"values", values}, {"differs", differs}});
      std::vector<std::string> row = {differs ? "*" : "", kind, k};
      row.insert(row.end(), cells.begin(), cells.end());
      rows.push_back(std::move(row));
    }
  };
  section(
      "param", [](const RunRecord& r) -> const auto& { return r.params; });
  section(
      "metric", [](const RunRecord& r) -> const auto& { return r.metrics; });
  if (a.json) {
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::cout << render_table(header, rows) << "(* = differs between runs)\n";
  return 0;
}

int run_export(const RunsArgs& a) {
  auto store = open_cli_store(a.store);
  const MlflowExportSummary s = export_mlflow(*store, a.out);
  const MlflowRegistryExportSummary r = export_mlflow_registry(*store, a.out);
  std::cout << "exported " << s.experiments << " experiment(s), " << s.runs << " run(s) and "
            << s.metric_values << " metric value(s) in MLflow's file-store layout to " << a.out
            << "\n";
  if (s.datasets > 0 || s.models > 0 || r.models > 0) {
    std::cout << "with " << s.datasets << " dataset input(s), " << s.models
              << " MLmodel file(s) and the registry: " << r.models << " model(s), " << r.versions
              << " version(s), " << r.aliases << " alias(es)\n";
  }
  // MLflow 3.13 and later refuse a file store unless told: say how, where it cannot be missed.
  std::cerr << "note: open it with MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri "
            << file_uri(std::filesystem::absolute(a.out))
            << " (or convert it with mlflow migrate-filestore; see docs/tracking.md)\n";
  return 0;
}

}  // namespace

void add_runs(CLI::App& app, Action& action) {
  auto* runs = app.add_subcommand("runs", "List, show, compare and export tracked runs");
  runs->require_subcommand(1);
  auto a = std::make_shared<RunsArgs>();
  auto* list = add_store_leaf(runs, "list", "List runs, newest first", a, action, run_list);
  list->add_option("--experiment", a->experiment, "Only runs of this experiment");
  list->add_option("--sort", a->sort, "Sort by this metric, best (highest) first");
  list->add_flag("--ascending", a->ascending, "Sort lowest first (for losses)");
  list->add_option("--filter", a->filter,
                   "e.g. \"metric.auc_roc > 0.99 and params.max_depth = '4'\"");
  list->add_flag("--json", a->json, "Print JSON");
  auto* show = add_store_leaf(runs, "show", "Show one run: attributes, params, metrics, tags", a,
                              action, run_show);
  show->add_option("run_id", a->ids, "Run id")->required()->expected(1);
  show->add_flag("--json", a->json, "Print JSON");
  auto* compare = add_store_leaf(runs, "compare", "Params and metrics of runs side by side", a,
                                 action, run_compare);
  compare->add_option("run_ids", a->ids, "Two or more run ids")->required()->expected(2, -1);
  compare->add_flag("--json", a->json, "Print JSON");
  auto* exp =
      add_store_leaf(runs, "export-mlflow",
                     "Write experiments, runs and the registry in MLflow's file-store layout", a,
                     action, run_export);
  exp->add_option("--out", a->out, "Folder to write (new or empty)")->required();
}

}  // namespace loanrisk::cli
