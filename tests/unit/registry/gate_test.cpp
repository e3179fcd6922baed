// Gated promotion on both backends: a protected alias moves only to a version with an attached
// validation report that has no red gate, or with an override and its reason; every report and
// override is in the history.
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/registry/registry.hpp"
#include "unit/registry/report_fixture.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

class Gate : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    store = open();
    for (const char* marker : {"one", "two"}) {
      const auto src = dir() / (std::string("bundle-") + marker);
      std::filesystem::create_directories(src / "model");
      write_text(src / "manifest.json", std::string("{\"m\": \"") + marker + "\"}");
      write_text(src / "model" / "xgboost.json", "{}");
      const loanrisk::Run run = store->create_run({"credit", marker, "", ""});
      store->log_artifact(run.id, src, "bundle");
      store->end_run(run.id, RunStatus::kFinished);
      ModelRegistry(*store, "reg").register_version("pd", run.id, "r");
    }
  }
  ModelRegistry as(const std::string& who) { return ModelRegistry(*store, who); }
  std::filesystem::path report(std::int64_t version, const std::string& status,
                               const std::vector<std::string>& red = {}) {
    return write_report(dir() / ("report-" + std::to_string(++reports_written)),
                        as("x").get_version("pd", version).source, status, red);
  }
  std::unique_ptr<Store> store;
  int reports_written = 0;  ///< report(...) writes report-1, report-2, ... in the test's folder.
};
LOANRISK_INSTANTIATE_STORE_SUITE(Gate);

TEST_P(Gate, ChampionNeedsAReportOtherAliasesDoNot) {
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 1, "go live"), GateError,
                   "@champion needs validation evidence: version 1 of 'pd' has no validation "
                   "report attached; validate it (`loanrisk validate --model models:/pd/1");
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 1, "go live"), GateError,
                   "`loanrisk models attach-report pd 1 DIR`");
  EXPECT_TRUE(as("x").get_model("pd").aliases.empty());  // nothing moved, nothing recorded
  EXPECT_TRUE(as("ana").set_alias("pd", "challenger", 1, "shadow it"));

  const VersionReport r = as("val").attach_report("pd", 1, report(1, "amber"));
  EXPECT_EQ(r.status, "amber");
  EXPECT_EQ(r.attached_by, "val");
  EXPECT_EQ(r.data_source, "book.csv");
  EXPECT_EQ(r.sha256, sha256_file(dir() / "report-1" / "report.json"));
  EXPECT_EQ(read_file(r.path / "report.json"), read_file(dir() / "report-1" / "report.json"));
  EXPECT_TRUE(std::filesystem::exists(r.path / "report.html"));
  EXPECT_TRUE(as("ana").set_alias("pd", "champion", 1, "go live"));  // amber is not red

  const auto h = as("x").history("pd");
  const RegistryEvent &attach = h[h.size() - 2], &move = h.back();
  EXPECT_EQ(attach.event, "attach-report");
  EXPECT_EQ(attach.version, 1);
  EXPECT_EQ(attach.report_sha256, r.sha256);
  EXPECT_EQ(attach.reason, "validation amber on book.csv");
  EXPECT_EQ(move.event, "alias");
  EXPECT_EQ(move.report_sha256, r.sha256);  // the evidence the move relied on
  EXPECT_FALSE(move.override_gate);
}

TEST_P(Gate, ARedReportRefusesUnlessOverriddenWithAReason) {
  const std::string red_sha =
      as("val")
          .attach_report(
              "pd", 2,
              report(2, "red",
                     {"calibration by grade: grade 4 underestimated", "Hosmer-Lemeshow: p 0.001"}))
          .sha256;
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 2, "better"), GateError,
                   "has a red validation report (" + red_sha.substr(0, 12) +
                       "..., 2 red gates: calibration by grade: grade 4 underestimated; "
                       "Hosmer-Lemeshow: p 0.001)");
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 2, " ", "", true), UsageError,
                   "overriding the validation gate of @champion needs a reason");
  EXPECT_TRUE(as("ana").set_alias("pd", "champion", 2, "board accepted the grade 4 gap", "", true));
  const RegistryEvent move = as("x").history("pd").back();
  EXPECT_TRUE(move.override_gate);
  EXPECT_EQ(move.report_sha256, red_sha);
  EXPECT_EQ(move.reason, "board accepted the grade 4 gap");
  EXPECT_EQ(move.user, "ana");

  // Without any report an override is recorded with no report named.
  EXPECT_TRUE(as("ana").set_alias("pd", "champion", 1, "roll back now", "", true));
  EXPECT_TRUE(as("x").history("pd").back().override_gate);
  EXPECT_EQ(as("x").history("pd").back().report_sha256, "");
}

