// MLflow's search grammar (tracking/mlflow_search.cpp) as `loanrisk serve`'s MLflow REST API reads
// runs/search: the first line is the filter, each further line an order_by item. Contract:
// UsageError is the only refusal; an accepted filter is checked, applied to runs with and without
// the keys it names, and the runs sorted by the order_by items; a LIKE pattern matches itself
// when it has no wildcard.
#include <cmath>

#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/mlflow_search.hpp"

using namespace loanrisk;

namespace {

std::vector<MlflowSearchRun> sample_runs() {
  MlflowSearchRun a;
  a.record.run.id = "0123456789abcdef0123456789abcdef";
  a.record.run.name = "train";
  a.record.run.status = RunStatus::kFinished;
  a.record.run.start_ms = 1000;
  a.record.run.end_ms = 2000;
  a.record.params = {{"max_depth", "4"}, {"family", "xgboost"}};
  a.record.tags = {{"mlflow.runName", "train"}};
  a.record.metrics = {{"auc", 0.99}, {"f1", std::nan("")}};
  MlflowSearchRun b;  // a run with nothing logged
  b.record.run.id = "fedcba9876543210fedcba9876543210";
  b.deleted = true;
  return {a, b};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<MlflowSearchRun> runs = sample_runs();
  const std::string text(fuzz::text_of(data, size));
  const auto newline = text.find('\n');
  const std::string filter = text.substr(0, newline);
  std::vector<std::string> order_by;
  for (std::size_t pos = newline; pos != std::string::npos && pos < text.size();) {
    const auto next = text.find('\n', pos + 1);
    order_by.push_back(text.substr(pos + 1, next == std::string::npos ? next : next - pos - 1));
    pos = next;
  }
  fuzz::within_contract<UsageError>("parse_mlflow_filter", [&] {
    const auto clauses = parse_mlflow_filter(filter);
    check_mlflow_run_filter(clauses);
    for (const auto& run : runs) (void)mlflow_run_matches(clauses, run);
    for (const auto& c : clauses) {
      for (const auto& v : c.values) {
        if (v.find_first_of("%_") == std::string::npos && !sql_like(v, v, false)) {
          fuzz::finding("a LIKE pattern without wildcards does not match itself: " + v);
        }
      }
    }
  });
  fuzz::within_contract<UsageError>("sort_mlflow_runs", [&] {
    std::vector<MlflowSearchRun> sorted = runs;
    sort_mlflow_runs(sorted, order_by);
    if (sorted.size() != runs.size()) fuzz::finding("sorting lost runs");
  });
  return 0;
}
