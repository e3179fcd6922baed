// `loanrisk eda`: the exploratory analysis of a loan CSV, written as report.html and report.json.
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "loanrisk/config/config.hpp"
#include "loanrisk/eda/report.hpp"

namespace loanrisk::cli {
namespace {

struct EdaArgs {
  std::string data, out, config;
  std::optional<std::uint64_t> seed;
};

int run_eda(const EdaArgs& a) {
  eda::EdaOptions options = eda::EdaOptions::defaults();
  Schema schema = Schema::loan_default();
  if (!a.config.empty()) {
    // The eda layer takes plain numbers: the config's outlier factors, z fence and income floor.
    const TrainConfig config = load_config(a.config);
    schema = config.schema;
    options.iqr_factors.clear();
    for (const auto& [column, rule] : config.features.outliers) {
      options.iqr_factors[column] = rule.iqr_factor;
    }
    options.z_threshold = config.features.z_threshold;
    options.income_floor = config.features.income_floor;
  }
  if (a.seed) options.seed = *a.seed;
  const eda::EdaReport report = eda::analyze_file(a.data, schema, options);
  eda::write_report(a.out, report);
  const auto& o = report.overview;
  std::cout << "analysed " << o.rows_valid << " of " << o.rows_read << " rows (" << o.rejects
            << " rejected) in " << report.seconds << " s; default rate "
            << report.balance.default_rate << "\n";
  std::cout << "wrote " << (std::filesystem::path(a.out) / "report.html").string() << " and "
            << (std::filesystem::path(a.out) / "report.json").string() << "\n";
  return 0;
}

}  // namespace

void add_eda(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "eda",
      "Explore a loan CSV: statistics, normality, outliers, correlations, WOE/IV, drift "
      "reference; writes report.html and report.json");
  auto a = std::make_shared<EdaArgs>();
  cmd->add_option("--data", a->data, "Loan CSV with the target column")->required();
  cmd->add_option("--out", a->out, "Folder to write report.html and report.json into")->required();
  cmd->add_option("--config", a->config,
                  "loanrisk.toml: its schema and [features] outlier factors, z and income floor");
  cmd->add_option("--seed", a->seed, "Seed of the Shapiro-Wilk sample on files over 5,000 rows");
  cmd->callback([&action, a] { action = [a] { return run_eda(*a); }; });
}

}  // namespace loanrisk::cli
