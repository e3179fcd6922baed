// The `runs list --filter/--sort` language: what it accepts, what it rejects and why.
#include <cmath>

#include "loanrisk/tracking/run_filter.hpp"
#include "loanrisk/tracking/text_table.hpp"
#include "support/test_support.hpp"

namespace loanrisk::testing {
namespace {

RunRecord record(const std::string& name, double auc, const std::string& depth) {
  RunRecord r;
  r.run.id = name + "-id";
  r.run.name = name;
  r.run.status = RunStatus::kFinished;
  r.run.experiment_name = "credit";
  r.metrics["auc_roc"] = auc;
  r.params["max_depth"] = depth;
  r.tags["team"] = "risk";
  return r;
}

TEST(RunFilter, ParsesClausesJoinedByAnd) {
  const RunFilter f = parse_run_filter(
      "metric.auc_roc > 0.99 AND params.max_depth = '4' and attributes.status != \"FAILED\"");
  ASSERT_EQ(f.clauses.size(), 3u);
  EXPECT_EQ(f.clauses[0].kind, RunFilterClause::Kind::kMetric);
  EXPECT_EQ(f.clauses[0].key, "auc_roc");
  EXPECT_EQ(f.clauses[0].op, ">");
  EXPECT_EQ(f.clauses[0].number, 0.99);
  EXPECT_EQ(f.clauses[1].value, "4");
  EXPECT_EQ(f.clauses[2].op, "!=");
  EXPECT_EQ(f.clauses[2].value, "FAILED");
  EXPECT_TRUE(parse_run_filter("   ").clauses.empty());
}

TEST(RunFilter, MatchesMetricsParamsTagsAndAttributes) {
  const RunRecord good = record("good", 0.995, "4"), weak = record("weak", 0.95, "4");
  const RunFilter f = parse_run_filter("metric.auc_roc > 0.99 and params.max_depth = '4'");
  EXPECT_TRUE(f.matches(good));
  EXPECT_FALSE(f.matches(weak));
  EXPECT_TRUE(parse_run_filter("metrics.auc_roc <= 0.95").matches(weak));
  EXPECT_FALSE(parse_run_filter("metric.ks > 0").matches(good));  // missing metric: no match
  EXPECT_TRUE(parse_run_filter("tags.team = 'risk'").matches(good));
  EXPECT_TRUE(parse_run_filter("attributes.status = 'FINISHED'").matches(good));
  EXPECT_TRUE(parse_run_filter("attr.name != 'weak'").matches(good));
}

TEST(RunFilter, BadSyntaxSaysWhereAndWhat) {
  const std::vector<Refusal> refused = {
      {"metric.auc_roc >> 0.99",
       "bad filter 'metric.auc_roc >> 0.99' at character 17: metric.auc_roc needs a number; "
       "example: metric.auc_roc > 0.99"},
      {"auc_roc > 0.99",
       "at character 1: expected metric.<key>, params.<key>, tags.<key> or attributes.<name>, "
       "got 'auc_roc'"},
      {"metric.auc_roc 0.99", "at character 16: expected one of = != < <= > >="},
      {"metric.auc_roc > 0.9 or metric.ks > 0", "expected 'and' or the end of the filter"},
      {"params.max_depth > '3'", "params, tags and attributes compare with = or != only"},
      {"params.max_depth = 'x", "unterminated quoted value"},
      {"attributes.colour = 'red'", "unknown attribute 'colour'"},
      {"metric. > 1", "expected a key after '.'"},
  };
  expect_refusals<UsageError>(parse_run_filter, refused);
}

TEST(RunFilter, SortsByMetricWithMissingLast) {
  std::vector<RunRecord> runs = {record("a", 0.9, "1"), record("b", 0.99, "1"),
                                 record("c", std::nan(""), "1"), record("d", 0.95, "1")};
  runs[2].metrics.erase("auc_roc");
  sort_runs_by_metric(runs, "auc_roc", false);
  EXPECT_EQ(runs[0].run.name + runs[1].run.name + runs[2].run.name + runs[3].run.name, "bdac");
  sort_runs_by_metric(runs, "auc_roc", true);
  EXPECT_EQ(runs[0].run.name + runs[1].run.name + runs[2].run.name + runs[3].run.name, "adbc");
}

TEST(TextTable, PadsColumnsAndFormatsValues) {
  EXPECT_EQ(render_table({"run", "auc"}, {{"a", "0.9"}, {"longer", "0.99"}}),
            "run     auc\na       0.9\nlonger  0.99\n");
  EXPECT_EQ(format_metric(0.123456789), "0.123457");
  EXPECT_EQ(format_metric(std::nan("")), "nan");
  EXPECT_EQ(format_time_ms(86400000), "1970-01-02T00:00:00Z");
  EXPECT_EQ(format_time_ms(0), "-");
}

}  // namespace
}  // namespace loanrisk::testing
