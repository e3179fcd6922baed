// `loanrisk train`, `predict` and `evaluate`: the model lifecycle on files.
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/models/classifier.hpp"

#include "cli/commands.hpp"
#include "cli/print.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/workflow/tracked.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk::cli {
namespace {

std::optional<std::filesystem::path> optional_path(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::filesystem::path(s);
}

struct TrainArgs {
  std::string data, out, config, rejects, model;
  // Empty: take [model] imbalance / calibration / threshold_rule from the config (or its default).
  std::string imbalance, calibration, threshold_rule, on_duplicate_id;
  bool help_params = false;
  std::optional<std::uint64_t> seed;
  bool force = false, json = false;
  // Tracking: the run is recorded unless --no-track.
  std::string store, experiment = "Default", run_name, register_as, alias, reason;
  bool no_track = false;
};

// `--help-params`: the declared parameters of one family (or of each).
int print_params(const std::string& family) {
  const std::vector<std::string> families =
      family.empty() || family == "all" ? classifier_families() : std::vector<std::string>{family};
  for (const std::string& name : families) {
    const auto& specs = param_specs(name);
    std::cout << name << " parameters ([model.params] in loanrisk.toml):\n";
    for (const ParamSpec& spec : specs) {
      std::cout << "  " << spec.name << " ("
                << (spec.type == ParamSpec::Type::Int ? "int" : "float") << ", default "
                << format_double(spec.default_value) << ", range " << format_double(spec.min)
                << " to " << format_double(spec.max) << "): " << spec.description << "\n";
    }
  }
  return 0;
}

TrainRequest make_request(const TrainArgs& a) {
  if (a.data.empty()) throw UsageError("train needs --data FILE (the labelled loan CSV)");
  if (a.out.empty()) throw UsageError("train needs --out FOLDER (where the bundle goes)");
  TrainRequest req;
  req.data = a.data;
  req.out = a.out;
  req.rejects = optional_path(a.rejects);
  req.overwrite = a.force;
  if (!a.config.empty()) req.config = load_config(a.config);
  if (!a.model.empty() && a.model != req.config.family) {
    req.config.family = a.model;
    req.config.params = req.config.given_params;
  }
  if (!a.imbalance.empty()) req.config.imbalance = a.imbalance;
  if (!a.calibration.empty()) req.config.calibration = a.calibration;
  if (!a.threshold_rule.empty()) req.config.threshold_rule = a.threshold_rule;
  if (!a.on_duplicate_id.empty()) req.config.on_duplicate_id = a.on_duplicate_id;
  if (a.seed) {
    req.config.split.seed = *a.seed;
    req.config.params["seed"] = static_cast<double>(*a.seed % 2147483648ULL);
  }
  if (!a.alias.empty() && a.register_as.empty()) {
    throw UsageError("--alias needs --register NAME: an alias points at a registered version");
  }
  if (a.no_track && !a.register_as.empty()) {
    throw UsageError("--register needs tracking: drop --no-track");
  }
  return req;
}

// `--model all`: every family on the same split (same data, config and seed), default
// parameters, one bundle per family under OUT/<family>/ and OUT/comparison.json.
int run_train_all(const TrainArgs& a) {
  if (!a.register_as.empty()) {
    throw UsageError("--register is for one model: train one family with --model NAME");
  }
  TrainRequest base = make_request(a);
  std::error_code ec;
  if (std::filesystem::exists(base.out, ec) && !base.overwrite &&
      !std::filesystem::is_empty(base.out, ec)) {
    throw UsageError("output folder '" + base.out.string() +
                     "' already exists: choose another --out or pass --force to replace it");
  }
  std::filesystem::create_directories(base.out);
  std::vector<FamilyComparison> rows;
  std::unique_ptr<Store> store;
  if (!a.no_track) store = open_cli_store(a.store, base.config.store_uri);
  for (const std::string& family : classifier_families()) {
    TrainRequest req = base;
    req.out = base.out / family;
    req.config.family = family;
    req.config.params.clear();
    if (base.config.params.count("seed") && family != "logistic_regression") {
      req.config.params["seed"] = base.config.params.at("seed");
    }
    const TrainOutcome o =
        store ? train_tracked(*store, req, {a.experiment, family, "", "", "", a.reason}).outcome
              : train_model(req);
    rows.push_back({family, req.out, o.test, o.seconds});
  }
  const nlohmann::json table = comparison_json(rows);
  write_json_file(base.out / "comparison.json", table);
  if (a.json) {
    std::cout << dump_json(table, 2) << "\n";
    return 0;
  }
  std::vector<std::pair<std::string, const ClassificationReport*>> columns;
  for (const FamilyComparison& row : rows) columns.emplace_back(row.family, &row.test);
  std::cout << "test split, calibrated PDs at each family's validation threshold\n\n";
  print_metrics(std::cout, columns);
  std::cout << "\nbundles written to " << base.out.string() << "/<family>/; table in "
            << (base.out / "comparison.json").string() << "\n";
  return 0;
}

int run_train(const TrainArgs& a) {
  if (a.help_params) return print_params(a.model);
  if (a.model == "all") return run_train_all(a);
  const TrainRequest req = make_request(a);
  std::optional<TrackedOutcome> tracked;
  TrainOutcome o;
  if (a.no_track) {
    o = train_model(req);
  } else {
    auto store = open_cli_store(a.store, req.config.store_uri);
    tracked = train_tracked(*store, req,
                            {a.experiment, a.run_name, "", a.register_as, a.alias, a.reason});
    o = tracked->outcome;
  }
  if (a.json) {
    nlohmann::json tracking = nullptr;
    if (tracked) {
      tracking = {{"run_id", tracked->run_id}, {"experiment", a.experiment}};
      if (tracked->version) {
        tracking["model"] = a.register_as;
        tracking["version"] = *tracked->version;
      }
    }
    std::cout << nlohmann::json{{"bundle", a.out},
                                {"tracking", tracking},
                                {"metrics", o.bundle.metrics},
                                {"threshold", o.bundle.threshold},
                                {"calibration", o.bundle.calibrator.method_name()},
                                {"rows",
                                 {{"read", o.rows_read},
                                  {"rejected", o.rows_rejected},
                                  {"train", o.rows_train},
                                  {"validation", o.rows_validation},
                                  {"calibration", o.rows_calibration},
                                  {"test", o.rows_test},
                                  {"dropped_as_outliers", o.rows_dropped},
                                  {"duplicate_ids", o.bundle.lineage["rows"]["duplicate_ids"]}}},
                                {"seconds", o.seconds}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "trained " << o.bundle.family << " on " << o.rows_train << " rows (validation "
            << o.rows_validation << ", test " << o.rows_test << "; " << o.rows_dropped
            << " training rows dropped as outliers, " << o.rows_rejected << " rows rejected) in "
            << o.seconds << " s\n";
  report_duplicates(std::cout, o.duplicates, req.config.on_duplicate_id,
                    o.rows_dropped_as_duplicates);
  std::cout << "\n";
  std::cout << "calibration " << o.bundle.calibrator.method_name() << ", threshold "
            << format_double(o.bundle.threshold) << " (" << o.bundle.threshold_rule << ")\n\n";
  if (o.rows_calibration > 0) {
    std::cout << "calibrator and threshold fitted on " << o.rows_calibration
              << " calibration rows held out of validation; validation metrics on the other "
              << o.rows_validation - o.rows_calibration << " (early stopping)\n\n";
    print_metrics(
        std::cout,
        {{"validation", &o.validation}, {"calibration", &o.calibration}, {"test", &o.test}});
  } else {
    print_metrics(std::cout, {{"validation", &o.validation}, {"test", &o.test}});
  }
  std::cout << "\nbundle written to " << a.out << " (report in " << a.out << "/report/)\n";
  if (tracked) {
    std::cout << "run " << tracked->run_id << " recorded in experiment '" << a.experiment << "'\n";
    if (tracked->version) {
      std::cout << "registered as models:/" << a.register_as << "/" << *tracked->version;
      if (!a.alias.empty()) std::cout << " (alias @" << a.alias << ")";
      std::cout << "\n";
    }
  }
  if (req.rejects) std::cout << "rejected rows written to " << req.rejects->string() << "\n";
  return 0;
}

}  // namespace

void add_train(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("train", "Train a PD model on a loan CSV and write a model bundle");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("--data", a->data, "Loan CSV with the target column (required)");
  cmd->add_option("--out", a->out,
                  "Bundle folder to write (required; with --model all, one folder per family)");
  cmd->add_option("--config", a->config, "loanrisk.toml with schema, split, features and model");
  cmd->add_option("--model", a->model,
                  "Model family (overrides the config): logistic_regression, random_forest, "
                  "xgboost, lightgbm, or all");
  cmd->add_flag("--help-params", a->help_params,
                "Print the parameters of --model NAME (or of every family) and exit");
  cmd->add_option("--imbalance", a->imbalance,
                  "Class imbalance treatment of the training split: none, class_weight, smote "
                  "(default: [model] imbalance, else none)");
  cmd->add_option("--calibration", a->calibration,
                  "PD calibration fitted on the calibration slice of validation: platt (keeps "
                  "the ranking, so AUC), isotonic, auto (isotonic with >= 1000 such rows and "
                  ">= 50 of each class, else platt), none (default: [model] calibration, else "
                  "platt)");
  cmd->add_option("--threshold-rule", a->threshold_rule,
                  "Decision threshold chosen on the calibration slice of validation: max_f1, "
                  "cost:FN:FP (e.g. cost:5:1), fixed:T, or config ([model] threshold) "
                  "(default: [model] threshold_rule, else max_f1)");
  cmd->add_option("--seed", a->seed, "Seed of the split and the model (overrides the config)");
  cmd->add_option("--on-duplicate-id", a->on_duplicate_id, kOnDuplicateIdHelp);
  cmd->add_option(
      "--rejects", a->rejects,
      "Write bad rows to this CSV and train on the good ones (default: stop at the first)");
  cmd->add_flag("--force", a->force, "Replace the bundle folder if it exists");
  cmd->add_flag("--json", a->json, "Print the result as JSON");
  cmd->add_option("--store", a->store,
                  "Tracking store URI (default: $LOANRISK_STORE, [store] uri, ./loanrisk-store)");
  cmd->add_option("--experiment", a->experiment, "Experiment to record the run in")
      ->capture_default_str();
  cmd->add_option("--run-name", a->run_name, "Name of the run (default: generated)");
  cmd->add_option("--register", a->register_as, "Register the bundle as a version of this model");
  cmd->add_option("--alias", a->alias, "With --register: point this alias (e.g. champion) at it");
  cmd->add_option("--reason", a->reason, "Why: recorded in the registry's history");
  cmd->add_flag("--no-track", a->no_track, "Do not record the run in the tracking store");
  cmd->callback([&action, a] { action = [a] { return run_train(*a); }; });
}

void add_predict(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("predict", "Score a loan CSV with a bundle: customer_id,pd,decision");
  auto model = std::make_shared<std::string>(), data = std::make_shared<std::string>(),
       out = std::make_shared<std::string>(), rejects = std::make_shared<std::string>(),
       store = std::make_shared<std::string>();
  cmd->add_option("--model", *model,
                  "Bundle folder, or models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID")
      ->required();
  cmd->add_option("--store", *store, "Tracking store URI, for model URIs");
  cmd->add_option("--data", *data, "Loan CSV to score (the target column is optional)")->required();
  cmd->add_option("--out", *out, "Scored CSV to write")->required();
  cmd->add_option(
      "--rejects", *rejects,
      "Write bad rows to this CSV and score the good ones (default: stop at the first)");
  cmd->callback([&action, model, data, out, rejects, store] {
    action = [=] {
      const PredictOutcome o =
          predict_file({resolve_cli_model(*model, *store), *data, *out, optional_path(*rejects)});
      std::cout << "scored " << o.rows_scored << " of " << o.rows_read << " rows in " << o.seconds
                << " s; wrote " << *out << "\n";
      if (o.rows_rejected > 0) {
        std::cout << o.rows_rejected << " rows rejected (not scored), listed in " << *rejects
                  << "\n";
      }
      return 0;
    };
  });
}

void add_evaluate(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("evaluate", "Evaluate a bundle on a labelled loan CSV");
  auto model = std::make_shared<std::string>(), data = std::make_shared<std::string>(),
       rejects = std::make_shared<std::string>(), store = std::make_shared<std::string>(),
       out = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--model", *model,
                  "Bundle folder, or models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID")
      ->required();
  cmd->add_option("--store", *store, "Tracking store URI, for model URIs");
  cmd->add_option("--data", *data, "Loan CSV with the target column")->required();
  cmd->add_option("--rejects", *rejects,
                  "Write bad rows to this CSV and evaluate on the good ones");
  cmd->add_flag("--json", *json, "Print the metrics as JSON");
  cmd->add_option("--out", *out,
                  "Write report.json and report.html (curves, calibration, bootstrap intervals) "
                  "into this folder");
  cmd->callback([&action, model, data, rejects, json, store, out] {
    action = [=] {
      const EvaluateOutcome o = evaluate_file(resolve_cli_model(*model, *store), *data,
                                              optional_path(*rejects), optional_path(*out));
      if (*json) {
        std::cout << dump_json(o.report.to_json(), 2) << "\n";
      } else {
        print_metrics(std::cout, {{"evaluation", &o.report}});
        if (o.rows_rejected > 0) std::cout << o.rows_rejected << " rows rejected, not evaluated\n";
        if (!out->empty()) std::cout << "report written to " << *out << "/report.html\n";
      }
      return 0;
    };
  });
}

}  // namespace loanrisk::cli
