// The server with the bank's identity provider: a real `loanrisk serve` on 127.0.0.1 reads
// [auth.oidc], and tokens from a real glewlwyd (scripts/with-oidc.sh; ctest runs this suite as
// integration_oidc) open the routes their roles allow: 401 for a token the verifier refuses,
// 403 for a person without the role, four-eyes between two people of the provider, and the audit
// trail naming them with source "oidc".
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "loanrisk/tracking/audit.hpp"
#include "serve_fixture.hpp"
#include "unit/registry/report_fixture.hpp"

namespace loanrisk::testing {
namespace {

using nlohmann::json;

class ServeWithOidcProvider : public ServeFixture {
 protected:
  static void SetUpTestSuite() {
    if (env_or_empty("LOANRISK_TEST_OIDC_ISSUER").empty()) return;  // skipped in SetUp
    extra_toml = "[auth.oidc]\nissuer = \"" + env_or_empty("LOANRISK_TEST_OIDC_ISSUER") +
                 "\"\naudience = \"" + env_or_empty("LOANRISK_TEST_OIDC_AUDIENCE") +
                 "\"\nrole_claim = \"" + env_or_empty("LOANRISK_TEST_OIDC_ROLE_CLAIM") +
                 "\"\n[auth.oidc.role_map]\ncredit-validators = \"validator\"\n";
    ServeFixture::SetUpTestSuite();
    // Version 2 carries a green validation report: the gate is open, four-eyes decides.
    auto store = open_store(store_uri);
    ModelRegistry reg(*store, "mrm");
    reg.attach_report(
        "loan-default", 2,
        write_report(*dir / "report-2", reg.get_version("loan-default", 2).source, "green"));
  }
  static void TearDownTestSuite() {
    ServeFixture::TearDownTestSuite();
    extra_toml.clear();
  }
  void SetUp() override {
    if (env_or_empty("LOANRISK_TEST_OIDC_ISSUER").empty()) {
      if (!env_or_empty("LOANRISK_REQUIRE_OIDC").empty())
        FAIL() << "run under scripts/with-oidc.sh";
      GTEST_SKIP() << "no OIDC provider; run under scripts/with-oidc.sh";
    }
  }
  static std::string token(const std::string& args) {
    return command_output(env_or_empty("LOANRISK_TEST_OIDC_TOKEN_CMD") + " " + args);
  }
  static HttpReply call(const std::string& method, const std::string& target,
                        const std::string& body, const std::string& bearer) {
    return http_call(port, method, target, body, "application/json", "Bearer " + bearer);
  }
};

TEST_F(ServeWithOidcProvider, RolesComeFromTheProvidersTokens) {
  const std::string alice = token("--user alice");  // analyst
  const std::string dave = token("--user dave");    // viewer
  const std::string nora = token("--user nora");    // no roles claim
  EXPECT_EQ(call("GET", "/api/v1/jobs", "", alice).status, 200);
  auto r = call("GET", "/api/v1/jobs", "", dave);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("user dave has the role viewer; this route needs analyst or admin"),
            std::string::npos)
      << r.body;
  r = call("GET", "/api/v1/jobs", "", nora);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("has no loanrisk role in the identity provider's token"), std::string::npos)
      << r.body;
  EXPECT_EQ(call("POST", "/api/v1/predict", kApplicant, dave).status, 200)
      << "predict is open unless require_token_for_predict";
  // Tokens the verifier refuses: 401 with the reason.
  for (const auto& [bad, why] : std::vector<std::pair<std::string, std::string>>{
           {token("--audience other"), "the token is for audience"},
           {command_output(env_or_empty("LOANRISK_TEST_OIDC_FOREIGN_TOKEN_CMD")),
            "does not publish"},
           {alice.substr(0, alice.size() - 4) + "AAAA", "signature does not verify"},
           {"a.b.c", "identity provider token refused"}}) {
    r = call("GET", "/api/v1/jobs", "", bad);
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_NE(r.body.find(why), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find(bad), std::string::npos) << "a token is never echoed";
  }
}

TEST_F(ServeWithOidcProvider, FourEyesBetweenTwoPeopleOfTheProvider) {
  const std::string alice = token("--user alice");  // analyst
  const std::string erin = token("--user erin");    // analyst and validator
  const std::string bob = token("--user bob");      // validator
  json models = json::parse(http_call(port, "GET", "/api/v1/models").body);
  EXPECT_EQ(models["governance"]["four_eyes"], true) << "an identity provider means people";
  auto r = call("POST", "/api/v1/admin/promote",
                R"({"model":"loan-default","version":2,"reason":"better on the 2026 book"})", erin);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string approve = "/api/v1/admin/promotions/" +
                              std::to_string(json::parse(r.body)["request"]["id"].get<int>()) +
                              "/approve";
  r = call("POST", approve, R"({"reason":"mine"})", erin);
  EXPECT_EQ(r.status, 403) << "erin is a validator too, but she asked";
  r = call("POST", approve, R"({"reason":"mine"})", alice);
  EXPECT_EQ(r.status, 403) << r.body;
  r = call("POST", approve, R"({"reason":"validation reviewed"})", bob);
  ASSERT_EQ(r.status, 200) << r.body;
  const json history =
      json::parse(http_call(port, "GET", "/api/v1/models").body)["models"][0]["history"];
  std::vector<std::string> tail;
  for (std::size_t i = history.size() - 3; i < history.size(); ++i) {
    tail.push_back(history[i]["event"].get<std::string>() + " " +
                   history[i]["user"].get<std::string>());
  }
  EXPECT_EQ(tail, (std::vector<std::string>{"request erin", "approve bob", "alias bob"}));
  bool seen = false;
  for (const AuditEvent& e : AuditLog(*open_store(store_uri)).list()) {
    if (e.who == "bob" && e.status == 200) {
      seen = true;
      EXPECT_EQ(e.source, "oidc");
      EXPECT_EQ(e.role, "validator");
    }
    EXPECT_EQ(audit_event_json(e).dump().find(bob.substr(bob.size() - 40)), std::string::npos);
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace loanrisk::testing
