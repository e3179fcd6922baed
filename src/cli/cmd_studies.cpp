// `loanrisk studies list|export-optuna`: the tuning studies in the store, and one of them written
// into an Optuna storage so that Optuna and the tools built on it open it (docs/tuning.md).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/store_access.hpp"
#include "loanrisk/core/text.hpp"
#include "loanrisk/tracking/store_uri.hpp"
#include "loanrisk/tracking/text_table.hpp"
#include "loanrisk/tuning/optuna_export.hpp"
#include "loanrisk/tuning/study.hpp"

namespace loanrisk::cli {
namespace {

struct StudiesArgs {
  std::string store, study, storage;
  bool json = false;
};

struct StateCounts {
  int complete = 0, pruned = 0, fail = 0, running = 0;
  explicit StateCounts(const std::vector<TrialRecord>& trials) {
    for (const auto& t : trials) {
      complete += t.state == TrialState::kComplete;
      pruned += t.state == TrialState::kPruned;
      fail += t.state == TrialState::kFail;
      running += t.state == TrialState::kRunning;
    }
  }
  std::string text() const {
    return std::to_string(complete) + "/" + std::to_string(pruned) + "/" + std::to_string(fail) +
           "/" + std::to_string(running);
  }
};

int run_list(const StudiesArgs& a) {
  auto store = open_cli_store(a.store);
  StudyStore studies(*store);
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const StudyInfo& s : studies.list()) {
    const auto trials = studies.trials(s.id);
    const auto best = best_trial(trials);
    const StateCounts counts(trials);
    out.push_back({{"name", s.name},
                   {"family", s.family},
                   {"trials", trials.size()},
                   {"complete", counts.complete},
                   {"pruned", counts.pruned},
                   {"fail", counts.fail},
                   {"running", counts.running},
                   {"best_number", best ? nlohmann::json(best->number) : nlohmann::json()},
                   {"best_value", best ? number_or_null(*best->value) : nlohmann::json()},
                   {"parent_run_id", s.parent_run_id},
                   {"created_ms", s.created_ms}});
    rows.push_back({s.name, s.family, std::to_string(trials.size()), counts.text(),
                    best ? format_metric(*best->value) : "-",
                    best ? "#" + std::to_string(best->number) : "-", format_time_ms(s.created_ms)});
  }
  if (a.json) {
    std::cout << dump_json(out, 2) << "\n";
    return 0;
  }
  std::cout << render_table({"study", "family", "trials", "complete/pruned/fail/running",
                             "best value", "best trial", "created"},
                            rows);
  return 0;
}

int run_export_optuna(const StudiesArgs& a) {
  require_utf8("--study", a.study);
  optuna_storage_path(a.storage);  // a bad target fails before the store is opened
  auto store = open_cli_store(a.store);
  StudyStore studies(*store);
  const auto study = studies.find(a.study);
  if (!study) {
    std::vector<std::string> names;
    for (const auto& s : studies.list()) names.push_back(s.name);
    throw UsageError("no study '" + echo_text(a.study) + "' in " + redact_store_uri(store->uri()) +
                     "; studies: " + (names.empty() ? "(none)" : join(names)));
  }
  const SearchSpace space = SearchSpace::from_json(nlohmann::json::parse(study->space_json));
  const auto trials = studies.trials(study->id);
  const OptunaExportSummary s = export_optuna_study(*study, space, trials, a.storage);
  const StateCounts counts(trials);
  std::cout << "exported study '" << study->name << "' (" << s.trials
            << " trials: " << counts.complete << " complete, " << counts.pruned << " pruned, "
            << counts.fail << " failed, " << counts.running << " running; " << s.intermediate_values
            << " intermediate values) to " << (s.created_file ? "the new " : "")
            << "Optuna storage " << s.path.string() << " as study_id " << s.study_id << "\n"
            << "open it with: optuna.load_study(study_name=" << nlohmann::json(study->name).dump()
            << ", storage=" << dump_json(a.storage) << ")\n";
  return 0;
}

}  // namespace

void add_studies(CLI::App& app, Action& action) {
  auto* studies =
      app.add_subcommand("studies", "List tuning studies and export them into Optuna's storage");
  studies->require_subcommand(1);
  auto a = std::make_shared<StudiesArgs>();
  auto* list = add_store_leaf(studies, "list", "Every study: family, trials by state, best trial",
                              a, action, run_list);
  list->add_flag("--json", a->json, "Print JSON");
  auto* exp = add_store_leaf(studies, "export-optuna",
                             "Write a study into an Optuna RDB storage (an SQLite file)", a, action,
                             run_export_optuna);
  exp->add_option("--study", a->study, "Study to export")->required();
  exp->add_option("--storage", a->storage,
                  "Optuna storage: sqlite:////abs/optuna.db or sqlite:///relative.db (created "
                  "when missing; refused when it already holds a study of that name)")
      ->required();
}

}  // namespace loanrisk::cli
