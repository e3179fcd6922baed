#pragma once
// Outcomes joined to the prediction log: each observed outcome (data/outcomes.hpp) is matched to
// the customer's last scoring at or before its observation date, within the PD horizon, so that
// the PDs actually served (and the challenger's beside them) can be tested against what happened.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "loanrisk/data/outcomes.hpp"
#include "loanrisk/monitor/prediction_log.hpp"

namespace loanrisk::monitor {

struct OutcomeJoinOptions {
  /// The server's salt, to hash the outcome ids as the log's hashed ids were ("" when the log has
  /// no hashed id; UsageError when it has one and no salt is given).
  std::string salt;
  /// A scoring older than this many days before the observation is not joined to it (the PD's
  /// horizon: 12 months).
  std::int64_t horizon_days = 365;
};

/// The log's rows with their joined outcomes, and how every outcome fared.
struct OutcomeJoin {
  std::vector<double> target;      ///< per log row: 0 or 1, NaN when no outcome was joined.
  std::size_t outcomes = 0;        ///< rows of the outcome file.
  std::size_t joined = 0;          ///< outcomes joined to a scoring.
  std::size_t scorings = 0;        ///< distinct scorings with an outcome (joined minus merged).
  std::size_t not_scored = 0;      ///< no logged scoring of the customer at all.
  std::size_t scored_after = 0;    ///< the customer was scored only after the observation.
  std::size_t beyond_horizon = 0;  ///< the last scoring before it is older than the horizon.
  std::size_t defaults = 0;        ///< scorings whose outcome is a default.
  std::int64_t horizon_days = 0;
  bool hashed_ids = false;  ///< the outcome ids were hashed to meet the log's.

  /// {"outcomes", "joined", "scorings", "defaults", "not_scored", "scored_after",
  /// "beyond_horizon", "horizon_days", "hashed_ids", "rule"}.
  nlohmann::json to_json() const;
};

/// Joins outcomes to the log. A scoring joined to several outcomes (observed at several dates
/// within its horizon) takes 1 when any of them is a default: a default within the horizon stays
/// one. InputError when no outcome joins (with the likely reasons), UsageError for hashed ids
/// without a salt or a horizon below one day.
OutcomeJoin join_outcomes(const LoggedPredictions& log, const std::vector<Outcome>& outcomes,
                          const OutcomeJoinOptions& options);

/// The salt for hashed ids: the configured one, else $LOANRISK_PREDICTION_LOG_SALT, else "".
std::string prediction_log_salt(const std::string& configured);

}  // namespace loanrisk::monitor
