// The runs filter grammar (tracking/run_filter.cpp) of `loanrisk runs list --filter` and the web
// app's runs page. Contract: UsageError is the only refusal; an accepted filter is applied to runs
// with and without the keys it names.
#include "fuzz_support.hpp"
#include "loanrisk/core/error.hpp"
#include "loanrisk/tracking/run_filter.hpp"

using namespace loanrisk;

namespace {

std::vector<RunRecord> sample_runs() {
  RunRecord a;
  a.run.id = "0123456789abcdef0123456789abcdef";
  a.run.name = "train";
  a.run.status = RunStatus::kFinished;
  a.run.experiment_name = "Default";
  a.params = {{"max_depth", "4"}, {"family", "xgboost"}};
  a.tags = {{"stage", "dev"}};
  a.metrics = {{"auc_roc", 0.99}, {"f1", 0.9}};
  RunRecord b;  // a run with nothing logged
  b.run.id = "fedcba9876543210fedcba9876543210";
  return {a, b};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<RunRecord> runs = sample_runs();
  const std::string text(fuzz::text_of(data, size));
  fuzz::within_contract<UsageError>("parse_run_filter", [&] {
    const RunFilter filter = parse_run_filter(text);
    std::vector<RunRecord> sorted = runs;
    for (const auto& run : runs) (void)filter.matches(run);
    for (const auto& clause : filter.clauses) {
      if (clause.kind == RunFilterClause::Kind::kMetric) {
        sort_runs_by_metric(sorted, clause.key, clause.op == "<");
      }
    }
  });
  return 0;
}
