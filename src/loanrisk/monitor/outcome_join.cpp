#include "loanrisk/monitor/outcome_join.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "loanrisk/core/sha256.hpp"

namespace loanrisk::monitor {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

/// Log rows by id, each list in time order. Hashed and plain ids live apart (a prefix byte): a
/// plain id that happens to look like a hash must not meet a hashed one.
using RowIndex = std::unordered_map<std::string, std::vector<std::size_t>>;

RowIndex index_rows(const LoggedPredictions& log) {
  RowIndex index;
  for (std::size_t i = 0; i < log.inputs.ids.size(); ++i) {
    const std::string& id = log.inputs.ids[i];
    if (id.empty()) continue;  // scored without an id: nothing to join to
    const bool hashed = i < log.id_hashed.size() && log.id_hashed[i];
    index[(hashed ? 'h' : 'p') + id].push_back(i);
  }
  for (auto& [key, rows] : index) {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](std::size_t a, std::size_t b) { return log.time_ms[a] < log.time_ms[b]; });
  }
  return index;
}

}  // namespace

std::string prediction_log_salt(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("LOANRISK_PREDICTION_LOG_SALT");
  return env ? std::string(env) : std::string();
}

OutcomeJoin join_outcomes(const LoggedPredictions& log, const std::vector<Outcome>& outcomes,
                          const OutcomeJoinOptions& options) {
  if (options.horizon_days < 1) {
    throw UsageError("the horizon must be at least 1 day (the PD horizon is usually 365)");
  }
  OutcomeJoin j;
  j.horizon_days = options.horizon_days;
  j.outcomes = outcomes.size();
  j.target.assign(log.pd.size(), std::numeric_limits<double>::quiet_NaN());
  const bool any_hashed =
      std::any_of(log.id_hashed.begin(), log.id_hashed.end(), [](auto h) { return h != 0; });
  if (any_hashed && options.salt.empty()) {
    throw UsageError(
        "the prediction log's customer ids are hashed (hash_customer_id): set "
        "$LOANRISK_PREDICTION_LOG_SALT (or [serve.prediction_log] salt in --config) to the "
        "server's salt, so the outcome ids are hashed the same way");
  }
  j.hashed_ids = any_hashed;
  const RowIndex index = index_rows(log);
  const std::int64_t horizon_ms = options.horizon_days * kDayMs;
  for (const Outcome& o : outcomes) {
    // The customer's last scoring at or before the observation, plain or hashed id alike.
    std::optional<std::size_t> best;
    bool scored = false;
    const auto consider = [&](const std::string& key) {
      const auto it = index.find(key);
      if (it == index.end()) return;
      scored = true;
      const auto& rows = it->second;
      const auto after =
          std::upper_bound(rows.begin(), rows.end(), o.observed_ms,
                           [&](std::int64_t t, std::size_t row) { return t < log.time_ms[row]; });
      if (after == rows.begin()) return;
      const std::size_t row = *(after - 1);
      if (!best || log.time_ms[row] > log.time_ms[*best]) best = row;
    };
    consider('p' + o.customer_id);
    if (any_hashed) consider('h' + sha256_hex(options.salt + o.customer_id));
    if (!best) {
      ++(scored ? j.scored_after : j.not_scored);
      continue;
    }
    if (log.time_ms[*best] < o.observed_ms - horizon_ms) {
      ++j.beyond_horizon;
      continue;
    }
    double& t = j.target[*best];
    t = std::isnan(t) ? o.value : std::max(t, o.value);
    ++j.joined;
  }
  for (const double t : j.target) {
    if (std::isnan(t)) continue;
    ++j.scorings;
    if (t == 1) ++j.defaults;
  }
  if (j.joined == 0) {
    std::string why = std::to_string(j.outcomes) + " outcomes: " + std::to_string(j.not_scored) +
                      " customers never scored in the selected log lines, " +
                      std::to_string(j.scored_after) + " scored only after the observation, " +
                      std::to_string(j.beyond_horizon) + " scored more than " +
                      std::to_string(j.horizon_days) + " days before it";
    throw InputError("no outcome joins a logged scoring (" + why +
                     "). Fix: give the ids the server was sent" +
                     (any_hashed ? " and the server's salt" : "") +
                     ", check --since/--until, and the observation dates (YYYY-MM-DD, after "
                     "the scoring)");
  }
  return j;
}

nlohmann::json OutcomeJoin::to_json() const {
  return {{"outcomes", outcomes},
          {"joined", joined},
          {"scorings", scorings},
          {"defaults", defaults},
          {"not_scored", not_scored},
          {"scored_after", scored_after},
          {"beyond_horizon", beyond_horizon},
          {"horizon_days", horizon_days},
          {"hashed_ids", hashed_ids},
          {"rule",
           "each outcome joins the customer's last scoring at or before its observation date "
           "(a date alone is the whole day, UTC) and at most horizon_days before it; a scoring "
           "observed several times is a default when any observation is"}};
}

}  // namespace loanrisk::monitor
