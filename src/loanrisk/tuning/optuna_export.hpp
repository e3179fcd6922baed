#pragma once
// A loanrisk study written into Optuna's RDB storage (an SQLite file), so that
// `optuna.load_study(study_name=..., storage="sqlite:////path/optuna.db")` and the tools built on
// it (optuna-dashboard, trials_dataframe, the importance and visualisation functions) open it:
// one MAXIMIZE objective (the composite), every trial with its state, parameters in Optuna's
// internal representation with their distributions, value, intermediate values, times, the
// loanrisk run id as the user attribute `loanrisk_run_id`, and successive-halving rungs as
// Optuna's pruner records them. See docs/tuning.md ("Open a study in Optuna").
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/search_space.hpp"

namespace loanrisk {

/// What an export wrote.
struct OptunaExportSummary {
  std::filesystem::path path;  ///< the SQLite file.
  bool created_file = false;   ///< true: the file did not exist and now holds Optuna's schema.
  std::int64_t study_id = 0;   ///< the study's id in that storage.
  int trials = 0;
  int params = 0;
  int intermediate_values = 0;
};

/// The SQLite file an Optuna storage URI names, read as SQLAlchemy reads it
/// (`sqlite:////abs/path.db`, `sqlite:///relative.db`); UsageError for any other storage, a
/// query string, `:memory:`, a folder, or a file whose folder does not exist.
std::filesystem::path optuna_storage_path(const std::string& storage_uri);

/// Optuna's `distribution_json` of a distribution (IntDistribution, FloatDistribution or
/// CategoricalDistribution with their attributes); UsageError for one Optuna cannot represent
/// (an integer range on a log scale with a step other than 1).
nlohmann::json optuna_distribution_json(const ParamDistribution& d);

/// A parameter's value as Optuna stores it: the number itself, or a categorical choice's index;
/// InputError when the value is outside the distribution.
double optuna_internal_value(const ParamDistribution& d, double value);

/// Writes the study and its trials into the storage at storage_uri in one transaction. The file
/// is created with Optuna's schema when missing; an existing file must be an Optuna 3.1 storage
/// (or an empty SQLite database) without a study of that name, else UsageError and nothing is
/// written.
OptunaExportSummary export_optuna_study(const StudyInfo& study, const SearchSpace& space,
                                        const std::vector<TrialRecord>& trials,
                                        const std::string& storage_uri);

}  // namespace loanrisk
