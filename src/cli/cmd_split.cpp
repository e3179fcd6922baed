// `loanrisk split`: writes the train/validation/test split that `train` and `tune` make
// internally, so other tools (the Python baseline of bench/bench_tune.sh, a reviewer's notebook)
// can work on exactly the same rows.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/print.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/training/prepare.hpp"
#include "loanrisk/workflow/workflows.hpp"

namespace loanrisk::cli {
namespace {

struct SplitArgs {
  std::string data, config, out, on_duplicate_id;
  std::optional<std::uint64_t> seed;
  bool force = false;
};

int run_split(const SplitArgs& a) {
  TrainConfig config = a.config.empty() ? TrainConfig{} : load_config(a.config);
  if (a.seed) config.split.seed = *a.seed;
  if (!a.on_duplicate_id.empty()) config.on_duplicate_id = a.on_duplicate_id;
  validate(config);
  const std::string target = config.schema.target() ? config.schema.target()->name : "";
  if (target.empty()) throw UsageError("the schema has no target column: a split needs one");
  const std::filesystem::path out(a.out);
  const char* names[] = {"train.csv", "validation.csv", "test.csv", "calibration.csv"};
  for (const char* name : names) {
    if (std::filesystem::exists(out / name) && !a.force) {
      throw UsageError((out / name).string() +
                       " already exists: choose another --out or pass --force to replace it");
    }
  }
  const ReadResult read = read_with_rejects(a.data, config.schema, true, std::nullopt);
  const SplitData split = split_data(read.frame, config, a.data);
  report_duplicates(std::cout, split.duplicates, config.on_duplicate_id,
                    split.rows_dropped_as_duplicates);
  std::filesystem::create_directories(out);
  // validation.csv is the whole validation split; calibration.csv the rows of it held out from
  // early stopping for the calibrator and the threshold.
  const Frame validation = split.rows.take(split.indices.validation);
  const Frame* parts[] = {&split.train, &validation, &split.test, &split.calibration};
  for (int i = 0; i < 4; ++i) {
    const Frame& part = *parts[i];
    if (i == 3 && part.rows() == 0) break;
    write_frame_csv(out / names[i], part, config.schema);
    double defaults = 0;
    for (double v : part.column(target)) defaults += v;
    std::cout << "wrote " << part.rows() << " rows to " << (out / names[i]).string()
              << " (default rate "
              << (part.rows() ? defaults / static_cast<double>(part.rows()) : 0.0) << ")\n";
  }
  return 0;
}

}  // namespace

void add_split(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "split",
      "Write the stratified, by-customer train/validation/test split that train and tune use");
  auto a = std::make_shared<SplitArgs>();
  cmd->add_option("--data", a->data, "Labelled loan CSV")->required();
  cmd->add_option("--config", a->config, "loanrisk.toml ([data] schema and [split] fractions)");
  cmd->add_option("--seed", a->seed, "Seed of the split (overrides the config; default 42)");
  cmd->add_option("--on-duplicate-id", a->on_duplicate_id, kOnDuplicateIdHelp);
  cmd->add_option("--out", a->out,
                  "Folder for train.csv, validation.csv, test.csv and calibration.csv (the rows "
                  "of validation.csv held out for the calibrator and the threshold)")
      ->required();
  cmd->add_flag("--force", a->force, "Replace the files if they exist");
  cmd->callback([&action, a] { action = [a] { return run_split(*a); }; });
}

}  // namespace loanrisk::cli
