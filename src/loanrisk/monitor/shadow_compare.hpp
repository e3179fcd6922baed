#pragma once
// Champion and challenger on logged traffic: how far apart their PDs are on every shadowed row,
// and, on the rows whose outcomes are known, which of the two ranks and calibrates better (AUC
// with DeLong's interval and DeLong's test of the difference, Brier, mean PD against the observed
// default rate).
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace loanrisk::monitor {

/// `champion` and `challenger` are PDs per row (challenger NaN where the row was not shadowed);
/// `target` is empty or per row 0/1 or NaN (no outcome). Null when no row has both PDs.
/// {"rows", "champion_mean_pd", "challenger_mean_pd", "pd_difference": {"mean", "mean_abs",
/// "p05", "p50", "p95", "max_abs"} (challenger minus champion), "with_outcomes": null or {"rows",
/// "defaults", "default_rate", "champion": {...}, "challenger": {...}, "auc_difference",
/// "auc_p_value", "brier_difference", "note"}}.
nlohmann::json shadow_comparison(const std::vector<double>& champion,
                                 const std::vector<double>& challenger,
                                 const std::vector<double>& target);

}  // namespace loanrisk::monitor
