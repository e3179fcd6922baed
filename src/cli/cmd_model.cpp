// `loanrisk train`, `predict` and `evaluate`: the model lifecycle on files.
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.hpp"
#include "cli/print.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk::cli {
namespace {

std::optional<std::filesystem::path> optional_path(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return std::filesystem::path(s);
}

struct TrainArgs {
  std::string data, out, config, rejects, model;
  std::optional<std::uint64_t> seed;
  bool force = false, json = false;
};

int run_train(const TrainArgs& a) {
  TrainRequest req;
  req.data = a.data;
  req.out = a.out;
  req.rejects = optional_path(a.rejects);
  req.overwrite = a.force;
  if (!a.config.empty()) req.config = load_config(a.config);
  if (!a.model.empty()) req.config.family = a.model;
  if (a.seed) {
    req.config.split.seed = *a.seed;
    req.config.params["seed"] = static_cast<double>(*a.seed % 2147483648ULL);
  }
  const TrainOutcome o = train_model(req);
  if (a.json) {
    std::cout << nlohmann::json{{"bundle", a.out},
                                {"metrics", o.bundle.metrics},
                                {"rows",
                                 {{"read", o.rows_read},
                                  {"rejected", o.rows_rejected},
                                  {"train", o.rows_train},
                                  {"validation", o.rows_validation},
                                  {"test", o.rows_test},
                                  {"dropped_as_outliers", o.rows_dropped}}},
                                {"seconds", o.seconds}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << "trained " << o.bundle.family << " on " << o.rows_train << " rows (validation "
            << o.rows_validation << ", test " << o.rows_test << "; " << o.rows_dropped
            << " training rows dropped as outliers, " << o.rows_rejected << " rows rejected) in "
            << o.seconds << " s\n\n";
  print_metrics(std::cout, {{"validation", &o.validation}, {"test", &o.test}});
  std::cout << "\nbundle written to " << a.out << "\n";
  if (req.rejects) std::cout << "rejected rows written to " << req.rejects->string() << "\n";
  return 0;
}

}  // namespace

void add_train(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("train", "Train a PD model on a loan CSV and write a model bundle");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("--data", a->data, "Loan CSV with the target column")->required();
  cmd->add_option("--out", a->out, "Bundle folder to write")->required();
  cmd->add_option("--config", a->config, "loanrisk.toml with schema, split, features and model");
  cmd->add_option("--model", a->model, "Model family (overrides the config), e.g. xgboost");
  cmd->add_option("--seed", a->seed, "Seed of the split and the model (overrides the config)");
  cmd->add_option(
      "--rejects", a->rejects,
      "Write bad rows to this CSV and train on the good ones (default: stop at the first)");
  cmd->add_flag("--force", a->force, "Replace the bundle folder if it exists");
  cmd->add_flag("--json", a->json, "Print the result as JSON");
  cmd->callback([&action, a] { action = [a] { return run_train(*a); }; });
}

void add_predict(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("predict", "Score a loan CSV with a bundle: customer_id,pd,decision");
  auto model = std::make_shared<std::string>(), data = std::make_shared<std::string>(),
       out = std::make_shared<std::string>(), rejects = std::make_shared<std::string>();
  cmd->add_option("--model", *model, "Bundle folder written by `loanrisk train`")->required();
  cmd->add_option("--data", *data, "Loan CSV to score (the target column is optional)")->required();
  cmd->add_option("--out", *out, "Scored CSV to write")->required();
  cmd->add_option(
      "--rejects", *rejects,
      "Write bad rows to this CSV and score the good ones (default: stop at the first)");
  cmd->callback([&action, model, data, out, rejects] {
    action = [=] {
      const PredictOutcome o = predict_file({*model, *data, *out, optional_path(*rejects)});
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
       rejects = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--model", *model, "Bundle folder written by `loanrisk train`")->required();
  cmd->add_option("--data", *data, "Loan CSV with the target column")->required();
  cmd->add_option("--rejects", *rejects,
                  "Write bad rows to this CSV and evaluate on the good ones");
  cmd->add_flag("--json", *json, "Print the metrics as JSON");
  cmd->callback([&action, model, data, rejects, json] {
    action = [=] {
      const EvaluateOutcome o = evaluate_file(*model, *data, optional_path(*rejects));
      if (*json) {
        std::cout << o.report.to_json().dump(2) << "\n";
      } else {
        print_metrics(std::cout, {{"evaluation", &o.report}});
        if (o.rows_rejected > 0) std::cout << o.rows_rejected << " rows rejected, not evaluated\n";
      }
      return 0;
    };
  });
}

}  // namespace loanrisk::cli