TEST_P(Gate, TheNewestReportCountsUnlessOneIsNamed) {
  const std::string green = as("val").attach_report("pd", 2, report(2, "green")).sha256;
  const std::string red = as("val").attach_report("pd", 2, report(2, "red", {"AUC: fell"})).sha256;
  const auto listed = as("x").reports("pd", 2);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].sha256, red);  // newest first
  EXPECT_EQ(listed[0].red, std::vector<std::string>{"AUC: fell"});
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 2, "x"), GateError, "AUC: fell");
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 2, "x", std::string(64, 'b')), UsageError,
                   "is not attached to version 2 of 'pd'");
  EXPECT_THROW_MSG(as("ana").set_alias("pd", "champion", 2, "x", "nothex"), UsageError,
                   "64 lower-case hex digits");
  EXPECT_TRUE(as("ana").set_alias("pd", "champion", 2, "the June book's report", green));
  EXPECT_EQ(as("x").history("pd").back().report_sha256, green);
  EXPECT_EQ(as("x").find_report(red)->version, 2);
  EXPECT_FALSE(as("x").find_report(std::string(64, 'c')).has_value());
  EXPECT_EQ(as("x").reports("pd").size(), 2u);
  // Attaching the same report again keeps the one record.
  EXPECT_EQ(as("bo").attach_report("pd", 2, dir() / "report-2").attached_by, "val");
  EXPECT_EQ(as("x").reports("pd", 2).size(), 2u);
}

TEST_P(Gate, RequestsAreGatedWhenAskedAndWhenApproved) {
  EXPECT_THROW_MSG(as("ana").request_alias("pd", "champion", 2, "better"), GateError,
                   "no validation report attached");
  EXPECT_TRUE(as("x").requests().empty());
  const std::string sha = as("val").attach_report("pd", 2, report(2, "green")).sha256;
  const AliasRequest r = as("ana").request_alias("pd", "champion", 2, "better");
  EXPECT_EQ(r.report_sha256, sha);  // the evidence the reviewer is asked to look at
  EXPECT_EQ(as("val").approve_request(r.id, "report reviewed").state, "approved");
  EXPECT_EQ(as("x").history("pd").back().report_sha256, sha);

  const AliasRequest o =
      as("ana").request_alias("pd", "champion", 1, "roll back: v2 misprices", "", true);
  EXPECT_TRUE(o.override_gate);
  EXPECT_EQ(as("val").approve_request(o.id, "agreed").state, "approved");
  const RegistryEvent move = as("x").history("pd").back();
  EXPECT_EQ(move.version, 1);
  EXPECT_TRUE(move.override_gate);
}

TEST_P(Gate, OnlyTheConfiguredAliasesAreGated) {
  ModelRegistry reg = as("ana");
  reg.set_gated_aliases({"prod"});
  EXPECT_TRUE(reg.set_alias("pd", "champion", 1, "not gated here"));
  EXPECT_THROW_MSG(reg.set_alias("pd", "prod", 1, "x"), GateError, "@prod needs validation");
}

TEST_P(Gate, ReportsOfOtherModelsAndOtherFilesAreRefused) {
  EXPECT_THROW_MSG(as("val").attach_report("pd", 2, report(1, "green")), UsageError,
                   "validated another model");
  EXPECT_THROW_MSG(as("val").attach_report("pd", 2, dir() / "missing"), InputError, "missing");
  const auto bad = dir() / "bad";
  std::filesystem::create_directories(bad);
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"{not json", "report.json"},
           {"[1, 2]", "not a JSON object"},
           {"{\"status\": \"purple\", \"red\": []}", "not green, amber, red or n/a"},
           {"{\"status\": \"red\", \"red\": []}", "status red with no red test"},
           {"{\"status\": \"green\", \"red\": [1]}", "non-string"},
           {"{\"status\": \"green\", \"red\": []}", "no model.bundle_sha256"},
           {"{\"status\": \"\xff\", \"red\": []}", "report.json"}}) {
    SCOPED_TRACE(text);
    write_text(bad / "report.json", text);
    EXPECT_THROW_MSG(as("val").attach_report("pd", 2, bad), InputError, why);
  }
  EXPECT_THROW_MSG(as("val").attach_report("pd", 9, report(2, "green")), UsageError,
                   "no version 9");
  EXPECT_TRUE(as("x").reports("pd").empty());
}

}  // namespace
}  // namespace loanrisk::testing
