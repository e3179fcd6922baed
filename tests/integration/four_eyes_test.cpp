// Four-eyes promotion and the audit trail through a real `loanrisk serve` on 127.0.0.1: once the
// store has users, champion moves only when a second person approves, the shared admin token
// stands in for nobody, and every request that changed or tried to change something is in the
// audit trail with who, from where and how it ended, never with a token.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loanrisk/tracking/audit.hpp"
#include "loanrisk/tracking/process_identity.hpp"
#include "loanrisk/tracking/users.hpp"
#include "serve_fixture.hpp"
#include "unit/registry/report_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

class FourEyes : public ServeFixture {
 protected:
  static void SetUpTestSuite() {
    ServeFixture::SetUpTestSuite();
    auto store = open_store(store_uri);
    // Both versions carry a green validation report: the gate is open, four-eyes decides.
    for (std::int64_t v : {1, 2}) {
      ModelRegistry reg(*store, "mrm");
      reg.attach_report("loan-default", v,
                        write_report(*dir / ("report-" + std::to_string(v)),
                                     reg.get_version("loan-default", v).source, "green"));
    }
    UserStore users(*store);
    ana = users.add("ana", Role::kAnalyst, "test").token;
    val = users.add("val", Role::kValidator, "test").token;
    // The OS user registered and trained every version of the fixture's model.
    owner = users.add(this_user(), Role::kValidator, "test").token;
  }
  static HttpReply post(const std::string& target, const std::string& body,
                        const std::string& token) {
    return http_call(port, "POST", target, body, "application/json", "Bearer " + token);
  }
  static inline std::string ana, val, owner;
};

TEST_F(FourEyes, ChampionMovesOnlyWithASecondPersonsApproval) {
  const std::string promote_v2 =
      R"({"model":"loan-default","version":2,"reason":"better KS on the 2026 book"})";
  // The shared admin token is nobody in particular: it can neither ask nor approve.
  auto r = post("/api/v1/admin/promote", promote_v2, "t0ken");
  ASSERT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("a shared token cannot ask for its move"), std::string::npos) << r.body;

  r = post("/api/v1/admin/promote", promote_v2, ana);
  ASSERT_EQ(r.status, 202) << r.body;
  const json request = json::parse(r.body)["request"];
  EXPECT_EQ(request["state"], "pending");
  EXPECT_EQ(request["requested_by"], "ana");
  const std::string approve =
      "/api/v1/admin/promotions/" + std::to_string(request["id"].get<int>()) + "/approve";
  json models = json::parse(http_call(port, "GET", "/api/v1/models").body);
  EXPECT_EQ(models["governance"]["four_eyes"], true);
  ASSERT_EQ(models["models"][0]["pending_requests"].size(), 1u);
  EXPECT_EQ(models["serving"]["version"], "1");  // nothing moved yet

  r = post(approve, R"({"reason":"mine"})", ana);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("has the role analyst; this route needs validator or admin"),
            std::string::npos)
      << r.body;
  r = post(approve, R"({"reason":"looks fine"})", owner);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("four-eyes rule: " + this_user() + " registered version 2"),
            std::string::npos)
      << r.body;
  r = post(approve, R"({"reason":"x"})", "t0ken");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("an approval needs a person"), std::string::npos) << r.body;
  r = post(approve, R"({"reason":" "})", val);
  EXPECT_EQ(r.status, 422);

  r = post(approve, R"({"reason":"validation report reviewed"})", val);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["request"]["state"], "approved");
  EXPECT_EQ(json::parse(r.body)["serving"]["version"], "2");
  r = post(approve, R"({"reason":"again"})", val);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("is approved already (by val)"), std::string::npos) << r.body;

  models = json::parse(http_call(port, "GET", "/api/v1/models").body);
  EXPECT_TRUE(models["models"][0]["pending_requests"].empty());
  std::vector<std::string> tail;
  for (const json& e : models["models"][0]["history"]) {
    tail.push_back(e["event"].get<std::string>() + " by " + e["user"].get<std::string>());
  }
  tail.erase(tail.begin(), tail.end() - 3);
  EXPECT_EQ(tail, (std::vector<std::string>{"request by ana", "approve by val", "alias by val"}));

  // An alias that is not protected moves at once for an analyst.
  r = post("/api/v1/admin/promote",
           R"({"model":"loan-default","version":1,"alias":"challenger","reason":"shadow"})", ana);
  EXPECT_EQ(r.status, 200) << r.body;

  // The audit trail: every attempt, with identity, client and outcome; never a token.
  auto store = open_store(store_uri);
  const auto events = AuditLog(*store).list();
  std::vector<std::string> seen;
  for (const AuditEvent& e : events) {
    seen.push_back(e.who + " " + e.action + " " + std::to_string(e.status) + " " + e.outcome);
    EXPECT_TRUE(e.client.starts_with("127.0.0.1:")) << e.client;
    EXPECT_FALSE(e.request_id.empty());
    for (const std::string* token : {&ana, &val, &owner}) {
      EXPECT_EQ(audit_event_json(e).dump().find(*token), std::string::npos);
      EXPECT_EQ(audit_event_json(e).dump().find(token->substr(20)), std::string::npos);
    }
  }
  const std::string promote = "POST /api/v1/admin/promote",
                    approving = "POST /api/v1/admin/promotions/{id}/approve";
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "admin-token " + promote + " 403 refused",
                      "ana " + promote + " 202 ok",
                      "ana " + approving + " 403 refused",
                      this_user() + " " + approving + " 403 refused",
                      "admin-token " + approving + " 403 refused",
                      "val " + approving + " 422 failed",
                      "val " + approving + " 200 ok",
                      "val " + approving + " 400 failed",
                      "ana " + promote + " 200 ok",
                  }));
  EXPECT_EQ(events[1].role, "analyst");
  EXPECT_EQ(events[1].source, "user");
  EXPECT_NE(events[1].detail.find("requested loan-default@champion -> version 2"),
            std::string::npos)
      << events[1].detail;
  EXPECT_NE(events[3].detail.find("four-eyes rule"), std::string::npos);
  // Nor in the server's log.
  const std::string log = slurp(*dir / "serve.err") + slurp(*dir / "serve.out");
  for (const std::string* token : {&ana, &val, &owner}) {
    EXPECT_EQ(log.find(token->substr(20)), std::string::npos);
  }
}

TEST_F(FourEyes, WhoIsNotAUserIsRefusedAndRecorded) {
  const std::size_t before = AuditLog(*open_store(store_uri)).list().size();
  auto r = post("/api/v1/admin/promote", "{}", "lr_0123456789abcdef_notthesecret");
  EXPECT_EQ(r.status, 401);
  r = http_call(port, "POST", "/api/v1/admin/promotions/1/approve", R"({"reason":"x"})");
  EXPECT_EQ(r.status, 401);
  auto store = open_store(store_uri);
  auto events = AuditLog(*store).list();
  events.erase(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(before));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].who, "");
  EXPECT_EQ(events[0].outcome, "refused");
  EXPECT_EQ(events[0].status, 401);
  EXPECT_NE(events[0].detail.find("unknown, wrong or revoked user token"), std::string::npos);
  EXPECT_EQ(events[0].detail.find("notthesecret"), std::string::npos);
  EXPECT_EQ(events[1].action, "POST /api/v1/admin/promotions/{id}/approve");
  EXPECT_EQ(events[1].target, "/api/v1/admin/promotions/1/approve");
}

}  // namespace
}  // namespace loanrisk::testing
