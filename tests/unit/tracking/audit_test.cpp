// The audit trail on both backends: events come back as appended, filtered by time and identity;
// the table refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) from any client, so the
// application has no way to rewrite it; hostile text is stored valid and bounded.
#include "loanrisk/tracking/audit.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"
#include "store_fixture.hpp"

namespace loanrisk::testing {
namespace {

class Audit : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    store = open();
    log = std::make_unique<AuditLog>(*store);
  }
  static AuditEvent event(const std::string& who, std::int64_t time_ms, const std::string& action) {
    AuditEvent e;
    e.time_ms = time_ms;
    e.who = who;
    e.role = "validator";
    e.source = "user";
    e.request_id = "r-" + std::to_string(time_ms);
    e.client = "127.0.0.1:5555";
    e.action = action;
    e.target = "pd@champion";
    e.outcome = "ok";
    e.status = 200;
    e.detail = "approved";
    return e;
  }
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> log;
};
LOANRISK_INSTANTIATE_STORE_SUITE(Audit);

TEST_P(Audit, EventsComeBackInOrderAndFiltered) {
  const auto a = log->append(event("ana", 1000, "POST /api/v1/admin/promote"));
  const auto b = log->append(event("val", 2000, "models approve"));
  const auto c = log->append(event("ana", 3000, "users add"));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  const auto all = log->list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a);
  EXPECT_EQ(all[0].who, "ana");
  EXPECT_EQ(all[0].role, "validator");
  EXPECT_EQ(all[0].source, "user");
  EXPECT_EQ(all[0].request_id, "r-1000");
  EXPECT_EQ(all[0].client, "127.0.0.1:5555");
  EXPECT_EQ(all[0].action, "POST /api/v1/admin/promote");
  EXPECT_EQ(all[0].target, "pd@champion");
  EXPECT_EQ(all[0].outcome, "ok");
  EXPECT_EQ(all[0].status, 200);
  EXPECT_EQ(all[0].detail, "approved");
  const auto query = [](std::optional<std::int64_t> since, std::string who, std::int64_t limit,
                        std::string outcome = "", std::optional<std::int64_t> before = {}) {
    AuditQuery q;
    q.since_ms = since;
    q.who = std::move(who);
    q.limit = limit;
    q.outcome = std::move(outcome);
    q.before_id = before;
    return q;
  };
  EXPECT_EQ(log->list(query(2000, "", 0)).size(), 2u);
  const auto anas = log->list(query(std::nullopt, "ana", 0));
  ASSERT_EQ(anas.size(), 2u);
  EXPECT_EQ(anas[1].action, "users add");
  const auto newest = log->list(query(std::nullopt, "", 2));
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, b);  // the newest two, oldest first
  EXPECT_EQ(audit_event_json(newest[1])["who"], "ana");
  EXPECT_EQ(audit_event_json(newest[1])["time_ms"], 3000);
  // A page below an id (the web page's "older"), and one outcome only.
  const auto older = log->list(query(std::nullopt, "", 2, "", c));
  ASSERT_EQ(older.size(), 2u);
  EXPECT_EQ(older[0].id, a);
  EXPECT_EQ(older[1].id, b);
  AuditEvent refused = event("mallory", 4000, "POST /api/v1/admin/reload");
  refused.outcome = "refused";
  refused.status = 401;
  log->append(refused);
  const auto refusals = log->list(query(std::nullopt, "", 0, "refused"));
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].who, "mallory");
  EXPECT_TRUE(log->list(query(std::nullopt, "ana", 0, "refused")).empty());
}

TEST_P(Audit, TheTableIsAppendOnly) {
  log->append(event("ana", 1000, "models approve"));
  Database& db = store->database();
  for (const char* sql : {"UPDATE lr_audit SET who = 'mallory'", "DELETE FROM lr_audit"}) {
    SCOPED_TRACE(sql);
    try {
      db.transaction(true, [&] { db.exec(sql); });
      ADD_FAILURE() << "the store accepted: " << sql;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("the audit trail is append-only"), std::string::npos)
          << e.what();
    }
  }
  if (GetParam() == "postgres") {
    EXPECT_ANY_THROW(db.transaction(true, [&] { db.execute_direct("TRUNCATE audit"); }));
  }
  const auto all = log->list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].who, "ana");
}

TEST_P(Audit, HostileTextIsStoredValidAndBounded) {
  AuditEvent e = event("bad\xff\xfe name", 1000, std::string(100'000, 'x'));
  e.detail = std::string("line\nbreak\0nul", 14);
  log->append(e);
  const AuditEvent back = log->list().at(0);
  EXPECT_EQ(back.who, "bad\xEF\xBF\xBD\xEF\xBF\xBD name");
  EXPECT_EQ(back.action.size(), kMaxAuditText);
  EXPECT_EQ(back.detail, "line\nbreak nul");
  EXPECT_EQ(audit_outcome(202, true), "ok");
  EXPECT_EQ(audit_outcome(403, true), "refused");
  EXPECT_EQ(audit_outcome(500, true), "failed");
  EXPECT_EQ(audit_outcome(0, false), "ok");
  EXPECT_EQ(audit_outcome(2, false), "failed");
}

}  // namespace
}  // namespace loanrisk::testing
