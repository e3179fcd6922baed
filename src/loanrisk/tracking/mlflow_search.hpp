#pragma once
// MLflow's search grammar, as its REST API takes it in runs/search, experiments/search,
// registered-models/search and model-versions/search: clauses joined by AND, each
// `[entity.]key OP value` where the key may be quoted (`metrics."f1 score"`, tags.`mlflow.user`),
// OP one of = != < <= > >= LIKE ILIKE IN, NOT IN, and the value a number, a quoted string or a
// parenthesised list of quoted strings; order_by items `[entity.]key [ASC|DESC]`; page tokens.
// The runs of a search are filtered and ordered in memory (the run_filter.hpp grammar is the
// CLI's smaller one). Every error is a UsageError naming the position and what was expected.
#include <cstdint>
#include <string>
#include <vector>

#include "loanrisk/tracking/store.hpp"

namespace loanrisk {

/// One comparison.
struct MlflowClause {
  std::string entity;               ///< "metrics", "params", "tags", "attributes" or "" (none).
  std::string key;                  ///< unquoted.
  std::string op;                   ///< = != < <= > >= LIKE ILIKE IN "NOT IN" (upper case).
  std::vector<std::string> values;  ///< one, or the list of IN / NOT IN.
  bool number = false;              ///< the value was written as a number.
  double numeric = 0;               ///< the value as a number, when it is one.
};

/// Parses a filter: the clauses (empty filter: none). entity names are normalised (metric ->
/// metrics, param -> params, tag -> tags, attribute/attr/run -> attributes).
std::vector<MlflowClause> parse_mlflow_filter(const std::string& text);

/// A run as runs/search sees it.
struct MlflowSearchRun {
  RunRecord record;
  std::string artifact_uri;
  bool deleted = false;
};

/// Checks run clauses (entities, attribute names, operators against value types); UsageError.
void check_mlflow_run_filter(const std::vector<MlflowClause>& clauses);
/// True when the run satisfies every clause; a missing metric, param or tag never does.
bool mlflow_run_matches(const std::vector<MlflowClause>& clauses, const MlflowSearchRun& run);
/// Orders runs by order_by items (MLflow's default, start_time DESC then run_id, when empty; the
/// same as the last tie-breaker). Missing values sort last. UsageError for a bad item.
void sort_mlflow_runs(std::vector<MlflowSearchRun>& runs, const std::vector<std::string>& order_by);

/// A string matches a SQL LIKE pattern ('%' any run, '_' one character; case-insensitive for
/// ILIKE).
bool sql_like(const std::string& text, const std::string& pattern, bool case_insensitive);
/// A string against a string clause (= != LIKE ILIKE IN, NOT IN).
bool mlflow_string_matches(const MlflowClause& clause, const std::string& actual);

/// The page a page token names: the offset of its first item. "" is 0; UsageError otherwise when
/// the token is not one this server wrote.
std::size_t parse_mlflow_page_token(const std::string& token);
/// The token of the page starting at offset.
std::string mlflow_page_token(std::size_t offset);

}  // namespace loanrisk
