// Four-eyes promotion on both backends: a request waits for a second person, who may be neither
// its requester, nor who registered the version, nor who trained it; every step is in the history.
#include "loanrisk/core/error.hpp"
#include "loanrisk/core/files.hpp"
#include "loanrisk/registry/registry.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "unit/registry/report_fixture.hpp"
#include "unit/tracking/store_fixture.hpp"

namespace loanrisk::testing {
namespace {

class Promotions : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    store = open();
    // Version 1 on champion; version 2 registered by "reg" from a run this process (the OS
    // user) trained.
    for (const char* marker : {"one", "two"}) {
      const auto src = dir() / (std::string("bundle-") + marker);
      std::filesystem::create_directories(src);
      write_text(src / "manifest.json", "{}");
      const loanrisk::Run run = store->create_run({"credit", marker, "", ""});
      store->log_artifact(run.id, src, "bundle");
      store->end_run(run.id, RunStatus::kFinished);
      const ModelVersion v = ModelRegistry(*store, "reg").register_version("pd", run.id, "r");
      // Each version has a green validation report: champion's gate is open, four-eyes decides.
      report = ModelRegistry(*store, "reg")
                   .attach_report(
                       "pd", v.version,
                       write_report(dir() / (std::string("report-") + marker), v.source, "green"))
                   .sha256;
    }
    ModelRegistry(*store, "reg").set_alias("pd", "champion", 1, "go live");
  }
  std::string report;  ///< the green report of version 2.
  ModelRegistry as(const std::string& who) { return ModelRegistry(*store, who); }
  std::unique_ptr<Store> store;
};
LOANRISK_INSTANTIATE_STORE_SUITE(Promotions);

TEST_P(Promotions, ASecondValidatorMovesTheAliasAndTheHistoryShowsBoth) {
  const AliasRequest r = as("ana").request_alias("pd", "champion", 2, "better KS", report);
  EXPECT_EQ(r.state, "pending");
  EXPECT_EQ(r.requested_by, "ana");
  EXPECT_EQ(as("x").alias_version("pd", "champion"), 1);  // nothing moved yet

  const std::string trainer = this_user();
  EXPECT_THROW_MSG(as("ana").approve_request(r.id, "ok"), RefusedError,
                   "four-eyes rule: ana requested this promotion, so cannot approve request " +
                       std::to_string(r.id) + " (pd@champion -> version 2)");
  EXPECT_THROW_MSG(as("reg").approve_request(r.id, "ok"), RefusedError,
                   "four-eyes rule: reg registered version 2");
  EXPECT_THROW_MSG(as(trainer).approve_request(r.id, "ok"), RefusedError,
                   "four-eyes rule: " + trainer + " trained version 2");
  EXPECT_EQ(as("x").get_request(r.id).state, "pending");  // refusals change nothing
  EXPECT_EQ(as("x").alias_version("pd", "champion"), 1);

  const AliasRequest done = as("val").approve_request(r.id, "validation report reviewed");
  EXPECT_EQ(done.state, "approved");
  EXPECT_EQ(done.decided_by, "val");
  EXPECT_TRUE(done.decided_ms);
  EXPECT_EQ(as("x").alias_version("pd", "champion"), 2);
  EXPECT_THROW_MSG(as("vic").approve_request(r.id, "again"), UsageError,
                   "is approved already (by val)");

  const auto h = as("x").history("pd");
  ASSERT_GE(h.size(), 3u);
  const RegistryEvent &request = h[h.size() - 3], &approve = h[h.size() - 2], &move = h.back();
  EXPECT_EQ(request.event, "request");
  EXPECT_EQ(request.user, "ana");
  EXPECT_EQ(request.reason, "better KS");
  EXPECT_EQ(request.report_sha256, report);
  EXPECT_EQ(request.request_id, r.id);
  EXPECT_EQ(approve.event, "approve");
  EXPECT_EQ(approve.user, "val");
  EXPECT_EQ(approve.request_id, r.id);
  EXPECT_EQ(approve.report_sha256, report);
  EXPECT_EQ(move.event, "alias");
  EXPECT_EQ(move.user, "val");
  EXPECT_EQ(move.version, 2);
  EXPECT_EQ(move.previous_version, 1);
  EXPECT_EQ(move.request_id, r.id);
}

TEST_P(Promotions, ANewerRequestSupersedesAndDecisionsAreRecorded) {
  const AliasRequest first = as("ana").request_alias("pd", "champion", 2, "try 2");
  const AliasRequest second = as("bo").request_alias("pd", "champion", 1, "keep 1");
  EXPECT_EQ(as("x").get_request(first.id).state, "superseded");
  EXPECT_THROW_MSG(as("val").approve_request(first.id, "ok"), UsageError, "is superseded already");
  EXPECT_EQ(as("bo").reject_request(second.id, "changed my mind").state, "withdrawn");
  const AliasRequest third = as("ana").request_alias("pd", "challenger", 2, "shadow it");
  EXPECT_EQ(as("val").reject_request(third.id, "report missing").state, "rejected");
  EXPECT_TRUE(as("x").requests("pd", true).empty());
  const auto all = as("x").requests();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, third.id);  // newest first
  std::vector<std::string> events;
  for (const RegistryEvent& e : as("x").history("pd")) events.push_back(e.event);
  const std::vector<std::string> tail(events.end() - 6, events.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"request", "supersede", "request", "withdraw",
                                            "request", "reject"}));
}

TEST_P(Promotions, BadRequestsAreRefusedWithTheFix) {
  EXPECT_THROW_MSG(as("ana").request_alias("pd", "champion", 9, "x"), UsageError,
                   "model 'pd' has no version 9");
  EXPECT_THROW_MSG(as("ana").request_alias("pd", "champion", 2, "  "), UsageError, "say why");
  EXPECT_THROW_MSG(as("ana").request_alias("pd", "champion", 2, "x", "abc"), UsageError,
                   "a report hash is 64 lower-case hex digits");
  EXPECT_THROW_MSG(as("ana").request_alias("pd", "7", 2, "x"), UsageError,
                   "would be confused with a version");
  EXPECT_THROW_MSG(as("ana").request_alias("nope", "champion", 2, "x"), UsageError, "nope");
  EXPECT_THROW_MSG(as("val").approve_request(42, "x"), UsageError, "no promotion request 42");
  EXPECT_THROW_MSG(as("val").reject_request(42, "x"), UsageError, "no promotion request 42");
  as("reg").archive("pd", 2, "old");
  EXPECT_THROW_MSG(as("ana").request_alias("pd", "champion", 2, "x"), UsageError, "archived");
  EXPECT_TRUE(as("x").requests().empty());
}

}  // namespace
}  // namespace loanrisk::testing
