#pragma once
// Selecting and ordering runs, as `loanrisk runs list --filter/--sort` does: a small, strictly
// parsed filter language in MLflow's search syntax, e.g.
// `metric.auc_roc > 0.99 and params.max_depth = '4' and attributes.status = 'FINISHED'`.
#include <string>
#include <vector>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// One comparison of a filter.
struct RunFilterClause {
  enum class Kind { kMetric, kParam, kTag, kAttribute };
  Kind kind = Kind::kMetric;
  std::string key;
  std::string op;     ///< one of = != < <= > >=
  std::string value;  ///< the literal as written (unquoted)
  double number = 0;  ///< the literal as a number (metrics only)
};

/// Clauses joined by AND; an empty filter matches every run.
struct RunFilter {
  std::vector<RunFilterClause> clauses;

  /// True when the run satisfies every clause (a run without the metric/param/tag never does).
  bool matches(const RunRecord& run) const;
};

/// Parses a filter; UsageError naming the position, what was expected, and an example.
RunFilter parse_run_filter(const std::string& text);

/// Orders runs by the latest value of a metric (descending unless ascending); runs without it go
/// last; ties keep their order.
void sort_runs_by_metric(std::vector<RunRecord>& runs, const std::string& metric, bool ascending);

}  // namespace loanrisk
