#pragma once
// Study analysis as JSON, the data behind the plots Optuna's dashboard users expect: optimisation
// history, parameter importances, slice, parallel coordinates and intermediate values.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/tracking/study_store.hpp"
#include "loanrisk/tuning/search_space.hpp"

namespace loanrisk {

/// Importance of each parameter: the share of the variance of the objective over COMPLETE trials
/// explained by the parameter alone (correlation ratio eta^2 over up to 4 quantile bins of the
/// parameter), normalised to sum to 1; all 0 with fewer than 2 complete trials or no variance.
std::map<std::string, double> param_importances(const SearchSpace& space,
                                                const std::vector<TrialRecord>& trials);

/// {"study", "family", "direction": "maximize", "n_trials", "states": {state: count}, "best":
/// {number, value, params}, "history": [{number, state, value, best_so_far}], "importances",
/// "slice": {param: [{number, value, objective}]}, "parallel_coordinates": [{number, objective,
/// params}], "intermediate": [{number, steps: [[step, value]...]}]}.
nlohmann::json analyse_study(const StudyInfo& study, const SearchSpace& space,
                             const std::vector<TrialRecord>& trials);

}  // namespace loanrisk
