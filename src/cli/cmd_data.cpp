// `loanrisk synth`: the embedded default data.
#include <iostream>

#include "cli/commands.hpp"
#include "loanrisk/data/csv_reader.hpp"
#include "loanrisk/data/synth.hpp"

namespace loanrisk::cli {

void add_synth(CLI::App& app, Action& action) {
  auto* cmd =
      app.add_subcommand("synth", "Write a synthetic loan book (the embedded default data)");
  auto opts = std::make_shared<SynthOptions>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("--rows", opts->rows, "Number of customers")->check(CLI::Range(1, 100000000));
  cmd->add_option("--seed", opts->seed, "Random seed (the same seed gives the same book)");
  cmd->add_option("--out", *out, "Output CSV file")->required();
  cmd->add_option("--drift", opts->drift,
                  "Drift scenario for monitoring demos: none, income_shock (income -30%), "
                  "fico_shift (FICO -50), debt_growth (total debt +60%)")
      ->check(CLI::IsMember(synth_drift_kinds()));
  cmd->add_option("--drift-strength", opts->drift_strength,
                  "Multiplier of the scenario's shift (default 1)")
      ->check(CLI::Range(0.0, 3.0));
  cmd->callback([&action, opts, out] {
    action = [opts, out] {
      const Frame book = synth_loan_book(*opts);
      write_frame_csv(*out, book, Schema::loan_default());
      const auto& y = book.column("default");
      double defaults = 0;
      for (double v : y) defaults += v;
      std::cout << "wrote " << book.rows() << " loans to " << *out << " (default rate "
                << defaults / static_cast<double>(book.rows()) << ", seed " << opts->seed << ")\n";
      return 0;
    };
  });
}

}  // namespace loanrisk::cli
