// `loanrisk train`, `predict` and `evaluate`: the model lifecycle on files.
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/models/classifier.hpp"
#include "loanrisk/serve/settings.hpp"

#include "cli/commands.hpp"
#include "cli/print.hpp"
#include "cli/store_access.hpp"
#include "cli/threads_flag.hpp"
#include "loanrisk/workflow/jobs.hpp"

namespace loanrisk::cli {
namespace {

std::optional<std::filesystem::path> optional_path(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::filesystem::path(s);
}

// The flags fill the job spec directly; the rest only shape the output.
struct TrainArgs {
  TrainJob job = [] {
    TrainJob j;
    j.tracking.experiment = "Default";
    return j;
  }();
  bool help_params = false, json = false;
  bool no_track = false;  // the run is recorded unless --no-track.
  std::string threads;    // --threads
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

// `--model all`: every family on the same split, one bundle per family and comparison.json.
int print_train_all(const TrainArgs& a, const TrainJobResult& result) {
  std::vector<FamilyComparison> rows;
  for (const auto& f : result.families) {
    rows.push_back({f.family, f.bundle, f.outcome.test, f.outcome.seconds});
  }
  if (a.json) {
    std::cout << dump_json(comparison_json(rows), 2) << "\n";
    return 0;
  }
  std::vector<std::pair<std::string, const ClassificationReport*>> columns;
  for (const FamilyComparison& row : rows) columns.emplace_back(row.family, &row.test);
  std::cout << "test split, calibrated PDs at each family's validation threshold\n\n";
  print_metrics(std::cout, columns);
  std::cout << "\nbundles written to " << a.job.out << "/<family>/; table in "
            << (std::filesystem::path(a.job.out) / "comparison.json").string() << "\n";
  return 0;
}

int run_train(const TrainArgs& a) {
  if (a.help_params) return print_params(a.job.model.family);
  use_threads(a.threads, a.job.model.config);
  TrainJob job = a.job;
  job.tracking.track = !a.no_track;
  std::unique_ptr<Store> store;
  if (job.tracking.track) {
    // The store a [store] uri names counts too; the job's config is read again when it runs.
    store = open_cli_store(job.tracking.store, job.model.config.empty()
                                                   ? std::nullopt
                                                   : load_config(job.model.config).store_uri);
  }
  const TrainJobResult result = run_train_job(job, store.get());
  if (result.all) return print_train_all(a, result);
  const auto& trained = result.families.at(0);
  const TrainOutcome& o = trained.outcome;
  if (a.json) {
    nlohmann::json tracking = nullptr;
    if (store) {
      tracking = {{"run_id", trained.run_id}, {"experiment", job.tracking.experiment}};
      if (trained.version) {
        tracking["model"] = job.tracking.register_as;
        tracking["version"] = *trained.version;
      }
    }
    std::cout << nlohmann::json{{"bundle", job.out},
                                {"tracking", tracking},
                                {"metrics", o.bundle.metrics},
                                {"threshold", o.bundle.threshold},
                                {"calibration", o.bundle.calibrator.method_name()},
                                {"rows", o.bundle.lineage.at("rows")},
                                {"seconds", o.seconds}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "trained " << o.bundle.family << " on " << o.rows_train << " rows (validation "
            << o.rows_validation << ", test " << o.rows_test << "; " << o.rows_dropped
            << " training rows dropped as outliers, " << o.rows_rejected << " rows rejected) in "
            << o.seconds << " s\n";
  report_duplicates(std::cout, o.duplicates, result.config.on_duplicate_id,
                    o.rows_dropped_as_duplicates);
  if (o.bundle.lineage.contains("external_memory")) {
    std::cout << "external memory: split by a hash of customer_id; pipeline, calibration and "
                 "metrics on reservoir samples (metrics.json \"rows\" says which)\n";
  }
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
  std::cout << "\nbundle written to " << job.out << " (report in " << job.out << "/report/)\n";
  if (store) {
    std::cout << "run " << trained.run_id << " recorded in experiment '" << job.tracking.experiment
              << "'\n";
    if (trained.version) {
      std::cout << "registered as models:/" << job.tracking.register_as << "/" << *trained.version;
      if (!job.tracking.alias.empty()) std::cout << " (alias @" << job.tracking.alias << ")";
      std::cout << "\n";
    }
  }
  if (!job.rejects.empty()) std::cout << "rejected rows written to " << job.rejects << "\n";
  return 0;
}

}  // namespace

void add_train(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("train", "Train a PD model on a loan CSV and write a model bundle");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("--data", a->job.data, "Loan CSV with the target column (required)");
  cmd->add_option("--out", a->job.out,
                  "Bundle folder to write (required; with --model all, one folder per family)");
  cmd->add_option("--config", a->job.model.config,
                  "loanrisk.toml with schema, split, features and model");
  cmd->add_option(
      "--model", a->job.model.family,
      "Model family (overrides the config): " + join(classifier_families()) + ", or all");
  cmd->add_flag("--help-params", a->help_params,
                "Print the parameters of --model NAME (or of every family) and exit");
  cmd->add_option("--imbalance", a->job.model.imbalance,
                  "Class imbalance treatment of the training split: none, class_weight, smote "
                  "(default: [model] imbalance, else none)");
  cmd->add_option("--calibration", a->job.model.calibration,
                  "PD calibration fitted on the calibration slice of validation: platt (keeps "
                  "the ranking, so AUC), isotonic, auto (isotonic with >= 1000 such rows and "
                  ">= 50 of each class, else platt), none (default: [model] calibration, else "
                  "platt)");
  cmd->add_option("--threshold-rule", a->job.model.threshold_rule,
                  "Decision threshold chosen on the calibration slice of validation: max_f1, "
                  "cost:FN:FP (e.g. cost:5:1), fixed:T, or config ([model] threshold) "
                  "(default: [model] threshold_rule, else max_f1)");
  cmd->add_option("--seed", a->job.model.seed,
                  "Seed of the split and the model (overrides the config)");
  cmd->add_option("--on-duplicate-id", a->job.model.on_duplicate_id, kOnDuplicateIdHelp);
  cmd->add_option(
      "--rejects", a->job.rejects,
      "Write bad rows to this CSV and train on the good ones (default: stop at the first)");
  cmd->add_flag("--no-monotone", a->job.model.no_monotone,
                "Grow trees without the [model.monotone] constraints (to compare)");
  cmd->add_flag("--external-memory", a->job.external_memory,
                "Stream the book in batches through XGBoost's external memory instead of "
                "reading it whole (tree families; split by a hash of customer_id, pipeline and "
                "metrics on samples: docs/modelling.md) (default: [train] external_memory)");
  cmd->add_option("--cache-dir", a->job.cache_dir,
                  "With --external-memory: folder for XGBoost's page cache (default: [train] "
                  "cache_dir, else the temp folder)");
  cmd->add_flag("--force", a->job.overwrite, "Replace the bundle folder if it exists");
  cmd->add_flag("--json", a->json, "Print the result as JSON");
  cmd->add_option("--store", a->job.tracking.store,
                  "Tracking store URI (default: $LOANRISK_STORE, [store] uri, ./loanrisk-store)");
  cmd->add_option("--experiment", a->job.tracking.experiment, "Experiment to record the run in")
      ->capture_default_str();
  cmd->add_option("--run-name", a->job.tracking.run_name, "Name of the run (default: generated)");
  cmd->add_option("--register", a->job.tracking.register_as,
                  "Register the bundle as a version of this model");
  cmd->add_option("--alias", a->job.tracking.alias,
                  "With --register: point this alias (e.g. champion) at it");
  cmd->add_option("--reason", a->job.tracking.reason, "Why: recorded in the registry's history");
  cmd->add_flag("--override", a->job.tracking.override_gate,
                "With --alias champion: move it without a validation report (a first start; "
                "needs --reason, kept in the history)");
  cmd->add_flag("--no-track", a->no_track, "Do not record the run in the tracking store");
  add_threads_option(cmd, a->threads);
  cmd->callback([&action, a] { action = [a] { return run_train(*a); }; });
}

// `predict verify --out DIR`: the parts of a sharded run against their manifests.
void add_predict_verify(CLI::App& predict, Action& action) {
  auto* cmd = predict.add_subcommand(
      "verify",
      "Check a sharded run's folder: every part present once, hashes, row counts, one bundle");
  auto out = std::make_shared<std::string>(), data = std::make_shared<std::string>();
  cmd->add_option("--out", *out, "The --out folder the shards wrote")->required();
  cmd->add_option("--data", *data,
                  "The scored CSV: also check it is unchanged (size, time, each part's bytes)");
  cmd->callback([&action, out, data] {
    action = [=] {
      const ShardCheck c = verify_shards(*out, optional_path(*data));
      std::cout << c.parts << " parts verified: " << c.rows_read << " rows read, " << c.rows_scored
                << " scored, " << c.rows_rejected << " rejected; input " << c.input
                << "; bundle sha256 " << c.bundle_sha256 << "\n";
      return 0;
    };
  });
}

void add_predict(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "predict", "Score a loan CSV with a bundle: customer_id,pd,grade,decision,expected_loss");
  auto model = std::make_shared<std::string>(), data = std::make_shared<std::string>(),
       out = std::make_shared<std::string>(), rejects = std::make_shared<std::string>(),
       store = std::make_shared<std::string>(), config = std::make_shared<std::string>(),
       shard = std::make_shared<std::string>(), threads = std::make_shared<std::string>();
  // Required unless `predict verify` runs instead (CLI11 would demand them for the subcommand).
  cmd->add_option("--model", *model,
                  "Bundle folder, or models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID "
                  "(required)");
  cmd->add_option("--store", *store, "Tracking store URI, for model URIs");
  cmd->add_option("--config", *config,
                  "loanrisk.toml whose [serve] grades and lgd set the grade and expected_loss "
                  "columns (default: the server's default scale and LGD 0.9)");
  cmd->add_option("--data", *data, "Loan CSV to score (the target column is optional; required)");
  cmd->add_option("--out", *out, "Scored CSV to write (with --shard: a folder; required)");
  cmd->add_option(
      "--rejects", *rejects,
      "Write bad rows to this CSV and score the good ones (default: stop at the first; with "
      "--shard: a folder)");
  cmd->add_option("--shard", *shard,
                  "I/N: score shard I (0-based) of N, the rows starting in the I-th of N equal "
                  "byte ranges of the data, into --out/part-0000I-of-0000N.csv and .json (a "
                  "Kubernetes Indexed Job: --shard $(JOB_COMPLETION_INDEX)/N); check the parts "
                  "with `predict verify`");
  add_threads_option(cmd, *threads);
  add_predict_verify(*cmd, action);
  cmd->callback([&action, cmd, model, data, out, rejects, store, config, shard, threads] {
    if (cmd->got_subcommand("verify")) return;
    for (const auto& [name, value] :
         {std::pair{"--model", model}, {"--data", data}, {"--out", out}}) {
      if (value->empty()) throw CLI::RequiredError(name);
    }
    action = [=] {
      use_threads(*threads, *config);
      // The server's credit policy, so a file scored here gets the answers the API gives.
      ServeSettings policy;
      if (!config->empty()) apply_serve_toml(policy, *config);
      PredictRequest request;
      request.model = resolve_cli_model(*model, *store);
      request.data = *data;
      request.out = *out;
      request.rejects = optional_path(*rejects);
      request.policy = policy.policy();
      if (!shard->empty()) request.shard = parse_shard(*shard);
      const PredictOutcome o = predict_file(request);
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
       out = std::make_shared<std::string>(), threads = std::make_shared<std::string>();
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
  add_threads_option(cmd, *threads);
  cmd->callback([&action, model, data, rejects, json, store, out, threads] {
    action = [=] {
      use_threads(*threads, "");
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
